import CarteraCore
import Foundation
import HTTPTypes
import Lending
import SQLKit
import Store

/// An account statement as JSON (API) and as the data of its printable page.
public struct StatementDocument: Sendable, Encodable {
    public struct Movement: Sendable, Encodable {
        public let date: String
        public let kind: String
        public let description: String
        public let charge: String
        public let credit: String
        public let balance: String
        public let paymentId: String?
        public let allocation: [LoanBook.PaymentRecord.Line]
    }

    public let loanId: String
    public let lender: String
    public let client: String
    public let product: String
    public let from: String
    public let to: String
    public let openingBalance: String
    public let closingBalance: String
    public let interestCharged: String
    public let ivaCharged: String
    public let moratoriumCharged: String
    public let feesCharged: String
    public let paymentsTotal: String
    public let principalOutstanding: String
    public let amountDue: String
    public let daysPastDue: Int
    public let nextDueDate: String?
    public let nextPayment: String?
    public let annualRate: String
    public let moratoriumAnnualRate: String
    public let cat: String?
    /// "CAT X.X% sin IVA. Para fines informativos y de comparación".
    public let catLegend: String?
    public let movements: [Movement]

    public init(statement: LoanStatement, terms: LoanTerms, loanID: String, lender: String, client: String) {
        let a = QuoteDocument.amount
        let closing = statement.closing
        loanId = loanID
        self.lender = lender
        self.client = client
        product = "\(terms.product.name) (\(terms.product.code) v\(terms.product.version))"
        from = statement.from.text
        to = statement.to.text
        openingBalance = a(statement.openingBalance)
        closingBalance = a(statement.closingBalance)
        interestCharged = a(statement.interestCharged)
        ivaCharged = a(statement.ivaCharged)
        moratoriumCharged = a(statement.moratoriumCharged)
        feesCharged = a(statement.feesCharged)
        paymentsTotal = a(statement.paymentsTotal)
        principalOutstanding = a(closing.principalOutstanding)
        amountDue = a(closing.amountDue)
        daysPastDue = closing.daysPastDue
        nextDueDate = closing.nextInstallment?.dueDate.text
        nextPayment = closing.nextInstallment.map { a($0.remaining) }
        annualRate = terms.product.annualRate.percentText
        moratoriumAnnualRate = terms.product.moratorium.annualRate(ordinary: terms.product.annualRate).percentText
        cat = terms.cat
        catLegend = terms.cat.map { "CAT \($0)% sin IVA. Para fines informativos y de comparación" }
        movements = statement.movements.map {
            Movement(
                date: $0.date.text, kind: $0.kind.rawValue, description: $0.description, charge: $0.charge.isZero ? "" : a($0.charge),
                credit: $0.credit.isZero ? "" : a($0.credit), balance: a($0.balance), paymentId: $0.paymentID, allocation: $0.allocation.map(LoanBook.line)
            )
        }
    }
}

extension LoanBook {
    /// The statement of a loan for a period (by default from the first day of the month to today).
    public func statement(_ id: String, lenderID: String, from: CalendarDate?, to: CalendarDate?, clientName: String) async throws -> StatementDocument {
        try await database.withConnection { db in
            let loan = try await load(id, lenderID: lenderID, on: db)
            guard let terms = loan.terms else {
                throw APIError(status: .conflict, code: "loan_not_disbursed", message: "El crédito aún no se dispone; no tiene estado de cuenta.")
            }
            let today = today()
            let to = to ?? today
            let from = from ?? CalendarDate(year: to.year, month: to.month, day: 1)!
            guard from <= to, to <= today.adding(days: 366) else {
                throw APIError(status: .unprocessableContent, code: "period_invalid", message: "El periodo debe empezar antes de terminar y no pasar de un año después de hoy.")
            }
            let events = try await activeEvents(id, on: db)
            let statement: LoanStatement
            do { statement = try LoanStatement.make(terms: terms, events: events, from: from, to: to) } catch let error as LoanReplayError {
                throw APIError(status: .unprocessableContent, code: error.code, message: error.message)
            }
            let lender = try await db.raw("SELECT legal_name FROM lenders WHERE id = \(bind: loan.lenderID)").first(decodingColumn: "legal_name", as: String.self) ?? ""
            return StatementDocument(statement: statement, terms: terms, loanID: id, lender: lender, client: clientName)
        }
    }
}
