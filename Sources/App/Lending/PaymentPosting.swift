import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import Lending
import Metrics
import SQLKit
import Store

extension LoanBook {
    /// How a payment uses an idempotency key.
    public enum Idempotency: Sendable {
        /// Check the key inside the payment's transaction: a completed key replays its answer, another request under
        /// it is refused, a new key is stored completed with the payment. (Concurrent duplicates in this process are
        /// refused before, by the caller.)
        case inTransaction(scope: String, key: String, requestHash: String)
        /// The key was claimed in a transaction of its own: store the answer with the payment.
        case claimed(scope: String, key: String)
    }

    /// A payment checked at the edge, waiting for its batch.
    struct PaymentJob: Sendable {
        let loanID: String
        let lenderID: String
        let amount: Money
        let valueDate: CalendarDate
        let channel: MoneyChannel
        let reference: String?
        let excess: ExcessPolicy
        let actor: Administration.Actor
        let idempotency: Idempotency?
        let now: Timestamp
        /// The payment worked out ahead, if it could be.
        var speculation: Speculation?
        /// The monetary instrument, when the channel does not say it (a gateway's cash voucher); PLD monitoring.
        var instrument: MonitoredOperation.Instrument?
        /// Whether the client itself paid, when the payment says who paid (a transfer's ordering party); PLD monitoring.
        var payerIsClient: Bool?
    }

    /// Records a payment on a loan: brings its journal to the value date, applies the payment by the product's order and
    /// posts it — the event, balanced journal entries, the loan's new state, the audit entry and the idempotent
    /// answer, all in one transaction. On SQLite concurrent payments share the transaction (group commit); on
    /// PostgreSQL each has its own.
    public func pay(
        _ loanID: String, _ request: PaymentRequest, lenderID: String, actor: Administration.Actor, idempotency: Idempotency? = nil
    ) async throws -> PaymentRecord {
        guard request.channel != .suspense else {
            throw APIError(status: .unprocessableContent, code: "channel_invalid", message: "El dinero en suspenso se aplica desde su partida (SPEI o conciliación), no como pago.")
        }
        return try await post(loanID, request, lenderID: lenderID, actor: actor, idempotency: idempotency)
    }

    /// `pay` for any channel, suspense included: a deposit held in suspense applied to its loan. `systemReference`: the
    /// reference was made by the payment network (an SPEI tracking key) or by Cartera (a bank line's id), not typed by a
    /// person, so it is not screened for card numbers (a random id can hold 13 digits that pass the Luhn check).
    func post(
        _ loanID: String, _ request: PaymentRequest, lenderID: String, actor: Administration.Actor, idempotency: Idempotency? = nil, systemReference: Bool = false,
        payerIsClient: Bool? = nil
    ) async throws -> PaymentRecord {
        let amount: Money
        do { amount = try Money(parsing: request.amount) } catch {
            throw APIError(status: .unprocessableContent, code: "amount_invalid", message: "El monto se escribe como 1250.00.")
        }
        guard amount.isPositive, amount.minorUnits <= 100_000_000_000 else {
            throw APIError(status: .unprocessableContent, code: "amount_invalid", message: "El monto del pago debe ser mayor que cero y menor que mil millones.")
        }
        guard request.channel != .restructure else {
            throw APIError(status: .unprocessableContent, code: "channel_invalid", message: "Una reestructura se registra como reestructura, no como pago.")
        }
        let today = today()
        var valueDate = today
        if let text = request.valueDate {
            guard let date = CalendarDate(text: text) else {
                throw APIError(status: .unprocessableContent, code: "value_date_invalid", message: "La fecha valor se escribe AAAA-MM-DD.")
            }
            valueDate = date
        }
        guard valueDate <= today else {
            throw APIError(status: .unprocessableContent, code: "value_date_in_future", message: "La fecha valor no puede ser posterior a hoy (\(today.text)).")
        }
        var job = PaymentJob(
            loanID: loanID, lenderID: lenderID, amount: amount, valueDate: valueDate, channel: request.channel,
            reference: try Self.cleanReference(request.reference, screenCards: !systemReference), excess: request.excess ?? .advance, actor: actor, idempotency: idempotency, now: clock()
        )
        job.payerIsClient = payerIsClient
        // Worked out now from the loan as this process last wrote it; the batch keeps it if the loan is still so.
        job.speculation = await speculate(job)
        if let payments { return try await payments.submit(job) }
        return try await Self.run([job], book: self)[0].get()
    }

    /// Posts a batch in one transaction; after it commits, keeps each loan's replay for its next payment.
    static func run(_ jobs: [PaymentJob], book: LoanBook) async -> [Result<PaymentRecord, any Error>] {
        let started = ContinuousClock.now
        defer {
            // How well payments group: the batch sizes and how long each batch holds the writer.
            Recorder(label: "cartera_payment_batch_size").record(jobs.count)
            Metrics.Timer(label: "cartera_payment_batch_seconds").record(duration: ContinuousClock.now - started)
        }
        do {
            // PostgreSQL: READ COMMITTED with the batch's loans locked (FOR UPDATE) and audit appends ordered by an advisory
            // lock, so concurrent payments on one loan queue instead of failing as serialization conflicts. SQLite
            // transactions are serializable anyway (one writer).
            let (results, carried) = try await book.database.transaction(isolation: .readCommitted) { db in try await book.post(jobs, on: db) }
            for entry in carried { book.replays.store(entry) }
            return results
        } catch {
            return jobs.map { _ in .failure(error) }
        }
    }

    /// A payment worked out: what it writes.
    struct Plan: Sendable {
        let record: PaymentRecord
        let postings: [Journal.Posting]
        let event: SQLQueryString
        let loanUpdate: LoanUpdate
        let audit: AuditEntry
        let answer: Answer?
        let now: Timestamp
        /// The payment as the PLD rules see it.
        let monitored: TransactionMonitor.Posted
    }

    /// The response stored under an idempotency key with the payment.
    struct Answer: Sendable {
        let scope: String
        let key: String
        /// Set when the key is stored here for the first time (checked inside the payment's transaction).
        let requestHash: String?
        let body: Data
    }

    /// A loan's new state after a payment.
    struct LoanUpdate: Sendable {
        let loan: Loaded
        let status: LoanStatus
        let ledgerDate: CalendarDate
        let nextSequence: Int64
    }

    /// Works out every payment of the batch (reads only; a payment that is refused gets its error and writes nothing),
    /// then writes them all with a few multi-row statements. Payments on the same loan see each other in order.
    func post(_ jobs: [PaymentJob], on db: any SQLDatabase) async throws -> ([Result<PaymentRecord, any Error>], [ReplayCache.Entry]) {
        let begun = ContinuousClock.now
        let ids = Array(Set(jobs.map(\.loanID)))
        var loans: [String: Loaded] = [:]
        let lock: SQLQueryString = database.dialect == .postgres ? " ORDER BY id FOR UPDATE" : ""
        for row in try await db.raw("SELECT \(Self.columns) FROM loans WHERE id IN (\(binds: ids))\(lock)").all() {
            let loan = try decode(row)
            loans[loan.record.id] = loan
        }
        // Every answer already stored under the batch's idempotency keys, in one read.
        var stored: [String: any SQLRow] = [:]
        let claims = jobs.compactMap { job -> (String, String)? in if case .inTransaction(let scope, let key, _) = job.idempotency { (scope, key) } else { nil } }
        if !claims.isEmpty {
            // The primary key (scope, key) serves both lists.
            for row in try await db.raw(
                """
                SELECT scope, key, request_hash, state, response_body, expires_at FROM idempotency_keys
                WHERE scope IN (\(binds: Array(Set(claims.map(\.0))))) AND key IN (\(binds: claims.map(\.1)))
                """
            ).all() {
                stored[try row.decode(column: "scope", as: String.self) + "\u{0}" + row.decode(column: "key", as: String.self)] = row
            }
        }
        // Payments already recorded under the batch's references, in one read (each pair matched through the unique index).
        var recorded: [String: String] = [:]
        let referenced = jobs.compactMap { job -> SQLQueryString? in
            job.reference.map { "(\(bind: job.loanID), \(bind: job.channel.rawValue), \(bind: $0))" }
        }
        if !referenced.isEmpty {
            for row in try await db.raw(
                """
                SELECT e.id, e.loan_id, e.channel, e.reference FROM (VALUES \(referenced.joined(separator: ", "))) AS v
                JOIN loan_events e ON e.loan_id = v.column1 AND e.channel = v.column2 AND e.reference = v.column3 AND e.reversed_at IS NULL
                """
            ).all() {
                let key = try "\(row.decode(column: "loan_id", as: String.self))|\(row.decode(column: "channel", as: String.self))|\(row.decode(column: "reference", as: String.self))"
                recorded[key] = try row.decode(column: "id", as: String.self)
            }
        }
        Metrics.Timer(label: "cartera_payment_read_seconds").record(duration: ContinuousClock.now - begun)
        var carried: [String: ReplayCache.Entry] = [:]
        var references = Set<String>()
        var results: [Result<PaymentRecord, any Error>] = []
        var plans: [Plan] = []
        // Loans for which a payment was not as worked out ahead: their later payments in the batch are worked out here.
        var overtaken = Set<String>()
        for job in jobs {
            do {
                if case .inTransaction(let scope, let key, let requestHash) = job.idempotency,
                    let row = stored[scope + "\u{0}" + key],
                    let replayed = try Self.replayedAnswer(row, requestHash: requestHash, now: job.now) {
                    results.append(.success(replayed))
                    continue
                }
                guard let loan = loans[job.loanID], loan.lenderID == job.lenderID else {
                    throw APIError(status: .notFound, code: "loan_not_found", message: "No existe ese crédito. Revise el identificador.")
                }
                var referenceKey: String?
                if let reference = job.reference {
                    let key = "\(job.loanID)|\(job.channel.rawValue)|\(reference)"
                    let existing = recorded[key]
                    if existing != nil || references.contains(key) {
                        throw APIError(status: .conflict, code: "payment_duplicate_reference",
                                       message: "Ya se registró el pago \(existing ?? "") con la referencia \(reference) por \(job.channel.label). No se registró de nuevo.")
                    }
                    referenceKey = key
                }
                let plan: Plan
                let entry: ReplayCache.Entry
                if let speculation = job.speculation, !overtaken.contains(job.loanID), speculation.base.isUnchanged(comparedTo: loan) {
                    (plan, entry) = (speculation.plan, speculation.entry)
                } else {
                    overtaken.insert(job.loanID)
                    (plan, entry) = try await self.plan(job, loan: loan, carried: carried[job.loanID], on: db)
                }
                plans.append(plan)
                // Only a payment that is recorded keeps its reference from the rest of the batch.
                if let referenceKey { references.insert(referenceKey) }
                carried[job.loanID] = entry
                let u = plan.loanUpdate
                loans[job.loanID] = u.loan.advanced(status: u.status, ledgerDate: u.ledgerDate, nextSequence: u.nextSequence)
                results.append(.success(plan.record))
            } catch {
                results.append(.failure(error))
            }
        }
        let planned = ContinuousClock.now
        Metrics.Timer(label: "cartera_payment_plan_seconds").record(duration: planned - begun)
        try await write(plans, on: db)
        // PLD monitoring in the same transaction: no payment is posted without being looked at.
        try await TransactionMonitor.monitor(plans.map(\.monitored), now: plans.last?.now ?? .now, on: db)
        Metrics.Timer(label: "cartera_payment_write_seconds").record(duration: ContinuousClock.now - planned)
        return (results, Array(carried.values))
    }

    /// A payment worked out ahead, outside the transaction, from the loan as this process last wrote it.
    struct Speculation: Sendable {
        /// The loan as assumed: the payment stands only if the loan read in the transaction is still this.
        let base: Loaded
        let plan: Plan
        let entry: ReplayCache.Entry

        /// The speculation as a later batch sees it, once its own batch is written: no events pending.
        var written: Speculation { Speculation(base: base, plan: plan, entry: entry.stored) }

        /// Working a payment out needs the loan's history from the database.
        struct NeedsHistory: Error {}
        static let needsHistory = NeedsHistory()
    }

    /// Works a payment out from the replay cache alone, without touching the cache or the database, as its request
    /// arrives (so the requests' threads do it side by side, before the payment waits for the writer): nil when the
    /// loan is not cached or the payment needs the loan's history (back-dated).
    /// `after`: the speculation of an earlier payment on the same loan not written yet, to be worked out after it.
    func speculate(_ job: PaymentJob, after earlier: Speculation? = nil) async -> Speculation? {
        guard let entry = earlier?.entry ?? replays.peek(job.loanID), entry.loan.lenderID == job.lenderID,
            let (plan, next) = try? await plan(job, loan: entry.loan, carried: entry, on: nil)
        else { return nil }
        return Speculation(base: entry.loan, plan: plan, entry: next)
    }

    /// The answer stored under an idempotency key, or nil when the key is new (or expired); a key used for another
    /// request is refused.
    static func replayedAnswer(_ row: any SQLRow, requestHash: String, now: Timestamp) throws -> PaymentRecord? {
        if let expires = Timestamp(text: try row.decode(column: "expires_at", as: String.self)), expires <= now { return nil }
        guard try row.decode(column: "request_hash", as: String.self) == requestHash else { throw idempotencyMismatch }
        guard try row.decode(column: "state", as: String.self) == "completed", let body = try row.decode(column: "response_body", as: Data?.self) else {
            throw idempotencyInProgress
        }
        return try JSONDecoder().decode(PaymentRecord.self, from: body)
    }

    /// Works one payment out from the loan's replay at its ledger date (carried on from an earlier payment of the
    /// batch or of the cache when the loan has not changed since; replayed from its events otherwise).
    /// Without `db` (working out ahead) a payment that needs the loan's history throws `Speculation.needsHistory`.
    func plan(_ job: PaymentJob, loan: Loaded, carried: ReplayCache.Entry?, on db: (any SQLDatabase)?) async throws -> (Plan, ReplayCache.Entry) {
        guard loan.record.status.acceptsPayments, let terms = loan.terms, let ledgerDate = loan.ledgerDate else {
            throw APIError(status: .conflict, code: "loan_not_payable", message: "El crédito está \(loan.record.status.label.lowercased()); no recibe pagos.")
        }
        guard job.valueDate >= terms.disbursementDate else {
            throw APIError(status: .unprocessableContent, code: "value_date_before_disbursement",
                           message: "La fecha valor es anterior a la disposición del crédito (\(terms.disbursementDate.text)).")
        }
        // The loan's replay with its ledger date open, and its balances at the end of that day (the journal as it stands).
        var open: LoanReplay
        var balances: [LedgerAccount: Int64]
        var history: [LoanEvent]?
        var pending: [LoanEvent] = []
        if let carried, carried.rowVersion == loan.rowVersion, carried.ledgerDate == ledgerDate {
            (open, balances) = (carried.open, carried.balances)
            history = carried.history
            pending = carried.pending
        } else if db != nil, let taken = replays.take(loan.record.id, rowVersion: loan.rowVersion, ledgerDate: ledgerDate) {
            (open, balances) = (taken.open, taken.balances)
        } else {
            guard let db else { throw Speculation.needsHistory }
            let events = try await activeEvents(loan.record.id, on: db)
            history = events
            open = try Self.replaying(terms, events, openOn: ledgerDate)
            balances = try Self.closed(open, through: ledgerDate).result.ledgerBalances()
        }
        var postings: [Journal.Posting] = []
        let asOf = max(ledgerDate, job.valueDate)
        if asOf > ledgerDate {
            let accrued = try Self.closed(open, through: asOf).result.ledgerBalances()
            if let accrual = try accrual(loan, from: balances, to: accrued, date: asOf, now: job.now, actor: job.actor) {
                postings.append(accrual)
            }
            balances = accrued
        }
        let event = LoanEvent(
            id: APIClients.timeOrderedID("pay_", at: job.now), sequence: loan.nextSequence, valueDate: job.valueDate, kind: .payment(amount: job.amount, excess: job.excess)
        )
        if open.canAppendOpen(at: job.valueDate) {
            try Self.appendOpen(event, to: &open)
        } else {
            // Back-dated: replay the whole history (what is written plus this batch's events) with the new one.
            var events = history ?? []
            if history == nil {
                guard let db else { throw Speculation.needsHistory }
                events = try await activeEvents(loan.record.id, on: db) + pending
            }
            history = events
            open = try Self.replaying(terms, events + [event], openOn: asOf)
        }
        let after = try Self.closed(open, through: asOf).result
        open.forgetAllocations()
        let afterBalances = after.ledgerBalances()
        var lines = Journal.difference(from: balances, to: afterBalances, loanID: loan.record.id)
        lines.append(Journal.Line(account: job.channel.account, loanID: loan.record.id, amount: job.amount.minorUnits))
        let posting = try Journal.Posting(
            Journal.Draft(
                lenderID: loan.lenderID, loanID: loan.record.id, eventID: event.id, kind: "payment", valueDate: job.valueDate,
                description: "Pago \(event.id) por \(job.channel.label)\(job.reference.map { " ref. \($0)" } ?? "")", lines: lines
            ),
            at: job.now, by: job.actor.id
        )
        postings.append(posting)
        let allocation = after.allocations[event.id] ?? []
        let allocationText = AllocationLine.storedJSON(allocation)
        let status = LoanStatus(after.status)
        let record = PaymentRecord(
            id: event.id, loanId: loan.record.id, kind: "payment", sequence: event.sequence, valueDate: job.valueDate.text, amount: QuoteDocument.amount(job.amount),
            channel: job.channel.rawValue, reference: job.reference, excess: job.excess.rawValue, allocation: allocation.map(Self.line), entryId: posting.id,
            recordedAt: job.now.text, recordedBy: job.actor.id, reversal: nil, loanStatus: status
        )
        var answer: Answer?
        switch job.idempotency {
        case .inTransaction(let scope, let key, let requestHash):
            answer = Answer(scope: scope, key: key, requestHash: requestHash, body: record.json())
        case .claimed(let scope, let key):
            answer = Answer(scope: scope, key: key, requestHash: nil, body: record.json())
        case nil: break
        }
        let plan = Plan(
            record: record, postings: postings,
            event: """
                (\(bind: event.id), \(bind: loan.record.id), \(bind: event.sequence), 'payment', \(bind: job.valueDate.text), \(bind: job.amount.minorUnits),
                 \(bind: job.excess.rawValue), \(bind: job.channel.rawValue), \(bind: job.reference), \(bind: allocationText), \(bind: posting.id),
                 \(bind: job.now.text), \(bind: job.actor.id))
                """,
            loanUpdate: LoanUpdate(loan: loan, status: status, ledgerDate: asOf, nextSequence: loan.nextSequence + 1),
            audit: Administration.entry(
                actor: job.actor, action: "payment.post", objectType: "loan", objectID: loan.record.id, at: job.now,
                change: "\(event.id) \(job.valueDate.text) \(job.amount.minorUnits) \(job.channel.rawValue) \(job.reference ?? "")"
            ),
            answer: answer, now: job.now,
            monitored: TransactionMonitor.Posted(
                lenderID: loan.lenderID, channel: job.channel.rawValue,
                operation: MonitoredOperation(
                    id: event.id, clientID: loan.record.clientId, loanID: loan.record.id, kind: .payment, amount: job.amount,
                    instrument: job.instrument ?? TransactionMonitor.instrument(of: job.channel), date: job.valueDate, payerIsClient: job.payerIsClient ?? true,
                    loanDisbursedOn: loan.record.disbursedOn.flatMap(CalendarDate.init(text:)), paysOff: status == .paidOff
                )
            )
        )
        let entry = ReplayCache.Entry(
            loanID: loan.record.id, rowVersion: loan.rowVersion + 1, ledgerDate: asOf, open: open, balances: afterBalances,
            loan: loan.advanced(status: status, ledgerDate: asOf, nextSequence: loan.nextSequence + 1), history: history.map { $0 + [event] },
            pending: pending + [event]
        )
        return (plan, entry)
    }

    /// Writes the batch's payments: journal entries and lines, events, each loan's new state, audit entries, answers.
    func write(_ plans: [Plan], on db: any SQLDatabase) async throws {
        guard !plans.isEmpty else { return }
        // Each loan's final state first, in one statement (a loan paid twice in the batch moves its version twice): on
        // PostgreSQL a concurrent payment on the same loan then fails as a serialization conflict, which is retried.
        var updates: [String: (update: LoanUpdate, bump: Int, now: Timestamp)] = [:]
        for plan in plans {
            let id = plan.loanUpdate.loan.record.id
            updates[id] = (plan.loanUpdate, (updates[id]?.bump ?? 0) + 1, plan.now)
        }
        let values = updates.map { id, u -> SQLQueryString in
            "(\(bind: id), \(bind: u.update.status.rawValue), \(bind: u.update.ledgerDate.text), \(bind: u.update.nextSequence), \(bind: u.bump), \(bind: u.now.text))"
        }
        try await db.raw(
            """
            UPDATE loans SET status = v.column2, ledger_date = v.column3, next_sequence = CAST(v.column4 AS BIGINT),
                row_version = loans.row_version + CAST(v.column5 AS BIGINT), updated_at = v.column6
            FROM (VALUES \(values.joined(separator: ", "))) AS v
            WHERE loans.id = v.column1
            """
        ).run()
        try await Journal.write(plans.flatMap(\.postings), on: db)
        try await db.raw(
            """
            INSERT INTO loan_events (id, loan_id, sequence, kind, value_date, amount, excess, channel, reference, allocation, entry_id, recorded_at, recorded_by)
            VALUES \(plans.map(\.event).joined(separator: ", "))
            """
        ).run()
        try await AuditLog.append(contentsOf: plans.map(\.audit), on: db)
        // Answers to store under idempotency keys: new keys in one upsert; keys claimed before, one by one.
        let fresh = plans.compactMap { plan -> SQLQueryString? in
            guard let answer = plan.answer, let requestHash = answer.requestHash else { return nil }
            return """
                (\(bind: answer.scope), \(bind: answer.key), \(bind: requestHash), 'completed', 201, \(bind: answer.body), \(bind: plan.now.text),
                 \(bind: plan.now.text), \(bind: plan.now.adding(seconds: IdempotencyKeys.defaultLifetimeSeconds).text))
                """
        }
        if !fresh.isEmpty {
            try await db.raw(
                """
                INSERT INTO idempotency_keys (scope, key, request_hash, state, response_status, response_body, created_at, completed_at, expires_at)
                VALUES \(fresh.joined(separator: ", "))
                ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, state = 'completed', response_status = 201,
                    response_body = excluded.response_body, created_at = excluded.created_at, completed_at = excluded.completed_at,
                    expires_at = excluded.expires_at
                """
            ).run()
        }
        for plan in plans {
            guard let answer = plan.answer, answer.requestHash == nil else { continue }
            try await IdempotencyKeys.complete(scope: answer.scope, key: answer.key, status: 201, body: answer.body, now: plan.now, on: db)
        }
    }

    /// A replay's refusal as an API error.
    static func refusal(_ error: LoanReplayError) -> APIError {
        APIError(status: .unprocessableContent, code: error.code, message: error.message)
    }

    static func replaying(_ terms: LoanTerms, _ events: [LoanEvent], openOn date: CalendarDate) throws(APIError) -> LoanReplay {
        do { return try LoanReplay.replaying(terms: terms, events: events, openOn: date) } catch { throw refusal(error) }
    }

    static func closed(_ replay: LoanReplay, through date: CalendarDate) throws(APIError) -> LoanReplay {
        do { return try replay.closed(through: date) } catch { throw refusal(error) }
    }

    static func appendOpen(_ event: LoanEvent, to replay: inout LoanReplay) throws(APIError) {
        do { try replay.appendOpen(event) } catch { throw refusal(error) }
    }

    /// The accrual entry from one position of a loan to a later one (recognised interest, moratorium interest, late
    /// fees, vigente → vencida), or nil when nothing accrued.
    func accrual(
        _ loan: Loaded, from before: [LedgerAccount: Int64], to after: [LedgerAccount: Int64], date: CalendarDate, now: Timestamp, actor: Administration.Actor
    ) throws -> Journal.Posting? {
        let lines = Journal.difference(from: before, to: after, loanID: loan.record.id)
        guard !lines.isEmpty else { return nil }
        return try Journal.Posting(
            Journal.Draft(lenderID: loan.lenderID, loanID: loan.record.id, eventID: nil, kind: "accrual", valueDate: date,
                          description: "Devengo del crédito \(loan.record.id) al \(date.text)", lines: lines),
            at: now, by: actor.id
        )
    }

    /// Posts the accrual entry between two positions of a loan, if anything accrued.
    func postAccrual(
        _ loan: Loaded, from before: LoanPosition, to after: LoanPosition, date: CalendarDate, now: Timestamp, actor: Administration.Actor, on db: any SQLDatabase
    ) async throws {
        if let posting = try accrual(loan, from: before.ledgerBalances(), to: after.ledgerBalances(), date: date, now: now, actor: actor) {
            try await Journal.write([posting], on: db)
        }
    }
}

extension LoanBook.Loaded {
    /// The loan as it stands after a payment of the batch (for the next payment of the same loan in the batch).
    func advanced(status: LoanStatus, ledgerDate: CalendarDate, nextSequence: Int64) -> LoanBook.Loaded {
        var record = record
        record.status = status
        record.ledgerDate = ledgerDate.text
        return LoanBook.Loaded(record: record, lenderID: lenderID, terms: terms, ledgerDate: ledgerDate, nextSequence: nextSequence, rowVersion: rowVersion + 1)
    }

    /// Whether `current` (read in the transaction) is still this loan as assumed when a payment was worked out ahead.
    func isUnchanged(comparedTo current: LoanBook.Loaded) -> Bool {
        rowVersion == current.rowVersion && ledgerDate == current.ledgerDate && nextSequence == current.nextSequence
            && record.status == current.record.status && lenderID == current.lenderID && record.id == current.record.id
    }
}
