import CarteraCore
import Lending
import SQLKit

/// A loan as the end-of-day close reads it: only the columns the close uses (decoding a loan's every column through
/// the generic row decoder, a million times a day, was a noticeable share of the close).
struct ClosingLoan: Sendable {
    let id: String
    let lenderID: String
    let clientID: String
    let productCode: String
    let restructured: Bool
    let terms: LoanTerms?
    let ledgerDate: CalendarDate?
    let rowVersion: Int64

    /// The columns `init(_:terms:)` reads, from `loans l`.
    static let columns: SQLQueryString = "l.id, l.lender_id, l.client_id, l.product_code, l.restructured_from, l.terms, l.ledger_date, l.row_version"

    /// Reads a loan's row; its terms are decoded without keeping them in the per-loan cache (each is read once a day).
    init(_ row: any SQLRow, terms cache: TermsCache) throws {
        id = try row.decode(column: "id", as: String.self)
        lenderID = try row.decode(column: "lender_id", as: String.self)
        clientID = try row.decode(column: "client_id", as: String.self)
        productCode = try row.decode(column: "product_code", as: String.self)
        restructured = try row.decode(column: "restructured_from", as: String?.self) != nil
        terms = try row.decode(column: "terms", as: String?.self).map { try cache.decode($0) }
        ledgerDate = try row.decode(column: "ledger_date", as: String?.self).flatMap(CalendarDate.init(text:))
        rowVersion = try row.decode(column: "row_version", as: Int64.self)
    }
}
