@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import LoanCollections
import SQLKit
import Store
import Testing

/// The delinquency report of a generated portfolio equals an independent recomputation from the snapshot rows.
@Suite("Delinquency report")
struct DelinquencyReportTests {
    /// `numerator ÷ denominator` in basis points, half up, computed with Foundation's decimal arithmetic.
    static func basisPoints(_ numerator: Int64, _ denominator: Int64) -> Int {
        guard denominator > 0 else { return 0 }
        var value = Decimal(numerator) * 10_000 / Decimal(denominator)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return NSDecimalNumber(decimal: rounded).intValue
    }

    @Test("Buckets by count and balance, PAR30, PAR90, IMOR, roll rates and cures of a generated portfolio closed on two days", arguments: TestEngine.available)
    func matchesRecomputation(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, _, _) = try await PaymentIntentPagesTests.borrowerLoan(database)
            _ = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: lender, count: 80, seed: 7)
            let book = LoanBook(database: database)
            let close = EndOfDayClose(database: database, book: book, partitionSize: 8, chunkSize: 5)
            // A month apart: the report is then read from the totals the close kept (the figures below come from the rows).
            let day = book.today().adding(days: -1)
            let earlier = day.adding(months: -1)
            _ = try await close.close(lenderID: lender, through: earlier)
            _ = try await close.close(lenderID: lender, through: day)
            let report = try await CollectionReports(database: database).delinquency(lenderID: lender, date: day, from: earlier)

            // The same figures straight from the rows.
            let rows = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT bucket, COUNT(*) AS n, CAST(SUM(principal_outstanding) AS BIGINT) AS p FROM loan_snapshots
                    WHERE snapshot_date = \(bind: day.text) AND status = 'active' GROUP BY bucket
                    """
                ).all().map { (try $0.decode(column: "bucket", as: String.self), try $0.decode(column: "n", as: Int.self), try $0.decode(column: "p", as: Int64.self)) }
            }
            func sum(_ condition: SQLQueryString) async throws -> Int64 {
                try await database.withConnection { db in
                    try await db.raw(
                        "SELECT CAST(COALESCE(SUM(principal_outstanding), 0) AS BIGINT) AS p FROM loan_snapshots WHERE snapshot_date = \(bind: day.text) AND status = 'active' AND \(condition)"
                    ).first(decodingColumn: "p", as: Int64.self) ?? 0
                }
            }
            let gross = rows.reduce(Int64(0)) { $0 + $1.2 }
            let count = rows.reduce(0) { $0 + $1.1 }
            #expect(report.grossPortfolio == gross && report.loans == count && count > 10)
            for line in report.buckets {
                let row = rows.first { $0.0 == line.bucket }
                #expect(line.loans == (row?.1 ?? 0) && line.principal == (row?.2 ?? 0))
                #expect(line.shareOfPrincipalBasisPoints == Self.basisPoints(row?.2 ?? 0, gross))
                #expect(line.shareOfLoansBasisPoints == Self.basisPoints(Int64(row?.1 ?? 0), Int64(count)))
            }
            #expect(rows.count >= 2, "a generated portfolio has loans in more than one bucket")
            #expect(report.par30BasisPoints == Self.basisPoints(try await sum("(days_past_due > 30 OR restructured = \(bind: true))"), gross))
            #expect(report.par90BasisPoints == Self.basisPoints(try await sum("(days_past_due > 90 OR restructured = \(bind: true))"), gross))
            #expect(report.imorBasisPoints == Self.basisPoints(try await sum("non_performing = \(bind: true)"), gross))

            // Roll rates: each loan's balance on the earlier day, by its bucket then and now (or gone).
            let moves = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT a.bucket AS f, COALESCE(b.bucket, 'gone') AS t, CAST(SUM(a.principal_outstanding) AS BIGINT) AS p
                    FROM loan_snapshots a LEFT JOIN loan_snapshots b ON b.loan_id = a.loan_id AND b.snapshot_date = \(bind: day.text) AND b.status = 'active'
                    WHERE a.snapshot_date = \(bind: earlier.text) AND a.status = 'active' GROUP BY a.bucket, COALESCE(b.bucket, 'gone')
                    """
                ).all().map { (try $0.decode(column: "f", as: String.self), try $0.decode(column: "t", as: String.self), try $0.decode(column: "p", as: Int64.self)) }
            }
            #expect(!moves.isEmpty)
            for roll in report.rolls {
                let from = moves.filter { $0.0 == roll.from }
                let total = from.reduce(Int64(0)) { $0 + $1.2 }
                #expect(roll.principal == total)
                for (to, basisPoints) in roll.toBasisPoints {
                    #expect(basisPoints == Self.basisPoints(from.first { $0.1 == to }?.2 ?? 0, total), "\(roll.from) → \(to)")
                }
                #expect(roll.goneBasisPoints == Self.basisPoints(from.first { $0.1 == "gone" }?.2 ?? 0, total))
            }
            // Cure rate: of the loans late on the earlier day, those current now.
            let cures = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n, CAST(COALESCE(SUM(a.principal_outstanding), 0) AS BIGINT) AS p,
                        COUNT(b.loan_id) AS c, CAST(COALESCE(SUM(CASE WHEN b.loan_id IS NULL THEN 0 ELSE a.principal_outstanding END), 0) AS BIGINT) AS q
                    FROM loan_snapshots a LEFT JOIN loan_snapshots b ON b.loan_id = a.loan_id AND b.snapshot_date = \(bind: day.text) AND b.status = 'active'
                        AND b.days_past_due = 0
                    WHERE a.snapshot_date = \(bind: earlier.text) AND a.status = 'active' AND a.days_past_due > 0
                    """
                ).first().map { (try $0.decode(column: "n", as: Int64.self), try $0.decode(column: "p", as: Int64.self), try $0.decode(column: "c", as: Int64.self), try $0.decode(column: "q", as: Int64.self)) }
            }
            let cure = try #require(cures)
            #expect(cure.0 > 0 && report.comparedWith == earlier)
            #expect(report.cureRateLoansBasisPoints == Self.basisPoints(cure.2, cure.0) && report.cureRatePrincipalBasisPoints == Self.basisPoints(cure.3, cure.1))
            // A day that was not closed is refused with what to do.
            await #expect(throws: APIError.self) { try await CollectionReports(database: database).delinquency(lenderID: lender, date: earlier.adding(days: -1)) }
            // The dashboard and its CSV show the same figures (last: the application closes the database when it stops).
            try await makeApp(database).test(.live) { client in
                let staff = TestBrowser(client)
                try await staff.signIn("u.gestor.cobranza")
                let page = try await staff.get("/cobranza").text
                #expect(page.contains("Al \(day.text): \(report.loans) créditos vigentes"), "\(page.suffix(2000))")
                #expect(page.contains(CollectionPages.percent(report.par30BasisPoints) + " %") && page.contains("<svg") && page.contains("Migración entre rangos desde el \(earlier.text)"))
                let csv = try await staff.get("/cobranza/morosidad.csv?fecha=\(day.text)")
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = csv.text.split(separator: "\r\n").map(String.init)
                #expect(lines.count == 1 + report.buckets.count)
                #expect(lines[1] == "\(day.text),0,Al corriente,\(report.buckets[0].loans),\(Money(minorUnits: report.buckets[0].principal, currency: .mxn).decimalText),\(CollectionPages.percent(report.buckets[0].shareOfLoansBasisPoints)),\(CollectionPages.percent(report.buckets[0].shareOfPrincipalBasisPoints))")
                let unknown = try await staff.get("/cobranza?fecha=\(earlier.adding(days: -1).text)")
                #expect(unknown.status == .notFound && unknown.text.contains("no está cerrado"))
            }
        }
    }
}
