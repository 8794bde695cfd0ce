import CarteraCore
import Foundation
import HTTPTypes
import Lending

/// A quote as JSON (API and `cartera quote --json`): amounts are decimal strings with two decimals, dates `YYYY-MM-DD`.
public struct QuoteDocument: Encodable, Sendable {
    public struct Row: Encodable, Sendable {
        public let number: Int
        public let dueDate: String
        public let payment: String
        public let principal: String
        public let interest: String
        public let iva: String
        public let balance: String
    }

    public let payment: String
    public let cat: String?
    public let catLegend: String?
    public let totalInterest: String
    public let totalIva: String
    public let totalPaid: String
    public let installments: [Row]

    public init(_ quote: Quote) {
        payment = Self.amount(quote.payment)
        cat = quote.cat
        catLegend = quote.cat.map { "CAT \($0)% sin IVA. Para fines informativos y de comparación." }
        totalInterest = Self.amount(quote.totalInterest)
        totalIva = Self.amount(quote.totalIva)
        totalPaid = Self.amount(quote.totalPaid)
        installments = quote.installments.map {
            Row(number: $0.number, dueDate: $0.dueDate.text, payment: Self.amount($0.payment), principal: Self.amount($0.principal),
                interest: Self.amount($0.interest), iva: Self.amount($0.iva), balance: Self.amount($0.balance))
        }
    }

    /// `1234.56` (no thousands separators).
    public static func amount(_ money: Money) -> String { money.decimalText }
}

/// A quote request as it arrives over the API (strings for amounts and rates, so nothing passes through a `Double`).
struct QuoteInput: Decodable, Sendable {
    public let principal: String
    let annualRate: String
    let term: Int
    let frequency: Frequency
    let method: AmortizationMethod?
    let iva: String?
    let openingFee: String?
    let start: CalendarDate?

    /// The domain request, or the problems found, each with its field.
    func request(today: CalendarDate) throws -> QuoteRequest {
        var issues: [FieldIssue] = []
        let principal = try? Money(parsing: self.principal)
        if principal == nil { issues.append(.init(field: "principal", code: "invalid", message: "El monto debe ser una cantidad como 15000 o 15000.00.")) }
        let rate = Rate(percent: annualRate)
        if rate == nil { issues.append(.init(field: "annualRate", code: "invalid", message: "La tasa anual es un porcentaje como 60 o 58.5.")) }
        let ivaRate = iva.map { Rate(percent: $0) } ?? .percent(16)
        if ivaRate == nil { issues.append(.init(field: "iva", code: "invalid", message: "El IVA es un porcentaje como 16 o 0.")) }
        let fee = openingFee.map { try? Money(parsing: $0) } ?? .zero()
        if fee == nil { issues.append(.init(field: "openingFee", code: "invalid", message: "La comisión por apertura es una cantidad como 100.00.")) }
        guard issues.isEmpty, let principal, let rate, let ivaRate, let fee else {
            throw APIError(status: .unprocessableContent, code: "quote_invalid", message: "Revise los datos de la cotización.", details: issues)
        }
        return QuoteRequest(
            principal: principal, annualRate: rate, term: term, frequency: frequency, method: method ?? .french, ivaRate: ivaRate,
            openingFee: fee, start: start ?? today
        )
    }
}
