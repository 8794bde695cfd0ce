import App
import CarteraCore
import Foundation
import Lending
import Logging
import SQLKit
import Store
import Synchronization
import CarteraSecurity

/// The end-of-day close of a large portfolio, and the collections dashboard of it (issue 7 targets: 1,000,000 active
/// loans closed in ≤ 60 s on SQLite and ≤ 120 s on PostgreSQL on 2 cores, release; the dashboard in ≤ 200 ms).
///
///     swift run -c release CloseBenchmark [--loans 1000000] [--base 3000] [--database URL] [--keep] [--prepare-only]
///         [--lanes N] [--chunk N]
///
/// `--prepare-only` stops once the portfolio is ready (with `--keep` and a SQLite `--database`, copy that file to
/// time several closes of the same portfolio); `--lanes` and `--chunk` override the close's workers per process (twice
/// the cores) and loans per chunk (1,000).
///
/// A base portfolio is generated through the product path (`DemoPortfolio`, as `cartera generate` does: clients,
/// loans disbursed up to 420 days back, payment histories with 27 % late payers) and closed for day D. Its active loans
/// (their rows, events and day-D snapshots) are then copied under new ids until there are `--loans` of them — every copy
/// is a real loan the close computes in full. The timed part is the close of day D + 1 for all of them; then the
/// dashboard's data for D + 1 compared with D (delinquency by bucket, PAR, IMOR, roll and cure rates, CEI and cash flow),
/// and the collectors' worklist (its top 200 owing accounts).

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[$0 + 1] : nil }
}
let target = option("--loans").flatMap { Int($0) } ?? 1_000_000
let baseClients = option("--base").flatMap { Int($0) } ?? 3_000
let keep = arguments.contains("--keep")
let prepareOnly = arguments.contains("--prepare-only")
let lanes = option("--lanes").flatMap { Int($0) }
let chunk = option("--chunk").flatMap { Int($0) }
let dashboardRuns = option("--dashboard-runs").flatMap { Int($0) } ?? 10
let path = FileManager.default.temporaryDirectory.appendingPathComponent("close-benchmark-\(ProcessInfo.processInfo.processIdentifier).sqlite").path
let url = try DatabaseURL(option("--database") ?? "sqlite://\(path)")

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

/// CPU seconds this process has used (user and system, all threads): steadier than wall time on a shared machine.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func say(_ text: String) {
    FileHandle.standardError.write(Data("\(text)\n".utf8))
}

/// The columns of a table, in order.
func columns(_ table: String, on db: any SQLDatabase) async throws -> [String] {
    if db.dialect.name == "postgresql" {
        return try await db.raw(
            "SELECT column_name FROM information_schema.columns WHERE table_name = \(bind: table) AND table_schema = current_schema() ORDER BY ordinal_position"
        ).all(decodingColumn: "column_name", as: String.self)
    }
    return try await db.raw("SELECT name FROM pragma_table_info(\(bind: table))").all(decodingColumn: "name", as: String.self)
}

say("Opening \(url)…")
var logger = Logger(label: "close-benchmark")
logger.logLevel = .warning
let clock = ContinuousClock()
var database = try await Database.open(url, logger: logger)
try await Migrator(database: database).migrate()
say("Migrated.")
let keys = LiveKeys(KeyRing.generate())
var book = LoanBook(database: database)
let dayD = book.today().adding(days: -3)
let nextDay = dayD.adding(days: 1)
func makeClose(_ database: Database, _ book: LoanBook) -> EndOfDayClose {
    switch (lanes, chunk) {
    case (nil, nil): EndOfDayClose(database: database, book: book)
    case (let lanes?, nil): EndOfDayClose(database: database, book: book, concurrency: lanes)
    case (nil, let chunk?): EndOfDayClose(database: database, book: book, chunkSize: chunk)
    case (let lanes?, let chunk?): EndOfDayClose(database: database, book: book, chunkSize: chunk, concurrency: lanes)
    }
}
var close = makeClose(database, book)

// 1. The base portfolio, through the product path, closed for day D.
let credentials = try await DemoData.seed(database: database, keys: keys, bcryptCost: 4)
let lenderID = try await close.lender(nil as String?)
var started = clock.now
if try await close.closedThrough(lenderID: lenderID) == nil {
    say("Generating \(baseClients) clients with their loans and payment histories (as of \(dayD.text))…")
    _ = try await DemoPortfolio(database: database, keys: keys).seed(lenderID: lenderID, count: baseClients, asOf: dayD, seed: 7)
    _ = try await close.close(lenderID: lenderID, through: dayD)
    say("  done in \(String(format: "%.1f", seconds(clock.now - started))) s; closed \(dayD.text)")
}
_ = credentials

// 2. Copies of the base's active loans, with their events and day-D snapshots, up to the target.
started = clock.now
let active = LoanStatus.active.rawValue
func count(_ query: SQLQueryString) async throws -> Int {
    try await database.withConnection { db in try await db.raw(query).first(decodingColumn: "n", as: Int.self) ?? 0 }
}
// The base loans' ids, read once (generated ids: letters, digits and underscores, so they are written in the statements).
let baseIDs = try await database.withConnection { db in
    try await db.raw(
        """
        SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: active) AND disbursed_on <= \(bind: dayD.text) AND id NOT LIKE '%~%'
        ORDER BY id
        """
    ).all(decodingColumn: "id", as: String.self)
}
guard baseIDs.allSatisfy({ $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }) else {
    say("Unexpected loan ids in the base portfolio; use an empty database.")
    exit(1)
}
let base = baseIDs.count
let existing = try await count("SELECT COUNT(*) AS n FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: active)")
if existing < target {
    guard base > 0 else {
        say("The base portfolio has no active loans to copy: generate a larger one (--base) or use an empty database.")
        exit(1)
    }
    let loanColumns = try await database.withConnection { db in try await columns("loans", on: db) }
    let eventColumns = try await database.withConnection { db in try await columns("loan_events", on: db) }
    let snapshotColumns = try await database.withConnection { db in try await columns("loan_snapshots", on: db) }
    @Sendable func select(_ columns: [String], replacing: [String: String]) -> String {
        columns.map { replacing[$0] ?? $0 }.joined(separator: ", ")
    }
    var copy = (existing - base) / max(base, 1) + 1
    var have = existing
    say("Copying \(base) active loans up to \(target)…")
    while have < target {
        // Up to 40 whole copies per statement (copy numbers from a recursive CTE), then part of one for the rest.
        let whole = min(40, (target - have) / base)
        let copies = max(whole, 1)
        let ids = whole > 0 ? baseIDs : Array(baseIDs.prefix(target - have))
        let list = ids.map { "'\($0)'" }.joined(separator: ", ")
        let numbers = "WITH RECURSIVE k(n) AS (SELECT \(copy) UNION ALL SELECT n + 1 FROM k WHERE n < \(copy + copies - 1))"
        let suffix = "'~' || CAST(k.n AS TEXT)"
        try await database.transaction { db in
            try await db.raw("\(unsafeRaw: """
                \(numbers) INSERT INTO loans (\(loanColumns.joined(separator: ", ")))
                SELECT \(select(loanColumns, replacing: ["id": "id || \(suffix)"])) FROM loans, k WHERE id IN (\(list))
                """)").run()
            try await db.raw("\(unsafeRaw: """
                \(numbers) INSERT INTO loan_events (\(eventColumns.joined(separator: ", ")))
                SELECT \(select(eventColumns, replacing: ["id": "id || \(suffix)", "loan_id": "loan_id || \(suffix)"])) FROM loan_events, k WHERE loan_id IN (\(list))
                """)").run()
            try await db.raw("\(unsafeRaw: """
                \(numbers) INSERT INTO loan_snapshots (\(snapshotColumns.joined(separator: ", ")))
                SELECT \(select(snapshotColumns, replacing: ["loan_id": "loan_id || \(suffix)"])) FROM loan_snapshots, k
                WHERE snapshot_date = '\(dayD.text)' AND loan_id IN (\(list))
                """)").run()
        }
        have += ids.count * copies
        copy += copies
        say("  \(have) loans")
    }
    try await database.withConnection { db in try await db.raw(db.dialect.name == "postgresql" ? "VACUUM ANALYZE" : "ANALYZE").run() }
    say("  copied in \(String(format: "%.1f", seconds(clock.now - started))) s")
}
let activeLoans = try await count("SELECT COUNT(*) AS n FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: active)")
if prepareOnly {
    try await database.shutdown()
    say("Prepared \(activeLoans) active loans, closed through \(dayD.text); stopping before the close (--prepare-only).")
    exit(0)
}

// 3. The timed close of D + 1, on a settled database, as a lender's would be at the end of a day: what preparing it
// wrote is checkpointed into the database file (SQLite: the connections are closed, which empties the write-ahead log;
// PostgreSQL: `CHECKPOINT`) and flushed to disk, then the database is opened again. Closing straight after writing
// gigabytes measured the write-ahead log's and the disk's backlog as much as the close (75 s against 49–52 s at
// 1,000,000 on SQLite, BENCHMARKS.md).
say("Settling the database (checkpoint, sync)…")
if case .sqlite = url {
    try await database.shutdown()
    sync()
    database = try await Database.open(url, logger: logger)
    book = LoanBook(database: database)
    close = makeClose(database, book)
} else {
    try await database.withConnection { db in try await db.raw("CHECKPOINT").run() }
    sync()
}
say("Closing \(nextDay.text) for \(activeLoans) active loans…")
let memoryBefore = peakMemoryMiB()
let cpuBefore = processCPUSeconds()
started = clock.now
let lastShown = Mutex(0)
let summary = try await close.close(lenderID: lenderID, through: nextDay) { _, done, total in
    let show = lastShown.withLock { shown -> Bool in
        guard done - shown >= 50_000 || done == total else { return false }
        shown = done
        return true
    }
    if show { say("  \(done) of \(total)") }
}
let closeSeconds = seconds(clock.now - started)
let closeCPU = processCPUSeconds() - cpuBefore
let closePeak = peakMemoryMiB()
let day = summary.days.last

// 4. The dashboard's data for D + 1, as `/cobranza` reads it: the totals the close kept (compared with the same day a
// month before when that day was closed; here it was not). Then a report against an arbitrary earlier day (D), which
// has no kept movement and is computed from both days' snapshots.
let reports = CollectionReports(database: database)
func timed(_ runs: Int, _ body: () async throws -> Void) async throws -> [Double] {
    var timings: [Double] = []
    for _ in 0..<runs {
        let start = clock.now
        try await body()
        timings.append(seconds(clock.now - start) * 1000)
    }
    return timings.sorted()
}
let dashboard = try await timed(dashboardRuns) { _ = try await reports.delinquency(lenderID: lenderID, date: nextDay) }
let arbitrary = try await timed(max(1, dashboardRuns / 5)) {
    _ = try await reports.delinquency(lenderID: lenderID, date: nextDay, from: dayD)
    _ = try await CollectionEffectiveness.compute(lenderID: lenderID, from: dayD, to: nextDay, database: database)
}
// 5. The collectors' worklist of D + 1: its top 200 accounts, read through the priorities the close stored.
let worklist = CollectionWorklist(database: database, directory: ClientDirectory(database: database, keys: keys), book: book)
let owing = try await worklist.list(lenderID: lenderID).total
let worklistTimes = try await timed(dashboardRuns) { _ = try await worklist.list(lenderID: lenderID) }
try await database.shutdown()
if !keep, case .sqlite = url {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

let engine: String
if case .postgres = url { engine = "PostgreSQL" } else { engine = "SQLite" }
print("engine: \(engine)")
print("loans closed: \(day?.loans ?? 0) (snapshots \(day?.snapshots ?? 0), accrual entries \(day?.accruals ?? 0), exceptions \(day?.exceptions.count ?? 0))")
print(String(format: "close of %@: %.1f s = %.0f loans/s; CPU %.1f s (%.0f %%); peak memory %.0f MiB (%.0f MiB before the close)", nextDay.text, closeSeconds,
             Double(day?.loans ?? 0) / closeSeconds, closeCPU, closeCPU / closeSeconds * 100, closePeak, memoryBefore))
print(String(format: "dashboard (delinquency from the close's totals), %d runs: p50 %.1f ms, max %.1f ms", dashboard.count, dashboard[dashboard.count / 2], dashboard.last ?? 0))
print(String(format: "report against an arbitrary earlier day (rolls, cures, CEI and cash flow from the snapshots), %d runs: p50 %.1f ms", arbitrary.count, arbitrary[arbitrary.count / 2]))
print(String(format: "worklist (top 200 of %d owing loans), %d runs: p50 %.1f ms, max %.1f ms", owing, worklistTimes.count, worklistTimes[worklistTimes.count / 2], worklistTimes.last ?? 0))
