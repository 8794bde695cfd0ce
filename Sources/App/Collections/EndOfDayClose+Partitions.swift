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

    /// Makes the day's run and its partitions unless another worker already did; returns how many loans the day has
    /// and the buckets it is closed with (both fixed when the run starts, so a rerun closes the day the same way).
    func startRun(lenderID: String, date: CalendarDate) async throws -> (loans: Int, buckets: DelinquencyBuckets) {
        if let run = try await run(lenderID: lenderID, date: date) { return run }
        let now = book.clock()
        let (worker, size) = (self.worker, partitionSize)
        // The partition boundaries, read outside the write transaction (a loan disbursed meanwhile still falls in one:
        // the first partition starts before every id and the last has no end).
        let (ids, loans, buckets) = try await database.withConnection { db in
            let ids = try await db.raw(
                "SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue) ORDER BY id"
            ).all(decodingColumn: "id", as: String.self)
            let loans = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue)
                    AND disbursed_on <= \(bind: date.text)
                """
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            return (ids, loans, try await CollectionSettings.buckets(lenderID: lenderID, on: db))
        }
        let starts = [""] + stride(from: size, to: ids.count, by: size).map { ids[$0] }
        let bucketsJSON = String(decoding: try JSONEncoder().encode(buckets), as: UTF8.self)
        try await database.transaction { db in
            let created = try await db.raw(
                """
                INSERT INTO close_runs (lender_id, business_date, status, partitions, buckets, loans, started_at, started_by)
                VALUES (\(bind: lenderID), \(bind: date.text), 'running', \(bind: starts.count), \(bind: bucketsJSON), \(bind: loans), \(bind: now.text), \(bind: worker))
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

    /// The day's run as it was started: its loans and buckets; nil before it starts.
    func run(lenderID: String, date: CalendarDate) async throws -> (loans: Int, buckets: DelinquencyBuckets)? {
        try await database.withConnection { db in
            guard let row = try await db.raw(
                "SELECT loans, buckets FROM close_runs WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text)"
            ).first() else { return nil }
            let buckets = try JSONDecoder().decode(DelinquencyBuckets.self, from: Data(try row.decode(column: "buckets", as: String.self).utf8))
            return (try row.decode(column: "loans", as: Int.self), buckets)
        }
    }

    /// Takes the next partition nobody holds (or whose holder's lease ran out, or this worker's own from before a
    /// restart), under a lease. PostgreSQL skips the rows other workers are claiming at that moment.
    func claim(lenderID: String, date: CalendarDate) async throws -> Partition? {
        let now = book.clock()
        let until = now.adding(seconds: leaseSeconds)
        let worker = self.worker
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
    func finishRun(lenderID: String, date: CalendarDate) async throws -> Bool {
        let now = book.clock()
        // Read committed: workers finishing at the same moment both see every partition done and write the same thing.
        return try await database.transaction(isolation: .readCommitted) { db in
            let open = try await db.raw(
                "SELECT COUNT(*) AS n FROM close_partitions WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND status <> 'done'"
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            guard open == 0 else { return false }
            try await db.raw(
                """
                UPDATE close_runs SET status = 'done', finished_at = \(bind: now.text)
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
    func closePartition(
        _ partition: Partition, lenderID: String, date: CalendarDate, buckets: DelinquencyBuckets, chunkDone: (Int) -> Void
    ) async throws -> Int {
        var accruals = 0
        while true {
            try checkpoint("chunk.start")
            let chunk: Chunk
            do {
                // Read committed, with the chunk's loans locked: the lease keeps other workers off the partition, so
                // a serializable snapshot would only make workers on other partitions conflict over nothing.
                chunk = try await database.transaction(isolation: .readCommitted) { db in
                    try await closeChunk(partition, lenderID: lenderID, date: date, buckets: buckets, on: db)
                }
            } catch is LeaseLost {
                return accruals
            }
            try checkpoint("chunk.committed")
            accruals += chunk.accruals
            if chunk.closed > 0 { chunkDone(chunk.closed) }
            if chunk.read < chunkSize { break }
        }
        let now = book.clock()
        let worker = self.worker
        try await database.transaction(isolation: .readCommitted) { db in
            try await db.raw(
                """
                UPDATE close_partitions SET status = 'done', lease_until = NULL, finished_at = \(bind: now.text)
                WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND number = \(bind: partition.number)
                    AND worker = \(bind: worker) AND status = 'working'
                """
            ).run()
        }
        try checkpoint("partition.done")
        return accruals
    }

    /// What one chunk did: loans read, closed (snapshot written), accrual entries posted.
    struct Chunk: Sendable {
        let read: Int
        let closed: Int
        let accruals: Int
    }

    /// The loans a day's close looks at: active ones, and those that ended (paid off, written off, restructured) on
    /// or after the day — they were active on it.
    static let statuses: [LoanStatus] = [.active, .paidOff, .writtenOff, .restructured]

    /// The next chunk of a partition's loans, after its cursor, closed in the caller's transaction: the lease is
    /// renewed first (a worker that lost it stops, `LeaseLost`, before touching anything; one taking over waits for the
    /// chunk in progress), then their accrual entries, ledger dates, snapshots, the loans that could not be computed
    /// (as exceptions, so one bad loan never stops the day), and the partition's cursor.
    func closeChunk(_ partition: Partition, lenderID: String, date: CalendarDate, buckets: DelinquencyBuckets, on db: any SQLDatabase) async throws -> Chunk {
        let key: SQLQueryString = "lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND number = \(bind: partition.number)"
        let renewed = try await db.raw(
            """
            UPDATE close_partitions SET lease_until = \(bind: book.clock().adding(seconds: leaseSeconds).text)
            WHERE \(key) AND worker = \(bind: worker) AND status = 'working'
            RETURNING cursor_loan_id
            """
        ).all()
        guard let lease = renewed.first else { throw LeaseLost() }
        let cursor = try lease.decode(column: "cursor_loan_id", as: String?.self)
        let upper: SQLQueryString = partition.next.map { " AND l.id < \(bind: $0)" } ?? ""
        let after: SQLQueryString = cursor.map { " AND l.id > \(bind: $0)" } ?? ""
        let statuses = SQLList(Self.statuses.map { SQLBind($0.rawValue) })
        let rows = try await db.raw(
            """
            SELECT \(LoanBook.columns) FROM loans l
            WHERE l.lender_id = \(bind: lenderID) AND l.id >= \(bind: partition.first)\(upper)\(after) AND l.status IN (\(statuses))
                AND l.disbursed_on <= \(bind: date.text) AND (l.status = \(bind: LoanStatus.active.rawValue) OR l.ledger_date >= \(bind: date.text))
            ORDER BY l.id LIMIT \(bind: chunkSize)\(db.dialect.name == "postgresql" ? " FOR UPDATE OF l" : "" as SQLQueryString)
            """
        ).all()
        var loans: [LoanBook.Loaded] = []
        var exceptions: [(loan: String, code: String, message: String)] = []
        var last: String?
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            last = id
            do { loans.append(try book.decode(row)) } catch {
                exceptions.append((id, "loan_unreadable", "El crédito \(id) no se pudo leer: \(error)"))
            }
        }
        var events: [String: [LoanEvent]] = [:]
        if !loans.isEmpty {
            let ids = SQLList(loans.map { SQLBind($0.record.id) })
            for row in try await db.raw(
                "SELECT loan_id, id, sequence, kind, value_date, amount, excess FROM loan_events WHERE loan_id IN (\(ids)) AND reversed_at IS NULL ORDER BY loan_id, sequence"
            ).all() {
                events[try row.decode(column: "loan_id", as: String.self), default: []].append(try LoanBook.event(row))
            }
        }
        let instant = Self.closingInstant(date)
        var postings: [Journal.Posting] = []
        var advanced: [SQLQueryString] = []
        var snapshots: [LoanSnapshot] = []
        for loan in loans {
            guard let terms = loan.terms else {
                exceptions.append((loan.record.id, "loan_without_terms", "El crédito \(loan.record.id) no tiene condiciones de disposición."))
                continue
            }
            let position: LoanPosition
            let posting: Journal.Posting?
            do {
                (position, posting) = try Self.close(loan, terms: terms, events: (events[loan.record.id] ?? []).filter { $0.valueDate <= date }, date: date, at: instant)
            } catch let error as APIError {
                exceptions.append((loan.record.id, error.code, error.message))
                continue
            }
            if let posting { postings.append(posting) }
            if let ledger = loan.ledgerDate, ledger < date {
                advanced.append("(\(bind: loan.record.id), \(bind: date.text), \(bind: instant.text), \(bind: loan.rowVersion))")
            }
            snapshots.append(LoanSnapshot(
                position: position, date: date, loanID: loan.record.id, clientID: loan.record.clientId, productCode: loan.record.productCode,
                restructured: loan.record.restructuredFrom != nil, buckets: buckets
            ))
        }
        try checkpoint("chunk.computed")
        try await Journal.write(postings, on: db)
        if !advanced.isEmpty {
            let updated = try await db.raw(
                """
                UPDATE loans SET ledger_date = v.column2, row_version = loans.row_version + 1, updated_at = v.column3
                FROM (VALUES \(advanced.joined(separator: ", "))) AS v
                WHERE loans.id = v.column1 AND loans.row_version = CAST(v.column4 AS BIGINT)
                RETURNING loans.id
                """
            ).all()
            // Read in this transaction, so nothing can have changed them; if it ever did, nothing of the chunk is kept.
            guard updated.count == advanced.count else { throw StoreError.busy(detail: "loans changed during the close of \(date.text)") }
        }
        try await Self.insert(snapshots, lenderID: lenderID, on: db)
        if !exceptions.isEmpty {
            let values = exceptions.map { "(\(bind: lenderID), \(bind: date.text), \(bind: $0.loan), \(bind: $0.code), \(bind: String($0.message.prefix(500))))" as SQLQueryString }
            try await db.raw(
                "INSERT INTO close_exceptions (lender_id, business_date, loan_id, code, message) VALUES \(values.joined(separator: ", "))"
            ).run()
        }
        if let last {
            try await db.raw(
                """
                UPDATE close_partitions SET cursor_loan_id = \(bind: last), loans = loans + \(bind: snapshots.count), accruals = accruals + \(bind: postings.count)
                WHERE \(key)
                """
            ).run()
        }
        try checkpoint("chunk.written")
        return Chunk(read: rows.count, closed: snapshots.count, accruals: postings.count)
    }

    /// A loan at the end of `date`: its position, and the accrual entry from its ledger date when that is earlier
    /// (named by loan and day, dated at the end of the business day).
    static func close(
        _ loan: LoanBook.Loaded, terms: LoanTerms, events: [LoanEvent], date: CalendarDate, at instant: Timestamp
    ) throws -> (LoanPosition, Journal.Posting?) {
        do {
            guard let ledger = loan.ledgerDate, ledger < date else {
                return (try LoanReplay.replaying(terms: terms, events: events, through: date).result, nil)
            }
            let atLedger = try LoanReplay.replaying(terms: terms, events: events, through: ledger)
            let position = try atLedger.closed(through: date).result
            let lines = Journal.difference(from: atLedger.result.ledgerBalances(), to: position.ledgerBalances(), loanID: loan.record.id)
            guard !lines.isEmpty else { return (position, nil) }
            let posting = try Journal.Posting(
                Journal.Draft(
                    lenderID: loan.lenderID, loanID: loan.record.id, eventID: nil, kind: "accrual", valueDate: date,
                    description: "Cierre del \(date.text): devengo del crédito \(loan.record.id)", lines: lines
                ),
                at: instant, by: actor, id: "je_eod_\(loan.record.id)_\(date.text.replacingOccurrences(of: "-", with: ""))"
            )
            return (position, posting)
        } catch let error as LoanReplayError {
            throw APIError(
                status: .internalServerError, code: "close_loan_failed",
                message: "El cierre del \(date.text) no pudo calcular el crédito \(loan.record.id): \(error.message). Revise el crédito y vuelva a ejecutar el cierre."
            )
        }
    }

    static func insert(_ snapshots: [LoanSnapshot], lenderID: String, on db: any SQLDatabase) async throws {
        guard !snapshots.isEmpty else { return }
        let rows = snapshots.map { s -> SQLQueryString in
            """
            (\(bind: lenderID), \(bind: s.date.text), \(bind: s.loanID), \(bind: s.clientID), \(bind: s.productCode), \(bind: s.disbursedOn.text), \(bind: s.status),
             \(bind: s.daysPastDue), \(bind: s.bucket), \(bind: s.nonPerforming), \(bind: s.restructured), \(bind: s.principalOutstanding), \(bind: s.overduePrincipal),
             \(bind: s.overdueInterest), \(bind: s.overdueCharges), \(bind: s.amountDue), \(bind: s.installmentsOverdue), \(bind: s.nextDueDate?.text), \(bind: s.lateInstallments))
            """
        }
        for start in stride(from: 0, to: rows.count, by: 400) {
            try await db.raw(
                """
                INSERT INTO loan_snapshots (lender_id, snapshot_date, loan_id, client_id, product_code, disbursed_on, status, days_past_due, bucket,
                    non_performing, restructured, principal_outstanding, overdue_principal, overdue_interest, overdue_charges, amount_due,
                    installments_overdue, next_due_date, late_installments)
                VALUES \(rows[start..<min(start + 400, rows.count)].joined(separator: ", "))
                """
            ).run()
        }
    }
}
