import CarteraCore
import Foundation
import HTTPTypes
import Lending
import LoanCollections
import SQLKit
import Store

extension EndOfDayClose {
    /// A range of loan ids of one day's close: from `first` (inclusive) up to `next` (exclusive; nil: no end).
    struct Partition: Sendable {
        let number: Int
        let first: String
        let next: String?
        /// The last loan closed (the partition was started before and stopped).
        var cursor: String?
    }

    /// The partition was taken over by another worker (this one's lease ran out): its chunk is rolled back.
    struct LeaseLost: Error {}

    /// A day's run as it was started: how many loans it has, the buckets it closes with and how it ranks owing loans
    /// for the worklist (nil for a run started before the close ranked them) — all fixed when the run starts, so a rerun
    /// closes the day the same way.
    struct Run: Sendable {
        let loans: Int
        let buckets: DelinquencyBuckets
        let ranking: WorklistRanking?
    }

    /// Makes the day's run and its partitions unless another worker already did.
    func startRun(lenderID: String, date: CalendarDate) async throws -> Run {
        if let run = try await run(lenderID: lenderID, date: date) { return run }
        let now = book.clock()
        let (worker, size) = (self.worker, partitionSize)
        // The partition boundaries, read outside the write transaction (a loan disbursed meanwhile still falls in one:
        // the first partition starts before every id and the last has no end).
        let (ids, loans, buckets, model) = try await database.withConnection { db in
            let ids = try await db.raw(
                "SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue) ORDER BY id"
            ).all(decodingColumn: "id", as: String.self)
            let loans = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue)
                    AND disbursed_on <= \(bind: date.text)
                """
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            return (ids, loans, try await CollectionSettings.buckets(lenderID: lenderID, on: db), try await RollRiskTraining.latest(lenderID: lenderID, on: db)?.version ?? 0)
        }
        let starts = [""] + stride(from: size, to: ids.count, by: size).map { ids[$0] }
        let bucketsJSON = String(decoding: try JSONEncoder().encode(buckets), as: UTF8.self)
        try await database.transaction { db in
            let created = try await db.raw(
                """
                INSERT INTO close_runs (lender_id, business_date, status, partitions, buckets, loans, priority_model, started_at, started_by)
                VALUES (\(bind: lenderID), \(bind: date.text), 'running', \(bind: starts.count), \(bind: bucketsJSON), \(bind: loans), \(bind: model), \(bind: now.text), \(bind: worker))
                ON CONFLICT (lender_id, business_date) DO NOTHING RETURNING status
                """
            ).all()
            guard created.count == 1 else { return }
            let rows = starts.enumerated().map { number, first -> SQLQueryString in
                let next = number + 1 < starts.count ? starts[number + 1] : nil
                return "(\(bind: lenderID), \(bind: date.text), \(bind: number), \(bind: first), \(bind: next), 'pending', 0, 0)"
            }
            for start in stride(from: 0, to: rows.count, by: 500) {
                try await db.raw(
                    """
                    INSERT INTO close_partitions (lender_id, business_date, number, first_loan_id, next_loan_id, status, loans, accruals)
                    VALUES \(rows[start..<min(start + 500, rows.count)].joined(separator: ", "))
                    """
                ).run()
            }
        }
        try checkpoint("run.started")
        guard let run = try await run(lenderID: lenderID, date: date) else { throw StoreError.busy(detail: "close run of \(date.text) not found after it was made") }
        return run
    }

    /// The day's run as it was started; nil before it starts.
    func run(lenderID: String, date: CalendarDate) async throws -> Run? {
        try await database.withConnection { db in
            guard let row = try await db.raw(
                "SELECT loans, buckets, priority_model FROM close_runs WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text)"
            ).first() else { return nil }
            let buckets = try JSONDecoder().decode(DelinquencyBuckets.self, from: Data(try row.decode(column: "buckets", as: String.self).utf8))
            var ranking: WorklistRanking?
            if let version = try row.decode(column: "priority_model", as: Int?.self) {
                if version == 0 {
                    ranking = WorklistRanking(modelVersion: 0, model: nil)
                } else {
                    // Models are never deleted; a run naming a missing one was copied from another database.
                    guard let model = try await RollRiskTraining.model(lenderID: lenderID, version: version, on: db) else {
                        throw APIError(
                            status: .internalServerError, code: "close_model_missing",
                            message: "El cierre del \(date.text) se inició con el modelo de riesgo versión \(version), que ya no existe. Restaure la base de datos o consulte a soporte."
                        )
                    }
                    ranking = WorklistRanking(modelVersion: version, model: model)
                }
            }
            return Run(loans: try row.decode(column: "loans", as: Int.self), buckets: buckets, ranking: ranking)
        }
    }

    /// Takes the next partition nobody holds (or whose holder's lease ran out, or this worker's own from before a
    /// restart), under a lease. PostgreSQL skips the rows other workers are claiming at that moment.
    func claim(lenderID: String, date: CalendarDate, worker: String) async throws -> Partition? {
        let now = book.clock()
        let until = now.adding(seconds: leaseSeconds)
        return try await database.transaction(isolation: .readCommitted) { db in
            let skipLocked: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
            return try await db.raw(
                """
                UPDATE close_partitions SET status = 'working', worker = \(bind: worker), lease_until = \(bind: until.text)
                WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND number = (
                    SELECT number FROM close_partitions
                    WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text)
                        AND (status = 'pending' OR (status = 'working' AND (lease_until < \(bind: now.text) OR worker = \(bind: worker))))
                    ORDER BY number LIMIT 1\(skipLocked))
                RETURNING number, first_loan_id, next_loan_id, cursor_loan_id
                """
            ).first().map { row in
                Partition(
                    number: try row.decode(column: "number", as: Int.self), first: try row.decode(column: "first_loan_id", as: String.self),
                    next: try row.decode(column: "next_loan_id", as: String?.self), cursor: try row.decode(column: "cursor_loan_id", as: String?.self)
                )
            }
        }
    }

    /// Marks the day closed when every partition is done (and moves the business date); false while some are not.
    func finishRun(lenderID: String, date: CalendarDate, compare: CalendarDate?) async throws -> Bool {
        let now = book.clock()
        // Read committed: workers finishing at the same moment both see every partition done and write the same thing.
        return try await database.transaction(isolation: .readCommitted) { db in
            let open = try await db.raw(
                "SELECT COUNT(*) AS n FROM close_partitions WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND status <> 'done'"
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            guard open == 0 else { return false }
            var totals: DelinquencyTotals? = DelinquencyTotals(date: date, comparedWith: compare)
            for row in try await db.raw(
                "SELECT loans, totals FROM close_partitions WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text)"
            ).all() {
                if let part = try Self.totals(try row.decode(column: "totals", as: String?.self)) {
                    totals?.merge(part)
                } else if try row.decode(column: "loans", as: Int.self) > 0 {
                    // A partition closed before the close kept totals: the day's are left out (reports read its snapshots).
                    totals = nil
                }
            }
            try await db.raw(
                """
                UPDATE close_runs SET status = 'done', finished_at = \(bind: now.text), totals = \(bind: try totals.map(Self.json))
                WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND status = 'running'
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO business_dates (lender_id, closed_through, updated_at) VALUES (\(bind: lenderID), \(bind: date.text), \(bind: now.text))
                ON CONFLICT (lender_id) DO UPDATE SET closed_through = excluded.closed_through, updated_at = excluded.updated_at
                WHERE business_dates.closed_through < excluded.closed_through
                """
            ).run()
            return true
        }
    }

    /// Closes a partition chunk by chunk; returns the accrual entries posted. Stops quietly when another worker took
    /// the partition over.
    ///
    /// Each chunk is read and computed outside any write transaction (so workers compute in parallel, and SQLite's one
    /// writer is held only to write), then written in one transaction that first renews the lease and checks, with the
    /// loans locked (PostgreSQL: `FOR UPDATE`), that the chunk still holds the same loans at the same versions; when
    /// anything changed meanwhile (a payment, a reversal) the chunk is read and computed again inside that transaction.
    func closePartition(
        _ partition: Partition, lenderID: String, date: CalendarDate, run: Run, compare: CalendarDate?, worker: String,
        chunkDone: (Int) -> Void
    ) async throws -> Int {
        var accruals = 0
        var cursor = partition.cursor
        while true {
            try checkpoint("chunk.start")
            let after = cursor
            let read = try await database.withConnection { db in
                try await readChunk(partition, after: after, lenderID: lenderID, date: date, compare: compare, lock: false, on: db)
            }
            let computed = compute(read, lenderID: lenderID, date: date, run: run, compare: compare)
            let chunk: Chunk
            do {
                // Read committed, with the chunk's loans locked: the lease keeps other workers off the partition, so
                // a serializable snapshot would only make workers on other partitions conflict over nothing.
                chunk = try await database.transaction(isolation: .readCommitted) { db in
                    try await writeChunk(
                        partition, after: after, prepared: (read, computed), lenderID: lenderID, date: date, run: run, compare: compare, worker: worker,
                        on: db
                    )
                }
            } catch is LeaseLost {
                return accruals
            }
            try checkpoint("chunk.committed")
            accruals += chunk.accruals
            if chunk.closed > 0 { chunkDone(chunk.closed) }
            if chunk.finished { break }
            cursor = chunk.last
        }
        try checkpoint("partition.done")
        return accruals
    }

    /// What one chunk did: loans read, closed (snapshot written), accrual entries posted, the last loan read, and
    /// whether it was the partition's last (the partition was marked done with it).
    struct Chunk: Sendable {
        let read: Int
        let closed: Int
        let accruals: Int
        let last: String?
        let finished: Bool
    }

    /// A chunk's loans as read: each loan's id and version (in order), the readable ones with their events, and the
    /// ones that could not be read.
    struct ReadChunk: Sendable {
        let versions: [LoanVersion]
        /// Whether the partition has loans after this chunk (false: the chunk is its last).
        let more: Bool
        let loans: [ClosingLoan]
        let events: [String: [LoanEvent]]
        let unreadable: [(loan: String, code: String, message: String)]
        /// The loans' snapshots of the day the close compares with (a month before), by loan.
        let earlier: [String: LoanSnapshot]
    }

    struct LoanVersion: Sendable, Equatable {
        let id: String
        let version: Int64
    }

    /// A chunk computed: its accrual entries, the loans whose ledger date moves, their snapshots, and the loans that
    /// could not be computed.
    struct ComputedChunk: Sendable {
        var postings: [Journal.Posting] = []
        var advanced: [(id: String, version: Int64)] = []
        var snapshots: [LoanSnapshot] = []
        /// Each snapshot's worklist priority (nil: owes nothing, or the run does not rank).
        var priorities: [Int64?] = []
        var exceptions: [(loan: String, code: String, message: String)] = []
        var totals: DelinquencyTotals
        /// The statements that write `snapshots` (`EndOfDayClose.snapshotStatements`) and `postings` (`Journal.statements`).
        var snapshotStatements: [SQLQueryString] = []
        var journalStatements: [SQLQueryString] = []
    }

    /// The loans a day's close looks at: active ones, and those that ended (paid off, written off, restructured) on
    /// or after the day — they were active on it.
    static let statuses: [LoanStatus] = [.active, .paidOff, .writtenOff, .restructured]

    /// The condition that picks a chunk's loans: the partition's range after the cursor, the statuses the close looks
    /// at, disbursed by the day.
    func chunkFilter(_ partition: Partition, after cursor: String?, lenderID: String, date: CalendarDate) -> SQLQueryString {
        let upper: SQLQueryString = partition.next.map { " AND l.id < \(bind: $0)" } ?? ""
        let after: SQLQueryString = cursor.map { " AND l.id > \(bind: $0)" } ?? ""
        let statuses = SQLList(Self.statuses.map { SQLBind($0.rawValue) })
        return """
            l.lender_id = \(bind: lenderID) AND l.id >= \(bind: partition.first)\(upper)\(after) AND l.status IN (\(statuses))
                AND l.disbursed_on <= \(bind: date.text) AND (l.status = \(bind: LoanStatus.active.rawValue) OR l.ledger_date >= \(bind: date.text))
            """
    }

    /// Reads the next chunk of a partition's loans after `cursor`, with their events (locked on PostgreSQL when `lock`),
    /// and whether the partition has loans after it (one more row is asked for; only its id is looked at).
    func readChunk(
        _ partition: Partition, after cursor: String?, lenderID: String, date: CalendarDate, compare: CalendarDate?, lock: Bool, on db: any SQLDatabase
    ) async throws -> ReadChunk {
        let forUpdate: SQLQueryString = lock && db.dialect.name == "postgresql" ? " FOR UPDATE OF l" : ""
        let rows = try await db.raw(
            """
            SELECT \(ClosingLoan.columns) FROM loans l WHERE \(chunkFilter(partition, after: cursor, lenderID: lenderID, date: date))
            ORDER BY l.id LIMIT \(bind: chunkSize + 1)\(forUpdate)
            """
        ).all()
        var versions: [LoanVersion] = []
        var loans: [ClosingLoan] = []
        var unreadable: [(loan: String, code: String, message: String)] = []
        for row in rows.prefix(chunkSize) {
            let id = try row.decode(column: "id", as: String.self)
            versions.append(LoanVersion(id: id, version: try row.decode(column: "row_version", as: Int64.self)))
            do { loans.append(try ClosingLoan(row, terms: book.cache)) } catch {
                unreadable.append((id, "loan_unreadable", "El crédito \(id) no se pudo leer: \(error)"))
            }
        }
        var events: [String: [LoanEvent]] = [:]
        if !loans.isEmpty {
            // One text per loan (see `LoanEventRows`).
            let ids = SQLList(loans.map { SQLBind($0.id) })
            for row in try await db.raw(LoanEventRows.query(ids, on: db)).all() {
                let loan = try row.decode(column: "loan_id", as: String.self)
                guard let parsed = LoanEventRows.parse(try row.decode(column: "events", as: String.self)) else {
                    // Left out of the day as an exception, like a loan whose terms cannot be read.
                    unreadable.append((loan, "loan_events_unreadable", "Los movimientos del crédito \(loan) no se pudieron leer. Revise el crédito (cartera ledger verify)."))
                    loans.removeAll { $0.id == loan }
                    continue
                }
                events[loan] = parsed
            }
        }
        var earlier: [String: LoanSnapshot] = [:]
        if let compare, !loans.isEmpty {
            let ids = SQLList(loans.map { SQLBind($0.id) })
            for row in try await db.raw(
                "SELECT \(CollectionReports.snapshotColumns) FROM loan_snapshots WHERE lender_id = \(bind: lenderID) AND snapshot_date = \(bind: compare.text) AND loan_id IN (\(ids))"
            ).all() {
                let snapshot = try CollectionReports.snapshot(row)
                earlier[snapshot.loanID] = snapshot
            }
        }
        return ReadChunk(versions: versions, more: rows.count > chunkSize, loans: loans, events: events, unreadable: unreadable, earlier: earlier)
    }

    /// Closes the chunk's loans in memory: positions, accrual entries, ledger dates, snapshots (and the statements that
    /// write them).
    func compute(_ read: ReadChunk, lenderID: String, date: CalendarDate, run: Run, compare: CalendarDate?) -> ComputedChunk {
        let instant = Self.closingInstant(date)
        var result = ComputedChunk(exceptions: read.unreadable, totals: DelinquencyTotals(date: date, comparedWith: compare))
        for loan in read.loans {
            guard let terms = loan.terms else {
                result.exceptions.append((loan.id, "loan_without_terms", "El crédito \(loan.id) no tiene condiciones de disposición."))
                continue
            }
            let position: LoanPosition
            let posting: Journal.Posting?
            do {
                (position, posting) = try Self.close(loan, terms: terms, events: (read.events[loan.id] ?? []).filter { $0.valueDate <= date }, date: date, at: instant)
            } catch let error as APIError {
                result.exceptions.append((loan.id, error.code, error.message))
                continue
            } catch {
                result.exceptions.append((loan.id, "close_loan_failed", "El cierre del \(date.text) no pudo calcular el crédito \(loan.id): \(error)"))
                continue
            }
            // The ledger date moves with an accrual entry. A day with nothing to post leaves the loan's row as it is: its
            // journal already equals its position on that day, and rewriting every loan's row each day was most of the
            // close's writing (BENCHMARKS.md).
            if let posting {
                result.postings.append(posting)
                result.advanced.append((loan.id, loan.rowVersion))
            }
            let snapshot = LoanSnapshot(
                position: position, date: date, loanID: loan.id, clientID: loan.clientID, productCode: loan.productCode,
                restructured: loan.restructured, buckets: run.buckets
            )
            result.snapshots.append(snapshot)
            result.priorities.append(run.ranking?.priority(snapshot))
            result.totals.add(snapshot)
            if let earlier = read.earlier[loan.id] { result.totals.movement?.add(earlier: earlier, now: snapshot) }
            if terms.disbursementDate == date { result.totals.disbursed += terms.amount.minorUnits }
            for installment in terms.schedule where installment.dueDate == date { result.totals.scheduled += installment.payment.minorUnits }
            var completed: Set<Int> = []
            for event in read.events[loan.id] ?? [] where event.valueDate == date {
                guard case .payment(let amount, _) = event.kind else { continue }
                result.totals.collected += amount.minorUnits
                for line in position.allocations[event.id] ?? [] { if let number = line.installment { completed.insert(number) } }
            }
            // Installments a payment of the day finished after their due date: how late they were collected.
            for installment in position.installments where completed.contains(installment.number) && installment.dueDate < date && installment.remainingRegular.isZero {
                result.totals.addLatePayment(days: Int(date.daysSince1970 - installment.dueDate.daysSince1970), amount: installment.scheduledPayment.minorUnits)
            }
        }
        result.snapshotStatements = Self.snapshotStatements(result.snapshots, priorities: result.priorities, lenderID: lenderID)
        result.journalStatements = Journal.statements(result.postings)
        return result
    }

    /// Writes a chunk in the caller's transaction: the lease is renewed first (a worker that lost it stops,
    /// `LeaseLost`, before touching anything; one taking over waits for the chunk in progress), the chunk's loans are
    /// locked and checked against what was read (computed again here if anything changed, or if loans now follow a chunk
    /// read as the partition's last), then their accrual entries, ledger dates, snapshots, the loans that could not be
    /// computed (as exceptions, so one bad loan never stops the day), and the partition's cursor — and, with its last
    /// chunk, the partition is marked done in the same transaction.
    func writeChunk(
        _ partition: Partition, after cursor: String?, prepared: (read: ReadChunk, computed: ComputedChunk), lenderID: String, date: CalendarDate,
        run: Run, compare: CalendarDate?, worker: String, on db: any SQLDatabase
    ) async throws -> Chunk {
        let key: SQLQueryString = "lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND number = \(bind: partition.number)"
        let renewed = try await db.raw(
            """
            UPDATE close_partitions SET lease_until = \(bind: book.clock().adding(seconds: leaseSeconds).text)
            WHERE \(key) AND worker = \(bind: worker) AND status = 'working'
            RETURNING cursor_loan_id, totals
            """
        ).all()
        guard let lease = renewed.first, try lease.decode(column: "cursor_loan_id", as: String?.self) == cursor else { throw LeaseLost() }
        var totals = try Self.totals(try lease.decode(column: "totals", as: String?.self)) ?? DelinquencyTotals(date: date, comparedWith: compare)
        let forUpdate: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE OF l" : ""
        let current = try await db.raw(
            """
            SELECT l.id, l.row_version FROM loans l WHERE \(chunkFilter(partition, after: cursor, lenderID: lenderID, date: date))
            ORDER BY l.id LIMIT \(bind: chunkSize + 1)\(forUpdate)
            """
        ).all().map { LoanVersion(id: try $0.decode(column: "id", as: String.self), version: try $0.decode(column: "row_version", as: Int64.self)) }
        var (read, computed) = prepared
        if Array(current.prefix(chunkSize)) != read.versions || (current.count > chunkSize) != read.more {
            // A loan of the chunk changed after it was read, or loans now follow a chunk read as the last: read (locked)
            // and compute it again.
            read = try await readChunk(partition, after: cursor, lenderID: lenderID, date: date, compare: compare, lock: true, on: db)
            computed = compute(read, lenderID: lenderID, date: date, run: run, compare: compare)
        }
        try checkpoint("chunk.computed")
        for statement in computed.journalStatements { try await db.raw(statement).run() }
        let instant = Self.closingInstant(date)
        if !computed.advanced.isEmpty {
            let values = computed.advanced.map { "(\(bind: $0.id), \(bind: date.text), \(bind: instant.text), \(bind: $0.version))" as SQLQueryString }
            let updated = try await db.raw(
                """
                UPDATE loans SET ledger_date = v.column2, row_version = loans.row_version + 1, updated_at = v.column3
                FROM (VALUES \(values.joined(separator: ", "))) AS v
                WHERE loans.id = v.column1 AND loans.row_version = CAST(v.column4 AS BIGINT)
                RETURNING loans.id
                """
            ).all()
            // Checked in this transaction, so nothing can have changed them; if it ever did, nothing of the chunk is kept.
            guard updated.count == computed.advanced.count else { throw StoreError.busy(detail: "loans changed during the close of \(date.text)") }
        }
        for statement in computed.snapshotStatements { try await db.raw(statement).run() }
        if !computed.exceptions.isEmpty {
            let values = computed.exceptions.map { "(\(bind: lenderID), \(bind: date.text), \(bind: $0.loan), \(bind: $0.code), \(bind: String($0.message.prefix(500))))" as SQLQueryString }
            try await db.raw(
                "INSERT INTO close_exceptions (lender_id, business_date, loan_id, code, message) VALUES \(values.joined(separator: ", "))"
            ).run()
        }
        let last = read.versions.last?.id
        let done: SQLQueryString = "status = 'done', lease_until = NULL, finished_at = \(bind: book.clock().text)"
        if let last {
            totals.merge(computed.totals)
            try await db.raw(
                """
                UPDATE close_partitions SET cursor_loan_id = \(bind: last), loans = loans + \(bind: computed.snapshots.count),
                    accruals = accruals + \(bind: computed.postings.count), totals = \(bind: try Self.json(totals))\(read.more ? "" : ", \(done)" as SQLQueryString)
                WHERE \(key)
                """
            ).run()
        } else if !read.more {
            try await db.raw("UPDATE close_partitions SET \(done) WHERE \(key)").run()
        }
        try checkpoint("chunk.written")
        return Chunk(read: read.versions.count, closed: computed.snapshots.count, accruals: computed.postings.count, last: last, finished: !read.more)
    }

    /// A loan at the end of `date`: its position, and the accrual entry from its ledger date when that is earlier
    /// (named by loan and day, dated at the end of the business day).
    static func close(
        _ loan: ClosingLoan, terms: LoanTerms, events: [LoanEvent], date: CalendarDate, at instant: Timestamp
    ) throws -> (LoanPosition, Journal.Posting?) {
        do {
            guard let ledger = loan.ledgerDate, ledger < date else {
                return (try LoanReplay.replaying(terms: terms, events: events, through: date).result, nil)
            }
            // Closed on in place from the ledger date (a copy would copy the installments too).
            var replay = try LoanReplay.replaying(terms: terms, events: events, through: ledger)
            let before = replay.result.ledgerBalances()
            try replay.close(through: date)
            let position = replay.result
            let lines = Journal.difference(from: before, to: position.ledgerBalances(), loanID: loan.id)
            guard !lines.isEmpty else { return (position, nil) }
            let posting = try Journal.Posting(
                Journal.Draft(
                    lenderID: loan.lenderID, loanID: loan.id, eventID: nil, kind: "accrual", valueDate: date,
                    description: "Cierre del \(date.text): devengo del crédito \(loan.id)", lines: lines
                ),
                at: instant, by: actor, id: "je_eod_\(loan.id)_\(date.text.replacingOccurrences(of: "-", with: ""))"
            )
            return (position, posting)
        } catch let error as LoanReplayError {
            throw APIError(
                status: .internalServerError, code: "close_loan_failed",
                message: "El cierre del \(date.text) no pudo calcular el crédito \(loan.id): \(error.message). Revise el crédito y vuelva a ejecutar el cierre."
            )
        }
    }

    static func totals(_ text: String?) throws -> DelinquencyTotals? {
        guard let text else { return nil }
        return try JSONDecoder().decode(DelinquencyTotals.self, from: Data(text.utf8))
    }

    static func json(_ totals: DelinquencyTotals) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(totals), as: UTF8.self)
    }

    /// The statements that write a chunk's snapshots, a thousand rows each, made while computing the chunk (the single
    /// SQLite writer only runs them). Texts that qualify as `SQLTextLiteral`s (ids, codes, statuses and bucket codes, in
    /// practice always) are written as literals, and so are the dates, integers and flags, formatted here byte by byte
    /// from typed values; a row with any other text is bound. Encoding binds was most of the cost of writing snapshots:
    /// twenty per row at first, and still a tenth of the writer's time at six.
    static func snapshotStatements(_ snapshots: [LoanSnapshot], priorities: [Int64?], lenderID: String) -> [SQLQueryString] {
        var statements: [SQLQueryString] = []
        for start in stride(from: 0, to: snapshots.count, by: 1_000) {
            let end = min(start + 1_000, snapshots.count)
            var values: SQLQueryString = ""
            var row = SQLValuesText(capacity: 256 * (end - start))
            for index in start..<end {
                let s = snapshots[index]
                if index > start { row.append(", ") }
                let texts = [lenderID, s.loanID, s.clientID, s.productCode, s.status, s.bucket]
                if texts.allSatisfy(SQLTextLiteral.qualifies) {
                    row.append("(")
                    for text in texts {
                        row.appendQuoted(text)
                        row.append(", ")
                    }
                } else {
                    values.appendInterpolation(unsafeRaw: row.take())
                    values.appendInterpolation(
                        "(\(bind: lenderID), \(bind: s.loanID), \(bind: s.clientID), \(bind: s.productCode), \(bind: s.status), \(bind: s.bucket), " as SQLQueryString
                    )
                }
                row.append(s.date)
                row.append(s.disbursedOn)
                row.append(s.nextDueDate)
                row.append(Int64(s.daysPastDue))
                row.append(s.nonPerforming)
                row.append(s.restructured)
                row.append(s.principalOutstanding)
                row.append(s.overduePrincipal)
                row.append(s.overdueInterest)
                row.append(s.overdueCharges)
                row.append(s.amountDue)
                row.append(Int64(s.installmentsOverdue))
                row.append(Int64(s.lateInstallments))
                row.append(priorities[index], last: true)
                row.append(")")
            }
            values.appendInterpolation(unsafeRaw: row.take())
            statements.append(
                """
                INSERT INTO loan_snapshots (lender_id, loan_id, client_id, product_code, status, bucket, snapshot_date, disbursed_on, next_due_date,
                    days_past_due, non_performing, restructured, principal_outstanding, overdue_principal, overdue_interest, overdue_charges,
                    amount_due, installments_overdue, late_installments, priority)
                VALUES \(values)
                """
            )
        }
        return statements
    }
}
