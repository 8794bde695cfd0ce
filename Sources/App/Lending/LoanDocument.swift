import CarteraCore
import Foundation
import Lending

/// A loan as JSON: the record, its terms, its position on a date and its installments. Amounts are decimal strings
/// with two decimals; dates `YYYY-MM-DD`.
public struct LoanDocument: Sendable, Encodable {
    public struct Terms: Sendable, Encodable {
        public let principal: String
        public let disbursed: String
        public let openingFee: String
        public let openingFeeIva: String
        public let annualRate: String
        public let moratoriumAnnualRate: String
        public let frequency: String
        public let method: String
        public let dayCount: String
        public let cat: String?
        public let catLegend: String?
        public let disbursementDate: String
    }

    public struct Position: Sendable, Encodable {
        public let asOf: String
        public let status: String
        public let daysPastDue: Int
        public let nonPerforming: Bool
        public let principalOutstanding: String
        public let amountDue: String
        public let payoffAmount: String
        public let advance: String
        public let nextDueDate: String?
        public let nextPayment: String?
    }

    public struct Row: Sendable, Encodable {
        public let number: Int
        public let dueDate: String
        public let payment: String
        public let principal: String
        public let interest: String
        public let iva: String
        public let lateFee: String
        public let moratorium: String
        public let paid: String
        public let remaining: String
        /// `pagada`, `parcial`, `vencida`, `pendiente`.
        public let state: String
    }

    public let loan: LoanBook.Record
    public let terms: Terms?
    public let position: Position?
    public let installments: [Row]

    public init(record: LoanBook.Record, position: LoanPosition?) {
        loan = record
        guard let position else {
            terms = nil
            self.position = nil
            installments = []
            return
        }
        let t = position.terms
        let a = QuoteDocument.amount
        terms = Terms(
            principal: a(t.principal), disbursed: a(t.disbursed), openingFee: a(t.openingFee), openingFeeIva: a(t.openingFeeIva),
            annualRate: t.product.annualRate.percentText, moratoriumAnnualRate: t.product.moratorium.annualRate(ordinary: t.product.annualRate).percentText,
            frequency: t.product.frequency.rawValue, method: t.product.method.rawValue, dayCount: t.product.dayCount.rawValue, cat: t.cat,
            catLegend: t.cat.map { "CAT \($0)% sin IVA. Para fines informativos y de comparación." }, disbursementDate: t.disbursementDate.text
        )
        let next = position.nextInstallment
        self.position = Position(
            asOf: position.asOf.text, status: position.status.rawValue, daysPastDue: position.daysPastDue, nonPerforming: position.isNonPerforming,
            principalOutstanding: a(position.principalOutstanding), amountDue: a(position.amountDue), payoffAmount: a(position.payoffAmount),
            advance: a(position.advance), nextDueDate: next?.dueDate.text, nextPayment: next.map { a($0.remaining) }
        )
        installments = position.installments.map { i in
            let paid = i.principal.paid + i.interest.paid + i.iva.paid + i.lateFee.paid + i.lateFeeIva.paid + i.moratorium.paid + i.moratoriumIva.paid
            return Row(
                number: i.number, dueDate: i.dueDate.text, payment: a(i.scheduledPayment), principal: a(i.principal.charged), interest: a(i.interest.charged),
                iva: a(i.iva.charged), lateFee: a(i.lateFee.charged + i.lateFeeIva.charged), moratorium: a(i.moratorium.charged + i.moratoriumIva.charged),
                paid: a(paid), remaining: a(i.remaining), state: Self.state(i, asOf: position.asOf)
            )
        }
    }

    static func state(_ i: InstallmentPosition, asOf: CalendarDate) -> String {
        if i.remaining.isZero { return "pagada" }
        if i.dueDate < asOf { return "vencida" }
        let paid = i.principal.paid + i.interest.paid + i.iva.paid
        return paid.isPositive ? "parcial" : "pendiente"
    }
}
