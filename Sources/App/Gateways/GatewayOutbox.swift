import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import Logging
import Payments
import SQLKit
import ServiceLifecycle
import Store

/// Acts on stored gateway webhooks and watches intents nobody reported on.
///
/// The outbox takes each stored event (`gateway_events.state = 'received'`), has the provider's connector read it —
/// asking the provider for the payment when the payload is unsigned or incomplete — and settles the intent it is
/// about in one transaction with the event's new state (`processed`, `ignored`, `unmatched`, `rejected`). An event
/// that cannot be handled now (the provider does not answer, the intent is not recorded yet) waits and is tried
/// again with growing waits. The janitor asks the provider about intents left pending or unconfirmed, and expires
/// references whose time ran out.
public final class GatewayOutbox: Service, Sendable {
    let database: Database
    let intents: PaymentIntentBook
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// How long an intent may wait without news before the janitor asks (seconds).
    let quietSeconds: Int64
    /// How often the janitor runs.
    let sweepInterval: Duration
    /// Rereads the gateways' saved settings (another instance may have changed them), before each sweep.
    let refreshSettings: @Sendable () async throws -> Void

    public init(
        database: Database, intents: PaymentIntentBook, logger: Logger, clock: @escaping @Sendable () -> Timestamp = { .now }, quietSeconds: Int64 = 120,
        sweepInterval: Duration = .seconds(30), refreshSettings: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.refreshSettings = refreshSettings
        self.database = database
        self.intents = intents
        self.logger = logger
        self.clock = clock
        self.quietSeconds = quietSeconds
        self.sweepInterval = sweepInterval
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Events that name no known intent are tried this many times (the charge's answer may still be on its way).
    static let unmatchedTries = 5
    /// An event whose settling keeps failing is tried this many times, then marked `failed` for people to look at.
    static let failingTries = 8

    /// Tells the outbox that events arrived.
    public func notify() { wake.yield() }

    public func run() async throws {
        let wake = wake
        let interval = sweepInterval
        // On shutdown the work in hand is cancelled — a gateway call that hangs must not hold the server up (an event
        // cut short waits in the inbox, as received, for the next start) — and the database closes after this stops.
        try? await cancelWhenGracefulShutdown { [self] in
            await withTaskGroup(of: Void.self) { group in
                // A tick each second catches events whose wait ended; the janitor runs on its own interval.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        wake.yield()
                    }
                }
                group.addTask { [self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        // Shutting down: the database is closing, nothing more to ask.
                        if Task.isCancelled { break }
                        do { try await refreshSettings() } catch { logger.error("gateway settings could not be reread", metadata: ["error": "\(error)"]) }
                        do { _ = try await sweep() } catch { logger.error("payment intent janitor failed", metadata: ["error": "\(error)"]) }
                    }
                }
                for await _ in wakeups {
                    do {
                        try await drain()
                    } catch {
                        logger.error("gateway outbox failed", metadata: ["error": "\(error)"])
                    }
                }
                group.cancelAll()
            }
        }
        wake.finish()
    }

    // MARK: Events

    /// What became of an event.
    public enum EventState: String, Sendable {
        /// `failed`: settling it kept failing (see its last error); it waits for people.
        case received, processed, ignored, unmatched, rejected, failed
    }

    struct StoredEvent: Sendable {
        let provider: GatewayProvider
        let eventID: String
        let type: String
        let payloadSigned: Bool
        let body: [UInt8]
        let attempts: Int
    }

    /// Handles the events due now (up to `limit`, several at a time); returns how many it took.
    @discardableResult
    public func processPending(limit: Int = 256) async throws -> Int {
        let batch = try await gather(limit: limit)
        _ = try await commit(batch)
        return batch.prepared.count
    }

    /// Handles every event due, a batch at a time: the next batch is read and worked out while the last one is written.
    /// Returns, for each batch, the loans whose payments were written exactly as worked out ahead.
    @discardableResult
    func drain(limit: Int = 256) async throws -> [Set<String>] {
        var batch = try await gather(limit: limit)
        var written: [Set<String>] = []
        while !batch.prepared.isEmpty {
            let current = batch
            async let committed = commit(current)
            let next: Result<Batch, any Error>
            do { next = .success(try await gather(limit: limit, excluding: current.keys, after: current.chain)) } catch { next = .failure(error) }
            let kept = try await committed
            written.append(kept)
            // Shutting down: what was read stays received, for the next start.
            try Task.checkCancellation()
            batch = try next.get().holding(kept)
        }
        return written
    }

    /// Events read and worked out, waiting for their transaction.
    struct Batch: Sendable {
        let prepared: [Prepared]
        /// Its paid reports, worked out ahead.
        var ahead: [PaymentIntentBook.PaidAhead]
        let settledAt: Timestamp
        /// Each loan's last payment worked out here, for the next batch to be worked out after it.
        var chain: [String: LoanBook.Speculation]
        /// Loans whose payments here were worked out after the previous batch's, which was not written yet.
        let chained: Set<String>

        var keys: Set<String> { Set(prepared.map { GatewayOutbox.key($0.event) }) }

        /// The batch once the previous one is written: payments worked out after the previous batch's for a loan that
        /// it did not write as worked out are worked out again in the transaction (and not chained on).
        func holding(_ kept: Set<String>) -> Batch {
            let broken = chained.subtracting(kept)
            guard !broken.isEmpty else { return self }
            var batch = self
            batch.ahead = ahead.map { broken.contains($0.record.loanId) ? $0.withoutSpeculation() : $0 }
            for loan in broken { batch.chain[loan] = nil }
            return batch
        }
    }

    /// Reads up to `limit` events due now (but those in `excluding`, being written) and works them out: the
    /// provider is asked about several at a time, and paid reports are worked out ahead, after `chain`.
    func gather(limit: Int, excluding: Set<String> = [], after chain: [String: LoanBook.Speculation] = [:]) async throws -> Batch {
        let now = clock()
        let events = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT provider, event_id, type, payload_signed, body, attempts FROM gateway_events
                WHERE state = 'received' AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now.text))
                ORDER BY received_at LIMIT \(literal: limit + excluding.count)
                """
            ).all().compactMap { row -> StoredEvent? in
                guard let provider = GatewayProvider(rawValue: try row.decode(column: "provider", as: String.self)) else { return nil }
                return StoredEvent(
                    provider: provider, eventID: try row.decode(column: "event_id", as: String.self), type: try row.decode(column: "type", as: String.self),
                    payloadSigned: try row.decode(column: "payload_signed", as: Bool.self), body: Array(try row.decode(column: "body", as: Data.self)),
                    attempts: try row.decode(column: "attempts", as: Int.self)
                )
            }
        }.filter { !excluding.contains(Self.key($0)) }.prefix(limit)
        let prepared = await withTaskGroup(of: (Int, Prepared).self) { group in
            var results = [Prepared?](repeating: nil, count: events.count)
            var running = 0
            for (index, event) in events.enumerated() {
                if running == 16, let (done, result) = await group.next() {
                    results[done] = result
                    running -= 1
                }
                group.addTask { (index, await self.prepare(event)) }
                running += 1
            }
            for await (done, result) in group { results[done] = result }
            return results.compactMap { $0 }
        }
        let settledAt = clock()
        // Payments reported paid are worked out ahead, off the writer, and settled together; the rest one by one.
        let reports = prepared.enumerated().compactMap { index, item -> PaymentIntentBook.PaidReport? in
            guard case .settle(let event, let report, let outcome, let paidAt, let refunded) = item, !(refunded?.isPositive ?? false) else { return nil }
            return (index, event.provider, report.chargeID, report.intentID, outcome, paidAt, "event \(event.eventID)")
        }
        do {
            let (ahead, next) = try await intents.paidAhead(reports, now: settledAt, after: chain)
            let chained = Set(ahead.map(\.record.loanId)).intersection(chain.keys)
            return Batch(prepared: prepared, ahead: ahead, settledAt: settledAt, chain: next, chained: chained)
        } catch {
            logger.warning("gateway outbox could not work payments out ahead; settling them one by one", metadata: ["error": "\(error)"])
            return Batch(prepared: prepared, ahead: [], settledAt: settledAt, chain: [:], chained: [])
        }
    }

    /// Settles a batch: its paid reports together in one transaction, then the rest one after another in a second one
    /// (so the first holds its locks only for the multi-row writes); when a transaction fails, each of its events is
    /// tried in a transaction of its own. Returns the loans whose payments were written exactly as worked out ahead.
    func commit(_ batch: Batch) async throws -> Set<String> {
        guard !batch.prepared.isEmpty else { return [] }
        let prepared = batch.prepared
        let settledAt = batch.settledAt
        var kept = Set<String>()
        var done = Set<Int>()
        if !batch.ahead.isEmpty {
            do {
                let (carried, settled, asWorkedOut) = try await database.transaction(isolation: .readCommitted) { db in
                    let waiting = try await Self.stillReceived(batch.ahead.map { prepared[$0.index].event }, on: db)
                    let (settled, carried) = try await self.intents.settlePaid(
                        batch.ahead.filter { waiting.contains(Self.key(prepared[$0.index].event)) }, now: settledAt, on: db
                    )
                    try await Self.markProcessed(settled.map { (prepared[$0.index].event, $0.intentID) }, now: settledAt, on: db)
                    return (carried, Set(settled.map(\.index)), Set(settled.filter(\.asWorkedOut).map(\.index)))
                }
                for entry in carried { intents.book.replays.store(entry) }
                done = settled
                // A loan's chain holds when every payment of the batch on it was written as worked out.
                kept = Set(batch.ahead.map(\.record.loanId)).subtracting(batch.ahead.filter { !asWorkedOut.contains($0.index) }.map(\.record.loanId))
            } catch {
                logger.warning("gateway outbox could not settle paid notices together; settling them one by one", metadata: ["error": "\(error)"])
            }
        }
        let rest = prepared.enumerated().filter { !done.contains($0.offset) }.map(\.element)
        guard !rest.isEmpty else { return kept }
        do {
            let carried = try await database.transaction(isolation: .readCommitted) { db -> [ReplayCache.Entry] in
                var carried: [ReplayCache.Entry] = []
                for item in rest { carried += try await self.apply(item, now: settledAt, on: db).1 }
                return carried
            }
            for entry in carried { intents.book.replays.store(entry) }
        } catch {
            // One event's failure must not hold the others: each is tried in a transaction of its own.
            logger.warning("gateway outbox batch failed; settling its events one by one", metadata: ["error": "\(error)"])
            for item in rest {
                do {
                    _ = try await settleAlone(item)
                } catch {
                    // This event alone fails: it waits (growing waits) and, after `failingTries`, is left for people.
                    try await recordFailure(item.event, error: error)
                }
            }
        }
        return kept
    }

    /// What an event needs done, worked out before the transaction (reading it, asking the provider).
    enum Prepared: Sendable {
        case settle(StoredEvent, GatewayEventReport, GatewayOutcome, paidAt: Timestamp?, refunded: Money? = nil)
        case finish(StoredEvent, EventState, error: String?)
        case postpone(StoredEvent, error: String)

        var event: StoredEvent {
            switch self {
            case .settle(let event, _, _, _, _), .finish(let event, _, _), .postpone(let event, _): event
            }
        }
    }

    /// Records that settling `event` failed: it is tried again later, and after `failingTries` left for people.
    func recordFailure(_ event: StoredEvent, error: any Error) async throws {
        let message = (error as? any CarteraError)?.message ?? "\(error)"
        logger.error("gateway event could not be settled", metadata: ["provider": "\(event.provider.rawValue)", "event": "\(event.eventID)", "error": "\(message)"])
        let now = clock()
        try await database.transaction(isolation: .readCommitted) { db in
            if event.attempts + 1 >= Self.failingTries {
                try await Self.mark(event, state: .failed, intentID: nil, error: message, now: now, on: db)
            } else {
                try await Self.retryLater(event, error: message, now: now, on: db)
            }
        }
    }

    func prepare(_ event: StoredEvent) async -> Prepared {
        guard let connector = intents.connectors[event.provider] else {
            return .postpone(event, error: "\(event.provider.name) no está configurado: el aviso espera a que se configure.")
        }
        guard let report = connector.report(fromEvent: event.body, type: event.type) else { return .finish(event, .ignored, error: nil) }
        if event.payloadSigned, let outcome = report.outcome { return .settle(event, report, outcome, paidAt: report.paidAt) }
        do {
            let charge = try await connector.retrieve(report.chargeID)
            // The payment names its intent as the provider keeps it (Mercado Pago's notices carry only the payment's id);
            // an unsigned payload naming another intent than the provider's is not believed.
            if !event.payloadSigned, let reported = report.intentID, let actual = charge.intentID, reported != actual {
                return .finish(event, .rejected, error: "El aviso nombra el pago \(reported), pero \(event.provider.name) dice que el cargo \(report.chargeID) es del pago \(actual).")
            }
            let intentID = event.payloadSigned ? (report.intentID ?? charge.intentID) : (charge.intentID ?? report.intentID)
            let named = GatewayEventReport(chargeID: report.chargeID, intentID: intentID, outcome: report.outcome, paidAt: report.paidAt)
            return .settle(event, named, charge.outcome, paidAt: charge.paidAt ?? report.paidAt, refunded: charge.refunded)
        } catch {
            return .postpone(event, error: error.message)
        }
    }

    func settleAlone(_ item: Prepared) async throws -> EventState {
        let now = clock()
        let (state, carried) = try await database.transaction(isolation: .readCommitted) { db in try await self.apply(item, now: now, on: db) }
        for entry in carried { intents.book.replays.store(entry) }
        return state
    }

    /// Settles a prepared event inside the caller's transaction, unless another instance handled it meanwhile.
    func apply(_ item: Prepared, now: Timestamp, on db: any SQLDatabase) async throws -> (EventState, [ReplayCache.Entry]) {
        switch item {
        case .finish(let event, let state, let error):
            try await Self.mark(event, state: state, intentID: nil, error: error, now: now, on: db)
            return (state, [])
        case .postpone(let event, let error):
            try await Self.retryLater(event, error: error, now: now, on: db)
            return (.received, [])
        case .settle(let event, let report, let outcome, let paidAt, let refunded):
            let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
            let current = try await db.raw(
                "SELECT state FROM gateway_events WHERE provider = \(bind: event.provider.rawValue) AND event_id = \(bind: event.eventID)\(lock)"
            ).first(decodingColumn: "state", as: String.self)
            guard current == EventState.received.rawValue else { return (EventState(rawValue: current ?? "") ?? .processed, []) }
            let (settlement, carried) = try await intents.settle(
                provider: event.provider, chargeID: report.chargeID, intentID: report.intentID, outcome: outcome, refunded: refunded, paidAt: paidAt,
                source: "event \(event.eventID)", now: now, on: db
            )
            switch settlement {
            case .applied(let intentID, _, _):
                try await Self.mark(event, state: .processed, intentID: intentID, error: nil, now: now, on: db)
                return (.processed, carried)
            case .inconsistent(let intentID, let message):
                try await Self.mark(event, state: .rejected, intentID: intentID, error: message, now: now, on: db)
                return (.rejected, carried)
            case .early(let intentID, let message):
                if event.attempts + 1 >= Self.failingTries {
                    try await Self.mark(event, state: .rejected, intentID: intentID, error: message, now: now, on: db)
                    return (.rejected, carried)
                }
                try await Self.retryLater(event, error: message, now: now, on: db)
                return (.received, carried)
            case .unmatched:
                if event.attempts + 1 >= Self.unmatchedTries {
                    try await Self.mark(event, state: .unmatched, intentID: nil, error: "Ningún pago de Cartera tiene el cargo \(report.chargeID).", now: now, on: db)
                    return (.unmatched, carried)
                }
                try await Self.retryLater(event, error: "Aún no hay un pago con el cargo \(report.chargeID).", now: now, on: db)
                return (.received, carried)
            }
        }
    }

    static func mark(_ event: StoredEvent, state: EventState, intentID: String?, error: String?, now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE gateway_events SET state = \(bind: state.rawValue), intent_id = \(bind: intentID), last_error = \(bind: error), processed_at = \(bind: now.text),
                attempts = attempts + 1
            WHERE provider = \(bind: event.provider.rawValue) AND event_id = \(bind: event.eventID) AND state = 'received'
            """
        ).run()
    }

    static func key(_ event: StoredEvent) -> String { event.provider.rawValue + "\u{0}" + event.eventID }

    /// Which of `events` are still waiting (another instance may have settled them), locked on PostgreSQL.
    static func stillReceived(_ events: [StoredEvent], on db: any SQLDatabase) async throws -> Set<String> {
        guard !events.isEmpty else { return [] }
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " ORDER BY provider, event_id FOR UPDATE" : ""
        // Both lists through the primary key (provider, event_id); pairs that are not the batch's are dropped.
        let wanted = Set(events.map(key))
        var waiting = Set<String>()
        for row in try await db.raw(
            """
            SELECT provider, event_id FROM gateway_events
            WHERE provider IN (\(binds: Array(Set(events.map(\.provider.rawValue))))) AND event_id IN (\(binds: events.map(\.eventID))) AND state = 'received'\(lock)
            """
        ).all() {
            let key = try row.decode(column: "provider", as: String.self) + "\u{0}" + row.decode(column: "event_id", as: String.self)
            if wanted.contains(key) { waiting.insert(key) }
        }
        return waiting
    }

    /// Marks events settled, each with its intent, in one statement.
    static func markProcessed(_ events: [(StoredEvent, intentID: String)], now: Timestamp, on db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        let values = events.map { event, intentID -> SQLQueryString in "(\(bind: event.provider.rawValue), \(bind: event.eventID), \(bind: intentID))" }
        try await db.raw(
            """
            UPDATE gateway_events SET state = 'processed', intent_id = v.column3, last_error = NULL, processed_at = \(bind: now.text),
                attempts = gateway_events.attempts + 1
            FROM (VALUES \(values.joined(separator: ", "))) AS v
            WHERE gateway_events.provider = v.column1 AND gateway_events.event_id = v.column2 AND gateway_events.state = 'received'
            """
        ).run()
    }

    /// The next try waits 2, 4, 8 … seconds, at most an hour.
    static func retryLater(_ event: StoredEvent, error: String, now: Timestamp, on db: any SQLDatabase) async throws {
        let wait = Int64(min(3600, 2 << min(event.attempts, 12)))
        try await db.raw(
            """
            UPDATE gateway_events SET attempts = attempts + 1, last_error = \(bind: error), next_attempt_at = \(bind: now.adding(seconds: wait).text)
            WHERE provider = \(bind: event.provider.rawValue) AND event_id = \(bind: event.eventID) AND state = 'received'
            """
        ).run()
    }

    // MARK: Janitor

    /// Asks the providers about intents quiet for `quietSeconds` that are still created or pending, or paid with the
    /// gateway's fee still unknown: the payment's state as the provider has it is settled as any report (which posts a
    /// fee learnt now); a reference past its expiry (plus an hour's grace for late notices) that is still unpaid
    /// expires; a charge the provider never recorded fails after 30 minutes.
    /// Returns how many intents it asked about.
    @discardableResult
    public func sweep(limit: Int = 100) async throws -> Int {
        let now = clock()
        let quiet = now.adding(seconds: -quietSeconds)
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(PaymentIntentRecord.columns), last_queried_at FROM payment_intents
                WHERE (status IN ('created', 'pending')
                        OR (status IN ('succeeded', 'partially_refunded', 'refunded') AND fee IS NULL AND provider_charge_id IS NOT NULL AND queries < 20))
                    AND updated_at <= \(bind: quiet.text)
                    AND (last_queried_at IS NULL OR last_queried_at <= \(bind: quiet.text))
                ORDER BY updated_at LIMIT \(literal: limit)
                """
            ).all()
        }
        var asked = 0
        for row in rows {
            let record = try PaymentIntentRecord(row)
            // Ask less often the longer it waits: after 1, 2, 4 … quiet periods, at most every 6 hours.
            if let last = try row.decode(column: "last_queried_at", as: String?.self).flatMap(Timestamp.init(text:)),
                now < last.adding(seconds: min(6 * 3600, quietSeconds << min(record.queries, 10))) {
                continue
            }
            guard let connector = intents.connectors[record.provider] else { continue }
            asked += 1
            do {
                try await intents.query(record, connector: connector, now: now)
            } catch {
                // One intent's trouble does not stop the sweep; it is asked again at its next turn.
                logger.error("payment intent janitor could not settle an intent", metadata: ["intent": "\(record.id)", "error": "\(error)"])
            }
        }
        return asked
    }
}
