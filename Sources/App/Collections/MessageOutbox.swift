import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import Lending
import LoanCollections
import Logging
import SQLKit
import ServiceLifecycle
import Store

/// Sends the collection messages the dunning step scheduled, and takes what providers report back.
///
/// A due message is claimed (`sending`, under a lease; PostgreSQL instances skip each other's rows) in its own
/// transaction before the provider is called, so no two workers send it. Just before sending, the borrower's consent
/// and the hour in their zone are checked again, and a payment posted since the message was written cancels it. A
/// provider that did not answer (no connection, 429, outage) gets the message again later with growing waits; one that
/// may have taken it without saying so leaves it `unknown`, as does a worker that stopped while sending — never sent a
/// second time by itself, shown to staff to check. Refusals are final; an opt-out the provider reports is recorded in
/// the consent ledger.
public final class MessageOutbox: Service, Sendable {
    let database: Database
    let keys: LiveKeys
    let senders: [ContactChannel: any MessageSender]
    /// Where providers report a message's fate (`<public URL>/webhooks/twilio/estado`), when Cartera is reachable.
    let statusCallback: @Sendable (ContactChannel) -> String?
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    let interval: Duration
    let contactPolicy: ContactPolicy
    let enabled: Bool

    public init(
        database: Database, keys: LiveKeys, senders: [ContactChannel: any MessageSender], statusCallback: @escaping @Sendable (ContactChannel) -> String? = { _ in nil },
        logger: Logger, clock: @escaping @Sendable () -> Timestamp = { .now }, interval: Duration = .seconds(15), contactPolicy: ContactPolicy = ContactPolicy(),
        enabled: Bool = true
    ) {
        self.enabled = enabled
        self.database = database
        self.keys = keys
        self.senders = senders
        self.statusCallback = statusCallback
        self.logger = logger
        self.clock = clock
        self.interval = interval
        self.contactPolicy = contactPolicy
    }

    /// Tries after a provider did not answer: 1 min, 5 min, 30 min, 2 h, 6 h, then 12 h; after 10 tries the message fails.
    static let waits: [Int64] = [60, 300, 1_800, 7_200, 21_600, 43_200]
    static let maximumTries = 10
    static let leaseSeconds: Int64 = 300

    public func run() async throws {
        // A service that returns stops the application: when messages are sent by hand, it waits for the shutdown.
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                do { _ = try await drain() } catch { logger.error("collection message outbox failed", metadata: ["error": "\(error)"]) }
                try await Task.sleep(for: interval)
            }
        }
    }

    public struct DrainSummary: Sendable, Equatable, Encodable {
        public var sent = 0
        public var retrying = 0
        public var refused = 0
        public var unknown = 0
        public var canceled = 0
        public var rescheduled = 0

        public init(sent: Int = 0, retrying: Int = 0, refused: Int = 0, unknown: Int = 0, canceled: Int = 0, rescheduled: Int = 0) {
            self.sent = sent
            self.retrying = retrying
            self.refused = refused
            self.unknown = unknown
            self.canceled = canceled
            self.rescheduled = rescheduled
        }
    }

    /// Sends every message due now; returns what happened to them.
    @discardableResult
    public func drain(limit: Int = 200) async throws -> DrainSummary {
        var summary = DrainSummary()
        let now = clock()
        // A worker that stopped mid-send: the provider may have the message.
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE collection_messages SET state = 'unknown', lease_until = NULL, updated_at = \(bind: now.text), error_code = 'worker_stopped',
                    error_message = 'El envío se interrumpió; revise en el proveedor si llegó antes de reenviarlo.'
                WHERE state = 'sending' AND lease_until < \(bind: now.text)
                """
            ).run()
        }
        for _ in 0..<limit {
            guard let claimed = try await claim(now: clock()) else { break }
            switch try await deliver(claimed) {
            case "sent": summary.sent += 1
            case "retry": summary.retrying += 1
            case "unknown": summary.unknown += 1
            case "canceled": summary.canceled += 1
            case "rescheduled": summary.rescheduled += 1
            default: summary.refused += 1
            }
        }
        return summary
    }

    struct Claimed: Sendable {
        let id: String
        let lenderID: String
        let clientID: String
        let loanID: String
        let channel: ContactChannel
        let providerTemplate: String?
        let recipient: String
        let zone: String
        let subject: String?
        let body: String
        let parameters: [String]
        let attempts: Int
        /// The day the message is for (the day after the close it was written from).
        let businessDate: CalendarDate
    }

    /// Takes the next due message, in its own transaction. A message that cannot be read (its key is gone) fails
    /// there, so it never blocks the ones behind it.
    func claim(now: Timestamp) async throws -> Claimed? {
        let keys = keys
        while true {
            let outcome: Claimed?? = try await database.transaction { db in
                let skipLocked: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
                guard let row = try await db.raw(
                    """
                    SELECT id, lender_id, client_id, loan_id, channel, provider_template, recipient, time_zone, subject, body, parameters, attempts, business_date
                    FROM collection_messages WHERE state = 'scheduled' AND next_attempt_at <= \(bind: now.text) AND send_after <= \(bind: now.text)
                    ORDER BY next_attempt_at, id LIMIT 1\(skipLocked)
                    """
                ).first() else { return .some(nil) }
                let id = try row.decode(column: "id", as: String.self)
                let claimed: Claimed
                do {
                    let parameters = try keys.decrypt(try row.decode(column: "parameters", as: String.self), field: "collection_messages.parameters")
                    claimed = Claimed(
                        id: id, lenderID: try row.decode(column: "lender_id", as: String.self), clientID: try row.decode(column: "client_id", as: String.self),
                        loanID: try row.decode(column: "loan_id", as: String.self),
                        channel: ContactChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .sms,
                        providerTemplate: try row.decode(column: "provider_template", as: String?.self),
                        recipient: try keys.decrypt(try row.decode(column: "recipient", as: String.self), field: "collection_messages.recipient"),
                        zone: try row.decode(column: "time_zone", as: String.self), subject: try row.decode(column: "subject", as: String?.self),
                        body: try keys.decrypt(try row.decode(column: "body", as: String.self), field: "collection_messages.body"),
                        parameters: (try? JSONDecoder().decode([String].self, from: Data(parameters.utf8))) ?? [],
                        attempts: try row.decode(column: "attempts", as: Int.self) + 1,
                        businessDate: CalendarDate(text: try row.decode(column: "business_date", as: String.self)) ?? CalendarDate(year: 1970, month: 1, day: 1)!
                    )
                } catch {
                    try await db.raw(
                        """
                        UPDATE collection_messages SET state = 'failed', error_code = 'unreadable', updated_at = \(bind: now.text),
                            error_message = 'No se pudo leer el mensaje guardado (llaves de cifrado); no se envió.' WHERE id = \(bind: id)
                        """
                    ).run()
                    return .none
                }
                try await db.raw(
                    """
                    UPDATE collection_messages SET state = 'sending', attempts = attempts + 1, lease_until = \(bind: now.adding(seconds: Self.leaseSeconds).text),
                        updated_at = \(bind: now.text) WHERE id = \(bind: id) AND state = 'scheduled'
                    """
                ).run()
                return .some(claimed)
            }
            // nil: an unreadable message was set aside; look for the next one.
            if let outcome { return outcome }
        }
    }

    /// What stands between a claimed message and its sending, read just before it goes.
    struct Checks: Sendable {
        let consent: ContactConsent
        let cancel: (code: String, message: String)?
        let previous: [Timestamp]
    }

    func checks(_ message: Claimed) async throws -> Checks {
        // Anything recorded after the closed day ended is news the message was not written with.
        let cutoff = EndOfDayClose.closingInstant(message.businessDate.adding(days: -1))
        return try await database.withConnection { db in
            let consent = try await ContactBook.consents(lenderID: message.lenderID, clientIDs: [message.clientID], on: db)[message.clientID]?[message.channel] ?? .unknown
            let paid = try await db.raw(
                """
                SELECT id FROM loan_events WHERE loan_id = \(bind: message.loanID) AND kind = 'payment' AND reversed_at IS NULL
                    AND (recorded_at > \(bind: cutoff.text) OR value_date >= \(bind: message.businessDate.text)) LIMIT 1
                """
            ).first() != nil
            let status = try await db.raw("SELECT status FROM loans WHERE id = \(bind: message.loanID)").first(decodingColumn: "status", as: String.self)
            let held = try await ContactBook.holds(lenderID: message.lenderID, loanID: message.loanID, on: db)[message.loanID]?.isEmpty == false
            let promise = try await ContactBook.promiseStates(lenderID: message.lenderID, loanID: message.loanID, asOf: message.businessDate, on: db)[message.loanID]
            let previous = try await db.raw(
                """
                SELECT sent_at FROM collection_messages WHERE lender_id = \(bind: message.lenderID) AND client_id = \(bind: message.clientID)
                    AND channel = \(bind: message.channel.rawValue) AND id <> \(bind: message.id) AND sent_at IS NOT NULL
                    AND state IN ('sent', 'delivered', 'read', 'unknown', 'undelivered')
                """
            ).all(decodingColumn: "sent_at", as: String.self).compactMap(Timestamp.init(text:))
            var cancel: (String, String)?
            if paid {
                cancel = ("paid", "Se recibió un pago después del cierre del que salió el mensaje; no se envió.")
            } else if status != LoanStatus.active.rawValue {
                cancel = ("loan_closed", "El crédito ya no está vigente; no se envió.")
            } else if held {
                cancel = ("hold", "La cobranza del crédito está en pausa; no se envió.")
            } else if promise == .open {
                cancel = ("promise", "El acreditado tiene una promesa de pago vigente; no se envió.")
            }
            return Checks(consent: consent, cancel: cancel.map { (code: $0.0, message: $0.1) }, previous: previous)
        }
    }

    /// Checks, sends and records one claimed message; returns what became of it.
    func deliver(_ message: Claimed) async throws -> String {
        let now = clock()
        let checks: Checks
        do {
            checks = try await self.checks(message)
        } catch {
            // Nothing was sent: the message goes back to wait for the next pass.
            try await update(message.id, "state = 'scheduled', attempts = attempts - 1, lease_until = NULL, next_attempt_at = \(bind: now.adding(seconds: 300).text)", now: now)
            throw error
        }
        if let cancel = checks.cancel {
            try await finish(message, state: "canceled", code: cancel.code, detail: cancel.message, now: now)
            return "canceled"
        }
        switch ContactGate.decide(channel: message.channel, requested: now, zone: message.zone, consent: checks.consent, previous: checks.previous, policy: contactPolicy) {
        case .refused(let code, let detail):
            try await finish(message, state: "canceled", code: code, detail: detail, now: now)
            return "canceled"
        case .send(let at) where at > now:
            try await update(message.id, "state = 'scheduled', attempts = attempts - 1, lease_until = NULL, send_after = \(bind: at.text), next_attempt_at = \(bind: at.text)", now: now)
            return "rescheduled"
        case .send:
            break
        }
        guard let sender = senders[message.channel] else {
            let wait = now.adding(seconds: 900)
            try await update(
                message.id,
                "state = 'scheduled', attempts = attempts - 1, lease_until = NULL, next_attempt_at = \(bind: wait.text), error_code = 'not_configured', error_message = \(bind: "No hay proveedor configurado para \(message.channel.label); el mensaje espera.")",
                now: now
            )
            return "retry"
        }
        var outgoing = OutgoingMessage(id: message.id, to: message.recipient, subject: message.subject, body: message.body, statusCallback: statusCallback(message.channel))
        if message.channel == .whatsapp, let name = message.providerTemplate {
            outgoing.whatsAppTemplate = .init(name: name, parameters: message.parameters)
        }
        let result: Result<SentMessage, MessagingError>
        do { result = .success(try await sender.send(outgoing)) } catch { result = .failure(error) }
        let at = clock()
        switch result {
        case .success(let sent):
            try await update(
                message.id,
                "state = 'sent', lease_until = NULL, provider_id = \(bind: sent.providerID), provider_status = \(bind: sent.status), sent_at = \(bind: at.text), error_code = NULL, error_message = NULL",
                now: at
            )
            try await applyEarlyReports(message, providerID: sent.providerID, now: at)
            return "sent"
        case .failure(let error):
            // Provider texts can quote the recipient: only codes and Cartera's own words are kept.
            switch error {
            case .unavailable, .notConfigured:
                let detail = error.code == "message_provider_not_configured"
                    ? "Las credenciales del proveedor fallaron; revise su configuración. El mensaje se reintentará."
                    : "El proveedor no respondió; el mensaje se reintentará."
                if message.attempts >= Self.maximumTries {
                    try await finish(message, state: "failed", code: error.code, detail: "El proveedor no lo tomó tras \(Self.maximumTries) intentos.", now: at)
                    return "failed"
                }
                let wait = at.adding(seconds: Self.waits[min(message.attempts - 1, Self.waits.count - 1)])
                try await update(
                    message.id,
                    "state = 'scheduled', lease_until = NULL, next_attempt_at = \(bind: wait.text), error_code = \(bind: error.code), error_message = \(bind: detail)",
                    now: at
                )
                return "retry"
            case .outcomeUnknown:
                try await finish(
                    message, state: "unknown", code: error.code,
                    detail: "No se sabe si el proveedor lo recibió; revíselo en el proveedor antes de reenviarlo para no duplicarlo.", now: at
                )
                return "unknown"
            case .refused(_, let providerCode, _, let optedOut):
                let cipher = keys.cipher
                let actor = Administration.Actor(kind: .system, id: "messages")
                try await database.transaction { db in
                    try await db.raw(
                        """
                        UPDATE collection_messages SET state = 'refused', lease_until = NULL, error_code = \(bind: providerCode), updated_at = \(bind: at.text),
                            error_message = \(bind: optedOut ? "El destinatario se dio de baja con el proveedor; se registró la baja." : "El proveedor rechazó el mensaje (código \(providerCode)).")
                        WHERE id = \(bind: message.id)
                        """
                    ).run()
                    if optedOut {
                        try await ContactBook.record(
                            clientID: message.clientID, lenderID: message.lenderID, channel: message.channel, state: .optedOut, source: .provider,
                            evidence: "El proveedor rechazó el mensaje \(message.id) con el código \(providerCode).", textVersion: nil, actor: actor, now: at, cipher: cipher, on: db
                        )
                    }
                }
                return "refused"
            }
        }
    }

    func update(_ id: String, _ assignments: SQLQueryString, now: Timestamp) async throws {
        try await database.transaction { db in
            try await db.raw("UPDATE collection_messages SET \(assignments), updated_at = \(bind: now.text) WHERE id = \(bind: id)").run()
        }
    }

    func finish(_ message: Claimed, state: String, code: String, detail: String, now: Timestamp) async throws {
        try await update(message.id, "state = \(bind: state), lease_until = NULL, error_code = \(bind: code), error_message = \(bind: detail)", now: now)
    }

    // MARK: Reports from providers

    /// How far along a status is; a report never moves a message back.
    static func rank(_ state: String) -> Int {
        switch state {
        case "sending": 0
        case "sent": 1
        case "delivered": 2
        case "read": 3
        case "failed", "undelivered": 4
        default: -1
        }
    }

    /// Moves a message to a reported status unless it is already as far or further; true when it moved.
    static func advance(_ id: String, from state: String, to update: MessageStatusReport.Update, now: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        guard ["sent", "delivered", "read", "failed", "undelivered", "unknown"].contains(state) else { return false }
        guard rank(update.status) > rank(state) || (state == "unknown" && rank(update.status) >= 1) else { return false }
        try await db.raw(
            """
            UPDATE collection_messages SET state = \(bind: update.status), provider_status = \(bind: update.status), error_code = \(bind: update.errorCode),
                updated_at = \(bind: now.text) WHERE id = \(bind: id)
            """
        ).run()
        return true
    }

    /// Applies the statuses that arrived before the message's provider id was recorded.
    func applyEarlyReports(_ message: Claimed, providerID: String, now: Timestamp) async throws {
        let cipher = keys.cipher
        try await database.transaction(isolation: .readCommitted) { db in
            try await Self.lockReports(channel: message.channel, providerID: providerID, on: db)
            let events = try await db.raw(
                """
                SELECT event_key, status, error_code FROM message_events WHERE channel = \(bind: message.channel.rawValue) AND provider_id = \(bind: providerID)
                    AND message_id IS NULL ORDER BY received_at, event_key
                """
            ).all()
            // The message's state as it stands: a report that came after the send was recorded, but before this,
            // may already have moved it past what the early ones say (an early "delivered" must not undo a "read").
            var state = try await db.raw("SELECT state FROM collection_messages WHERE id = \(bind: message.id)").first(decodingColumn: "state", as: String.self) ?? "sent"
            for event in events {
                let update = MessageStatusReport.Update(
                    providerID: providerID, status: try event.decode(column: "status", as: String.self), errorCode: try event.decode(column: "error_code", as: String?.self)
                )
                if try await Self.advance(message.id, from: state, to: update, now: now, on: db) { state = update.status }
                if let code = update.errorCode, Self.optOutErrors.contains(code) {
                    try await ContactBook.record(
                        clientID: message.clientID, lenderID: message.lenderID, channel: message.channel, state: .optedOut, source: .provider,
                        evidence: "El proveedor informó \(code) sobre el mensaje \(message.id).", textVersion: nil, actor: Administration.Actor(kind: .system, id: "messages"),
                        now: now, cipher: cipher, on: db
                    )
                }
            }
            try await db.raw(
                "UPDATE message_events SET message_id = \(bind: message.id) WHERE channel = \(bind: message.channel.rawValue) AND provider_id = \(bind: providerID) AND message_id IS NULL"
            ).run()
        }
    }

    /// Orders everything done with one provider message's reports (statuses arriving together, and the early ones
    /// applied once its send is recorded): on PostgreSQL a transaction-scoped advisory lock on the channel and provider
    /// id, so these READ COMMITTED transactions see each other's work instead of failing on serialization under a
    /// burst of callbacks; SQLite runs writers one at a time anyway.
    static func lockReports(channel: ContactChannel, providerID: String, on db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql" else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.reportLockClass), hashtext(\(bind: channel.rawValue + "|" + providerID)))").run()
    }

    /// The first key of the report locks ("MSGR" in ASCII), apart from other advisory locks.
    static let reportLockClass: Int32 = 0x4D53_4752

    /// Opt-out error codes: Twilio 21610 (unsubscribed), WhatsApp 131050 (stopped the business's messages).
    static let optOutErrors: Set<String> = TwilioSMSSender.optedOutCodes.union(WhatsAppCloudSender.optedOutCodes)

    /// Applies a provider's report (statuses once each; opt-out replies recorded against the client with that number).
    public func apply(_ report: MessageStatusReport, channel: ContactChannel, directory: ClientDirectory) async throws {
        let now = clock()
        let cipher = keys.cipher
        let actor = Administration.Actor(kind: .system, id: "messages")
        for update in report.updates {
            // The status and the opt-out it may mean are recorded together, or not at all (the provider retries).
            try await database.transaction(isolation: .readCommitted) { db in
                try await Self.lockReports(channel: channel, providerID: update.providerID, on: db)
                let message = try await db.raw(
                    "SELECT id, lender_id, client_id, state FROM collection_messages WHERE channel = \(bind: channel.rawValue) AND provider_id = \(bind: update.providerID)"
                ).first()
                let id = try message?.decode(column: "id", as: String.self)
                let known = try await db.raw(
                    "SELECT status FROM message_events WHERE channel = \(bind: channel.rawValue) AND event_key = \(bind: update.eventKey)"
                ).first()
                guard known == nil else { return }
                // Kept even when the message is not known yet: the provider may report before the send is recorded.
                try await db.raw(
                    """
                    INSERT INTO message_events (channel, event_key, provider_id, message_id, status, error_code, received_at)
                    VALUES (\(bind: channel.rawValue), \(bind: update.eventKey), \(bind: update.providerID), \(bind: id), \(bind: update.status),
                        \(bind: update.errorCode), \(bind: now.text))
                    """
                ).run()
                guard let message, let id else { return }
                _ = try await Self.advance(id, from: try message.decode(column: "state", as: String.self), to: update, now: now, on: db)
                if let code = update.errorCode, Self.optOutErrors.contains(code) {
                    try await ContactBook.record(
                        clientID: try message.decode(column: "client_id", as: String.self), lenderID: try message.decode(column: "lender_id", as: String.self),
                        channel: channel, state: .optedOut, source: .provider, evidence: "El proveedor informó \(code) sobre el mensaje \(id).", textVersion: nil,
                        actor: actor, now: now, cipher: cipher, on: db
                    )
                }
            }
        }
        for reply in report.replies where MessageStatusReport.isOptOut(reply.text) {
            let clients = try await directory.find(.phone, reply.from).map(\.id)
            try await database.transaction { db in
                let key = "reply|" + reply.providerID
                guard try await db.raw("SELECT status FROM message_events WHERE channel = \(bind: channel.rawValue) AND event_key = \(bind: key)").first() == nil else { return }
                try await db.raw(
                    """
                    INSERT INTO message_events (channel, event_key, provider_id, message_id, status, error_code, received_at)
                    VALUES (\(bind: channel.rawValue), \(bind: key), NULL, NULL, 'opt_out', NULL, \(bind: now.text))
                    """
                ).run()
                for client in clients {
                    for lender in try await db.raw("SELECT lender_id FROM clients WHERE id = \(bind: client)").all(decodingColumn: "lender_id", as: String.self) {
                        try await ContactBook.record(
                            clientID: client, lenderID: lender, channel: channel, state: .optedOut, source: .reply,
                            evidence: "Respondió «\(String(reply.text.prefix(40)))» (\(reply.providerID)).", textVersion: nil, actor: actor, now: now, cipher: cipher, on: db
                        )
                    }
                }
            }
        }
    }
}
