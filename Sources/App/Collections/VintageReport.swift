import CarteraCore
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store

/// Vintage curves of a lender's portfolio, from each loan's position at the end of each month on book (rebuilt from its
/// payments by replay, so no snapshot history is needed): the share of each monthly cohort 30+ days late or written off.
public enum VintageReport {
    /// Cohorts disbursed in the last `months` months before `asOf`, observed up to `asOf`.
    public static func compute(lenderID: String, asOf: CalendarDate, months: Int = 12, database: Database, book: LoanBook) async throws -> VintageCurves {
        let since = CalendarDate(year: asOf.year, month: asOf.month, day: 1)!.adding(months: -months)
        let ids = try await database.withConnection { db in
            try await db.raw(
                "SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND disbursed_on >= \(bind: since.text) AND disbursed_on <= \(bind: asOf.text) ORDER BY id"
            ).all(decodingColumn: "id", as: String.self)
        }
        var points: [VintageCurves.Point] = []
        for id in ids {
            let (loaded, events) = try await database.withConnection { db in
                (try await book.load(id, lenderID: lenderID, on: db), try await book.activeEvents(id, on: db))
            }
            guard let terms = loaded.terms else { continue }
            let start = terms.disbursementDate
            let cohort = String(start.text.prefix(7))
            // Month 0 registers the loan in its cohort, even before it has a month on book.
            points.append(.init(loanID: id, cohort: cohort, monthsOnBook: 0, disbursed: terms.principal.minorUnits, late: false))
            var month = 1
            while true {
                let day = start.adding(months: month)
                guard day <= asOf else { break }
                guard let position = try? book.replay(terms, events.filter { $0.valueDate <= day }, day) else { break }
                let late = position.status == .writtenOff || (position.status == .active && position.daysPastDue >= 30)
                points.append(.init(loanID: id, cohort: cohort, monthsOnBook: month, disbursed: terms.principal.minorUnits, late: late))
                month += 1
            }
        }
        return VintageCurves(points: points)
    }
}
