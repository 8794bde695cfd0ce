@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store
import Synchronization
import Testing

/// The end-of-day close: accrual, days past due, buckets and snapshots; idempotent, caught up day by day, restartable at
/// any point with the same result, and shared by workers without closing a loan twice.
@Suite("End-of-day close")
struct EndOfDayCloseTests {
    /// The test lender, its borrower client and `count` loans of 9,000.00 in 3 monthly installments, disbursed on
    /// days spread over the last `spread` days (so some are late and some are not); every third one paid its first
    /// installment on time.
    static func portfolio(_ database: Database, count: Int, spread: Int = 75) async throws -> (lender: String, loans: [String]) {
        let (lender, client, first) = try await PaymentIntentPagesTests.borrowerLoan(database)
        let book = LoanBook(database: database)
        var loans = [first.id]
        for index in 1..<count {
            let applied = try await database.transaction { db in
                try await book.apply(.init(clientId: client, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(applied.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            let disbursed = book.today().adding(days: -Int64(12 + (index * 37) % spread))
            try await TestFiles.complete(client, lenderID: lender, database: database)
            _ = try await book.disburse(applied.id, on: disbursed, channel: .spei, reference: "D-\(index)", lenderID: lender, actor: .commandLine)
            if index % 3 == 0, let due = try await book.position(applied.id, lenderID: lender, asOf: disbursed).1?.installments.first, due.dueDate < book.today() {
                _ = try await book.pay(
                    applied.id, .init(amount: due.scheduledPayment.decimalText, valueDate: due.dueDate.text, channel: .spei, reference: "P-\(index)"),
                    lenderID: lender, actor: .commandLine
                )
            }
            loans.append(applied.id)
        }
        return (lender, loans)
    }

    @Test("A first close closes yesterday: each loan's accrual entry, ledger date and snapshot (days past due, bucket, balances as its replay says); run again it does nothing; a future day is refused", arguments: TestEngine.available)
    func closesOnce(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 6)
            let book = LoanBook(database: database)
            let yesterday = book.today().adding(days: -1)
            let close = EndOfDayClose(database: database, book: book, partitionSize: 4, chunkSize: 3)
            let summary = try await close.close(lenderID: lender, through: yesterday)
            #expect(summary.closedThroughBefore == nil && summary.closedThrough == yesterday.text)
            #expect(summary.days.map(\.date) == [yesterday.text] && summary.days[0].loans == 6 && summary.days[0].snapshots == 6)
            #expect(try await close.closedThrough(lenderID: lender) == yesterday)

            var untouched = 0
            for id in loans {
                let record = try await book.loan(id, lenderID: lender)
                // The ledger date moves with an accrual entry of the day; without one the loan's row is left as it was.
                let accrued = try await database.withConnection { db in
                    try await db.raw("SELECT id FROM journal_entries WHERE id = \(bind: "je_eod_\(id)_\(yesterday.text.replacingOccurrences(of: "-", with: ""))")").first() != nil
                }
                let ledger = try #require(record.ledgerDate.flatMap(CalendarDate.init(text:)))
                #expect(ledger <= yesterday && (!accrued || ledger == yesterday), "\(id) \(accrued) \(ledger.text)")
                if !accrued && ledger < yesterday { untouched += 1 }
                let position = try #require(try await book.position(id, lenderID: lender, asOf: yesterday).1)
                let expected = LoanSnapshot(position: position, date: yesterday, loanID: id, clientID: record.clientId, productCode: "MENSUAL", restructured: false, buckets: .standard)
                #expect(try await Self.snapshot(database, loanID: id, date: yesterday) == expected)
            }
            #expect(untouched >= 1, "a loan with nothing to post that day keeps its row")
            // A payment reversed now is booked on the last closed day, not back at that loan's earlier ledger date.
            var reversed = 0
            for id in loans {
                let record = try await book.loan(id, lenderID: lender)
                guard let ledger = record.ledgerDate.flatMap(CalendarDate.init(text:)), ledger < yesterday,
                    let payment = try await book.payments(id, lenderID: lender).first(where: { $0.kind == "payment" })
                else { continue }
                _ = try await book.reverse(id, payment: payment.id, reason: "Pago duplicado", lenderID: lender, actor: .commandLine)
                let dated = try await database.withConnection { db in
                    try await db.raw("SELECT value_date FROM journal_entries WHERE loan_id = \(bind: id) AND kind = 'reversal'").first(decodingColumn: "value_date", as: String.self)
                }
                #expect(dated == yesterday.text, "\(id) reversal dated \(dated ?? "-") with ledger \(ledger.text)")
                #expect(try await book.loan(id, lenderID: lender).ledgerDate == yesterday.text)
                reversed += 1
                break
            }
            #expect(reversed == 1)
            #expect(try await LedgerVerification(database: database, book: book).run().ok)
            let late = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM loan_snapshots WHERE days_past_due > 0 AND bucket <> '0'").first(decodingColumn: "n", as: Int.self)
            }
            #expect((late ?? 0) >= 2)
            // The accrual entries are named by loan and day and dated at the end of the business day.
            let entries = try await database.withConnection { db in
                try await db.raw("SELECT id, posted_at, value_date FROM journal_entries WHERE posted_by = 'cierre-diario'").all().map {
                    (try $0.decode(column: "id", as: String.self), try $0.decode(column: "posted_at", as: String.self), try $0.decode(column: "value_date", as: String.self))
                }
            }
            #expect(entries.count == summary.days[0].accruals && !entries.isEmpty)
            #expect(entries.allSatisfy { $0.0.hasPrefix("je_eod_ln_") && $0.0.hasSuffix(yesterday.text.replacingOccurrences(of: "-", with: "")) && $0.2 == yesterday.text })
            #expect(entries.allSatisfy { $0.1 == EndOfDayClose.closingInstant(yesterday).text })
            #expect(try await LedgerVerification(database: database, book: book).run().ok)

            // Independently of the snapshot code: a loan that paid nothing, its first installment due before yesterday,
            // is late since that due date by the calendar, and owes that installment's principal.
            for id in loans.dropFirst() {
                let (record, position) = try await book.position(id, lenderID: lender, asOf: yesterday)
                guard let terms = position?.terms, try await book.payments(id, lenderID: lender).isEmpty, terms.schedule[0].dueDate < yesterday else { continue }
                let snapshot = try #require(try await Self.snapshot(database, loanID: record.id, date: yesterday))
                #expect(snapshot.daysPastDue == Int(terms.schedule[0].dueDate.days(until: yesterday)))
                let due = terms.schedule.filter { $0.dueDate < yesterday }
                #expect(snapshot.overduePrincipal == due.reduce(Int64(0)) { $0 + $1.principal.minorUnits } && snapshot.installmentsOverdue == due.count)
                #expect(snapshot.principalOutstanding == terms.principal.minorUnits)
            }

            let again = try await close.close(lenderID: lender, through: yesterday)
            #expect(again.days.isEmpty && again.closedThrough == yesterday.text)
            // Today is not over yet, tomorrow even less.
            for day in [book.today(), book.today().adding(days: 1)] {
                await #expect(throws: APIError.self) { try await close.close(lenderID: lender, through: day) }
            }
        }
    }

    /// Stops at the `n`-th checkpoint it passes (as a killed process would), counting across runs.
    final class Crash: Sendable {
        struct Stopped: Error {}
        let at: Int
        let passed = Mutex(0)
        init(at: Int) { self.at = at }
        func check(_ point: String) throws {
            let count = passed.withLock { $0 += 1; return $0 }
            if count == at { throw Stopped() }
        }
    }

    @Test("Stopped at random points and run again, catching up five days one by one, the close leaves the same snapshots, journal and loans as an uninterrupted one", arguments: TestEngine.available)
    func restartable(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, _) = try await Self.portfolio(database, count: 10)
            let book = LoanBook(database: database)
            let start = book.today().adding(days: -6)
            let target = book.today().adding(days: -1)
            // The lender closed six days ago; five days are missing.
            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: start)
            let saved = try await Self.loanRows(database)

            var random = SplitMix64(seed: 2027)
            var stops = 0
            var run = 0
            while true {
                run += 1
                // Each run is a new process (a new worker); the stopped one's leases are taken over at once.
                let crash = Crash(at: Int(random.next() % 40) + 1)
                let close = EndOfDayClose(
                    database: database, book: book, worker: "w\(run)", partitionSize: 3, chunkSize: 2, leaseSeconds: 0, checkpoint: { try crash.check($0) }
                )
                do {
                    let summary = try await close.close(lenderID: lender, through: target)
                    #expect(summary.closedThrough == target.text)
                    break
                } catch is Crash.Stopped {
                    stops += 1
                }
                #expect(run < 60)
                if run >= 60 { return }
            }
            #expect(stops >= 3)
            let interrupted = try await Self.dump(database, after: start)
            #expect(try await LedgerVerification(database: database, book: book).run().ok)

            // Back to six days ago, and closed again without stopping.
            try await Self.restore(database, lender: lender, after: start, loans: saved)
            _ = try await EndOfDayClose(database: database, book: book, partitionSize: 3, chunkSize: 2).close(lenderID: lender, through: target)
            let straight = try await Self.dump(database, after: start)
            #expect(straight.count > 50)
            #expect(interrupted == straight)
            let days = try await database.withConnection { db in
                try await db.raw("SELECT DISTINCT snapshot_date FROM loan_snapshots ORDER BY snapshot_date").all(decodingColumn: "snapshot_date", as: String.self)
            }
            #expect(days == (0...5).map { start.adding(days: Int64($0)).text })
        }
    }

    @Test("Two workers on one close never close the same loan")
    func twoWorkers() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        try await TestEngine.postgres.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 24)
            let book = LoanBook(database: database)
            let yesterday = book.today().adding(days: -1)
            let first = EndOfDayClose(database: database, book: book, worker: "a", partitionSize: 2, chunkSize: 1, concurrency: 1)
            let second = EndOfDayClose(database: database, book: book, worker: "b", partitionSize: 2, chunkSize: 1, concurrency: 1)
            async let a = first.close(lenderID: lender, through: yesterday)
            async let b = second.close(lenderID: lender, through: yesterday)
            let (one, two) = try await (a, b)
            let (byA, byB) = (one.days.first?.loans ?? 0, two.days.first?.loans ?? 0)
            #expect(byA + byB == loans.count)
            // What each worker says it closed is what the partitions it held record, and every loan has one snapshot.
            let held = try await database.withConnection { db in
                try await db.raw("SELECT worker, CAST(SUM(loans) AS BIGINT) AS n FROM close_partitions GROUP BY worker").all().reduce(into: [String: Int]()) {
                    $0[try $1.decode(column: "worker", as: String.self)] = try $1.decode(column: "n", as: Int.self)
                }
            }
            #expect((held["a"] ?? 0) == byA && (held["b"] ?? 0) == byB)
            let snapshots = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(DISTINCT loan_id) AS n FROM loan_snapshots").first(decodingColumn: "n", as: Int.self)
            }
            #expect(snapshots == loans.count)
            #expect(try await LedgerVerification(database: database, book: book).run().ok)
        }
    }

    @Test("A loan the close cannot compute is recorded as an exception and left out; the others close and the day finishes", arguments: TestEngine.available)
    func exceptions(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 4)
            try await database.withConnection { db in
                try await db.raw("UPDATE loans SET terms = '{\"roto\": true}' WHERE id = \(bind: loans[2])").run()
            }
            let book = LoanBook(database: database)
            let yesterday = book.today().adding(days: -1)
            let summary = try await EndOfDayClose(database: database, book: book, partitionSize: 2, chunkSize: 1).close(lenderID: lender, through: yesterday)
            #expect(summary.closedThrough == yesterday.text && summary.days[0].snapshots == 3)
            #expect(summary.days[0].exceptions.map(\.loanId) == [loans[2]] && summary.days[0].exceptions[0].code == "loan_unreadable")
            #expect(try await Self.snapshot(database, loanID: loans[2], date: yesterday) == nil)
        }
    }

    @Test("A loan that appears after a chunk read as its partition's last (a disbursement landing meanwhile) is found when the chunk is written: the partition is not marked done without it", arguments: TestEngine.available)
    func loanAppearsAfterLastChunk(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 7)
            let book = LoanBook(database: database)
            let yesterday = book.today().adding(days: -1)
            // The loan with the highest id is out of the close's statuses while the chunks are read.
            let late = loans.max()!
            try await database.withConnection { db in try await db.raw("UPDATE loans SET status = \(bind: LoanStatus.approved.rawValue) WHERE id = \(bind: late)").run() }
            let close = EndOfDayClose(database: database, book: book, worker: "w", partitionSize: 100, chunkSize: 3, concurrency: 1)
            let run = try await close.startRun(lenderID: lender, date: yesterday)
            let partition = try #require(try await close.claim(lenderID: lender, date: yesterday, worker: "w"))
            func read(after cursor: String?) async throws -> (EndOfDayClose.ReadChunk, EndOfDayClose.ComputedChunk) {
                let chunk = try await database.withConnection { db in
                    try await close.readChunk(partition, after: cursor, lenderID: lender, date: yesterday, compare: nil, lock: false, on: db)
                }
                return (chunk, close.compute(chunk, lenderID: lender, date: yesterday, run: run, compare: nil))
            }
            func write(after cursor: String?, _ prepared: (EndOfDayClose.ReadChunk, EndOfDayClose.ComputedChunk)) async throws -> EndOfDayClose.Chunk {
                try await database.transaction(isolation: .readCommitted) { db in
                    try await close.writeChunk(
                        partition, after: cursor, prepared: prepared, lenderID: lender, date: yesterday, run: run, compare: nil, worker: "w", on: db
                    )
                }
            }
            let first = try await read(after: nil)
            #expect(first.0.versions.count == 3 && first.0.more)
            let written = try await write(after: nil, first)
            #expect(!written.finished)
            let second = try await read(after: written.last)
            #expect(second.0.versions.count == 3 && !second.0.more)
            // The loan is back (as a disbursement would make it) before the chunk read as the last is written.
            try await database.withConnection { db in
                try await db.raw("UPDATE loans SET status = \(bind: LoanStatus.active.rawValue), row_version = row_version + 1 WHERE id = \(bind: late)").run()
            }
            let rewritten = try await write(after: written.last, second)
            #expect(rewritten.read == 3 && !rewritten.finished)
            let status = try await database.withConnection { db in
                try await db.raw("SELECT status FROM close_partitions WHERE number = \(bind: partition.number)").first(decodingColumn: "status", as: String.self)
            }
            #expect(status == "working")
            // The close goes on from the cursor and closes it too.
            let summary = try await close.close(lenderID: lender, through: yesterday)
            #expect(summary.closedThrough == yesterday.text && summary.days[0].snapshots == 7)
            #expect(try await Self.snapshot(database, loanID: late, date: yesterday) != nil)
        }
    }

    @Test("Snapshot statements: rows whose texts have no quote or backslash are written as literals, the others bound; all read back exactly", arguments: TestEngine.available)
    func snapshotStatements(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 4)
            let book = LoanBook(database: database)
            let day = book.today().adding(days: -1)
            // Safe, unsafe, safe, unsafe: literal runs around bound rows.
            let clients = ["cl_plain", "cl_o'brien", "cl_plain2", #"cl_back\slash'; DROP TABLE loans; --"#]
            var snapshots: [LoanSnapshot] = []
            for (loan, client) in zip(loans, clients) {
                let position = try #require(try await book.position(loan, lenderID: lender, asOf: day).1)
                snapshots.append(LoanSnapshot(position: position, date: day, loanID: loan, clientID: client, productCode: "MENSUAL", restructured: false, buckets: .standard))
            }
            let priorities: [Int64?] = [nil, 7, 123_456_789_012, nil]
            let statements = EndOfDayClose.snapshotStatements(snapshots, priorities: priorities, lenderID: lender)
            #expect(statements.count == 1)
            try await database.transaction { db in for statement in statements { try await db.raw(statement).run() } }
            for (index, snapshot) in snapshots.enumerated() {
                #expect(try await Self.snapshot(database, loanID: snapshot.loanID, date: day) == snapshot)
                let priority = try await database.withConnection { db in
                    try await db.raw("SELECT priority FROM loan_snapshots WHERE loan_id = \(bind: snapshot.loanID) AND snapshot_date = \(bind: day.text)")
                        .first(decodingColumn: "priority", as: Int64?.self)
                }
                #expect(priority == priorities[index])
            }
            #expect(try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM loans").first(decodingColumn: "n", as: Int.self) } ?? 0 >= 4)
            // More than a thousand rows make more than one statement.
            #expect(EndOfDayClose.snapshotStatements(Array(repeating: snapshots[0], count: 2_001), priorities: Array(repeating: nil, count: 2_001), lenderID: lender).count == 3)
        }
    }

    @Test("Catching up days, a loan paid off meanwhile is snapshotted active before its payoff and paid off on that day, then no more", arguments: TestEngine.available)
    func paidOffDuringCatchUp(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, loans) = try await Self.portfolio(database, count: 2)
            let book = LoanBook(database: database)
            let (start, payoff, target) = (book.today().adding(days: -6), book.today().adding(days: -3), book.today().adding(days: -1))
            let close = EndOfDayClose(database: database, book: book)
            _ = try await close.close(lenderID: lender, through: start)
            let owed = try #require(try await book.position(loans[0], lenderID: lender, asOf: payoff).1?.payoffAmount)
            let paid = try await book.pay(loans[0], .init(amount: owed.decimalText, valueDate: payoff.text, channel: .spei, reference: "LIQ-1", excess: .reduceTerm), lenderID: lender, actor: .commandLine)
            #expect(paid.loanStatus == .paidOff)
            _ = try await close.close(lenderID: lender, through: target)
            var statuses: [String] = []
            for offset in 0...5 {
                statuses.append(try await Self.snapshot(database, loanID: loans[0], date: start.adding(days: Int64(offset)))?.status ?? "-")
            }
            #expect(statuses == ["active", "active", "active", "paid_off", "-", "-"])
            #expect(try await LedgerVerification(database: database, book: book).run().ok)
        }
    }

    static func snapshot(_ database: Database, loanID: String, date: CalendarDate) async throws -> LoanSnapshot? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM loan_snapshots WHERE loan_id = \(bind: loanID) AND snapshot_date = \(bind: date.text)").first().map(CollectionReports.snapshot)
        }
    }

    /// Each loan's ledger date, version and last update.
    static func loanRows(_ database: Database) async throws -> [(id: String, ledger: String?, version: Int64, updated: String)] {
        try await database.withConnection { db in
            try await db.raw("SELECT id, ledger_date, row_version, updated_at FROM loans ORDER BY id").all().map {
                (try $0.decode(column: "id", as: String.self), try $0.decode(column: "ledger_date", as: String?.self),
                 try $0.decode(column: "row_version", as: Int64.self), try $0.decode(column: "updated_at", as: String.self))
            }
        }
    }

    /// Everything the close writes after `date`, as text: snapshots, its journal entries and lines, the loans.
    static func dump(_ database: Database, after date: CalendarDate) async throws -> [String] {
        try await database.withConnection { db in
            var lines: [String] = []
            let columns = [
                "lender_id", "snapshot_date", "loan_id", "client_id", "product_code", "disbursed_on", "status", "days_past_due", "bucket", "non_performing",
                "restructured", "principal_outstanding", "overdue_principal", "overdue_interest", "overdue_charges", "amount_due", "installments_overdue", "next_due_date",
            ].map { "CAST(\($0) AS TEXT) AS \($0)" }.joined(separator: ", ")
            for row in try await db.raw(
                "SELECT \(unsafeRaw: columns) FROM loan_snapshots WHERE snapshot_date > \(bind: date.text) ORDER BY snapshot_date, loan_id"
            ).all() {
                lines.append(try row.allColumns.map { column in "\(column)=\(try row.decode(column: column, as: String?.self) ?? "∅")" }.joined(separator: " "))
            }
            for row in try await db.raw(
                """
                SELECT e.id, e.lender_id, e.loan_id, e.kind, e.value_date, e.description, e.posted_at, e.posted_by, CAST(l.line AS TEXT) AS line, l.account, l.loan_id AS line_loan,
                    CAST(l.debit AS TEXT) AS debit, CAST(l.credit AS TEXT) AS credit
                FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.posted_by = 'cierre-diario' AND e.value_date > \(bind: date.text)
                ORDER BY e.id, l.line
                """
            ).all() {
                lines.append(try row.allColumns.map { column in "\(column)=\(try row.decode(column: column, as: String?.self) ?? "∅")" }.joined(separator: " "))
            }
            for row in try await db.raw("SELECT id, status, ledger_date, CAST(row_version AS TEXT) AS v, updated_at FROM loans ORDER BY id").all() {
                lines.append(try row.allColumns.map { column in "\(column)=\(try row.decode(column: column, as: String?.self) ?? "∅")" }.joined(separator: " "))
            }
            return lines
        }
    }

    /// Undoes the close of the days after `date` (test only: a lender never reopens closed days).
    static func restore(_ database: Database, lender: String, after date: CalendarDate, loans: [(id: String, ledger: String?, version: Int64, updated: String)]) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM loan_snapshots WHERE snapshot_date > \(bind: date.text)").run()
            try await db.raw(
                "DELETE FROM journal_lines WHERE entry_id IN (SELECT id FROM journal_entries WHERE posted_by = 'cierre-diario' AND value_date > \(bind: date.text))"
            ).run()
            try await db.raw("DELETE FROM journal_entries WHERE posted_by = 'cierre-diario' AND value_date > \(bind: date.text)").run()
            try await db.raw("DELETE FROM close_partitions WHERE business_date > \(bind: date.text)").run()
            try await db.raw("DELETE FROM close_runs WHERE business_date > \(bind: date.text)").run()
            try await db.raw("UPDATE business_dates SET closed_through = \(bind: date.text) WHERE lender_id = \(bind: lender)").run()
            for loan in loans {
                try await db.raw(
                    "UPDATE loans SET ledger_date = \(bind: loan.ledger), row_version = \(bind: loan.version), updated_at = \(bind: loan.updated) WHERE id = \(bind: loan.id)"
                ).run()
            }
        }
    }
}
