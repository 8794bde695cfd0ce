import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Lending
import LoanCollections
import SQLKit
import Store
import Synchronization

/// The end-of-day close (cierre diario). A lender's business date is the last day it closed, apart from the clock;
/// closing a day, for every active loan disbursed by then: accrues ordinary interest as installments fall due, charges
/// moratorium interest and late fees with their IVA, moves the loan to cartera vencida by its rule — all as the loan's
/// replay says, posted as one accrual entry through the journal — and writes the day's snapshot row (days past due,
/// bucket, balances). Missed days are closed one by one, in order.
///
/// Safe to stop at any point and run again, on one instance or many: a day's loans are split into partitions that
/// workers claim under a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`); each chunk of loans is closed in one transaction
/// (accrual entries, the loans' ledger dates, their snapshots and the partition's lease together), a loan with a
/// snapshot for the day is done, and every entry the close writes is named by loan and day and dated at the end of
/// the business day — so a rerun after a crash writes exactly what an uninterrupted close would have.
public struct EndOfDayClose: Sendable {
    let database: Database
    let book: LoanBook
    /// This process, as the holder of partition leases.
    let worker: String
    let partitionSize: Int
    let chunkSize: Int
    let leaseSeconds: Int64
    /// How many partitions this process closes at once (each by its own worker name, `worker/n`): by default twice
    /// the cores, so that while one lane waits on the database (SQLite's one writer, PostgreSQL's round trips) another
    /// computes (BENCHMARKS.md).
    let concurrency: Int
    /// Called at named points of the work (tests stop the close there, as a crash would).
    let checkpoint: @Sendable (String) throws -> Void

    public init(
        database: Database, book: LoanBook, worker: String = EndOfDayClose.processWorker, partitionSize: Int = 2_000, chunkSize: Int = 1_000,
        leaseSeconds: Int64 = 120, concurrency: Int = 2 * ProcessInfo.processInfo.activeProcessorCount,
        checkpoint: @escaping @Sendable (String) throws -> Void = { _ in }
    ) {
        self.database = database
        self.book = book
        self.worker = worker
        self.partitionSize = max(1, partitionSize)
        self.chunkSize = max(1, chunkSize)
        self.leaseSeconds = leaseSeconds
        self.concurrency = max(1, concurrency)
        self.checkpoint = checkpoint
    }

    /// A name for this process among the instances sharing the database.
    public static let processWorker = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(APIClients.randomHex(bytes: 4))"

    /// Who the close acts as in the journal.
    static let actor = "cierre-diario"

    /// One day closed.
    public struct Day: Sendable, Encodable, Equatable {
        public let date: String
        /// Loans closed by this call (others may have been closed by another worker or an earlier run).
        public let loans: Int
        /// Accrual entries this call posted.
        public let accruals: Int
        /// Loans with a snapshot for the day when it finished.
        public let snapshots: Int
        /// Loans the close could not compute: no snapshot, no accrual; the day is closed without them.
        public let exceptions: [Exception]
    }

    /// A loan the close could not compute, and why.
    public struct Exception: Sendable, Encodable, Equatable {
        public let loanId: String
        public let code: String
        public let message: String
    }

    /// What a close did.
    public struct Summary: Sendable, Encodable, Equatable {
        public let lenderId: String
        /// The business date before and after.
        public let closedThroughBefore: String?
        public let closedThrough: String?
        public let days: [Day]
    }

    /// Progress of a close: the day being closed, loans closed that day so far, and the day's loans.
    public typealias Progress = @Sendable (_ date: CalendarDate, _ done: Int, _ total: Int) -> Void

    /// Closes every day after the lender's business date through `target` (only `target` when the lender never closed).
    public func close(lenderID: String, through target: CalendarDate, progress: Progress? = nil) async throws -> Summary {
        guard target < book.today() else {
            throw APIError(
                status: .unprocessableContent, code: "close_date_not_over",
                message: "No se puede cerrar el \(target.text): el día aún no termina. Cierre hasta ayer (\(book.today().adding(days: -1).text)) como máximo."
            )
        }
        let before = try await closedThrough(lenderID: lenderID)
        // After the business date; the first time, the target — or a first close that was started and stopped.
        let stopped = try await unfinished(lenderID: lenderID)
        var day = before.map { $0.adding(days: 1) } ?? stopped.map { min($0, target) } ?? target
        var days: [Day] = []
        while day <= target {
            days.append(try await closeDay(lenderID: lenderID, date: day, progress: progress))
            day = day.adding(days: 1)
        }
        return Summary(lenderId: lenderID, closedThroughBefore: before?.text, closedThrough: try await closedThrough(lenderID: lenderID)?.text, days: days)
    }

    /// The first day of a close that started and did not finish (only before the lender's first finished close).
    func unfinished(lenderID: String) async throws -> CalendarDate? {
        try await database.withConnection { db in
            try await db.raw("SELECT MIN(business_date) AS d FROM close_runs WHERE lender_id = \(bind: lenderID) AND status = 'running'")
                .first(decodingColumn: "d", as: String?.self)?.flatMap(CalendarDate.init(text:))
        }
    }

    /// The last day the lender closed; nil before its first close.
    public func closedThrough(lenderID: String) async throws -> CalendarDate? {
        try await database.withConnection { db in
            try await db.raw("SELECT closed_through FROM business_dates WHERE lender_id = \(bind: lenderID)")
                .first(decodingColumn: "closed_through", as: String.self).flatMap(CalendarDate.init(text:))
        }
    }

    /// Closes one day: the run and its partitions are made once (by whichever worker comes first), then partitions
    /// are claimed and closed until none is left; the worker that sees the last one done finishes the day.
    func closeDay(lenderID: String, date: CalendarDate, progress: Progress?) async throws -> Day {
        let run = try await startRun(lenderID: lenderID, date: date)
        let total = run.loans
        // Roll and cure rates are kept against the same day a month before, when that day was closed.
        let monthBefore = date.adding(months: -1)
        let compare = try await isClosed(lenderID: lenderID, date: monthBefore) ? monthBefore : nil
        let closed = ClosedCount()
        // Partitions are closed `concurrency` at a time, each loop under its own worker name: they share the day as
        // separate processes would.
        var (loans, accruals) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for lane in 0..<concurrency {
                let worker = concurrency == 1 ? self.worker : "\(self.worker)/\(lane)"
                group.addTask {
                    var loans = 0
                    var accruals = 0
                    while let partition = try await claim(lenderID: lenderID, date: date, worker: worker) {
                        try checkpoint("partition.claimed")
                        accruals += try await closePartition(partition, lenderID: lenderID, date: date, run: run, compare: compare, worker: worker) { chunkLoans in
                            loans += chunkLoans
                            let done = closed.count.withLock { value in
                                value += chunkLoans
                                return value
                            }
                            progress?(date, done, total)
                        }
                    }
                    return (loans, accruals)
                }
            }
            return try await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        // Other workers (other processes) may hold the remaining partitions: wait for them (or for their leases to
        // run out, and take them over).
        while try await !finishRun(lenderID: lenderID, date: date, compare: compare) {
            try await Task.sleep(for: .milliseconds(250))
            while let partition = try await claim(lenderID: lenderID, date: date, worker: worker) {
                accruals += try await closePartition(partition, lenderID: lenderID, date: date, run: run, compare: compare, worker: worker) { chunkLoans in
                    loans += chunkLoans
                    progress?(date, closed.count.withLock { value in
                        value += chunkLoans
                        return value
                    }, total)
                }
            }
        }
        let (snapshots, exceptions) = try await database.withConnection { db in
            let counts = try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(loans), 0) AS BIGINT) AS n FROM close_partitions
                WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text)
                """
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            let exceptions = try await db.raw(
                "SELECT loan_id, code, message FROM close_exceptions WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) ORDER BY loan_id"
            ).all().map {
                Exception(loanId: try $0.decode(column: "loan_id", as: String.self), code: try $0.decode(column: "code", as: String.self), message: try $0.decode(column: "message", as: String.self))
            }
            return (counts, exceptions)
        }
        return Day(date: date.text, loans: loans, accruals: accruals, snapshots: snapshots, exceptions: exceptions)
    }

    /// The instant the close's entries are dated: the last millisecond of the business day in Mexico City (UTC−6).
    static func closingInstant(_ date: CalendarDate) -> Timestamp {
        Timestamp(millisecondsSince1970: (date.daysSince1970 + 1) * 86_400_000 + 6 * 3_600_000 - 1)
    }
}

extension EndOfDayClose {
    /// Whether `date` was closed for the lender (its run finished).
    public func isClosed(lenderID: String, date: CalendarDate) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT status FROM close_runs WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND status = 'done'"
            ).first() != nil
        }
    }

    /// The lender `requested` names, or the only one (for the command line).
    public func lender(_ requested: String?) async throws -> String {
        try await database.withConnection { db in try await Administration.resolveLender(requested, on: db) }
    }
}

/// Loans closed so far in a day, across the close's concurrent workers (for progress).
final class ClosedCount: Sendable {
    let count = Mutex(0)
}
