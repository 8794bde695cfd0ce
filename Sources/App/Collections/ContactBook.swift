import CarteraCore
import CarteraSecurity
import Foundation
import LoanCollections
import SQLKit
import Store

/// What collection may do with a borrower: consent per channel (a ledger, latest row counts), holds that pause
/// collection on a loan, and promises to pay. Every change is audited.
public struct ContactBook: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// Where a consent or an opt-out came from.
    public enum Source: String, Sendable, CaseIterable {
        /// Given when the credit was taken (the contract's clause), or at onboarding.
        case onboarding = "alta"
        /// Recorded by staff from a call or a letter.
        case staff = "personal"
        /// The borrower's own answer to a message (BAJA, STOP…).
        case reply = "respuesta"
        /// The provider said the person opted out or blocked the sender.
        case provider = "proveedor"
    }

    /// Records `state` for `channel` in the caller's transaction.
    static func record(
        clientID: String, lenderID: String, channel: ContactChannel, state: ContactConsent, source: Source, evidence: String, textVersion: String?,
        actor: Administration.Actor, now: Timestamp, cipher: FieldCipher, on db: any SQLDatabase
    ) async throws {
        let id = APIClients.timeOrderedID("cns_", at: now)
        try await db.raw(
            """
            INSERT INTO contact_consents (id, lender_id, client_id, channel, state, source, evidence, text_version, recorded_at, recorded_by)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: clientID), \(bind: channel.rawValue), \(bind: state.rawValue), \(bind: source.rawValue),
                \(bind: cipher.encrypt(evidence, field: "contact_consents.evidence")), \(bind: textVersion), \(bind: now.text), \(bind: actor.id))
            """
        ).run()
        try await AuditLog.append(
            Administration.entry(
                actor: actor, action: "contact.consent.\(state.rawValue)", objectType: "client", objectID: clientID, at: now,
                change: "{\"channel\":\"\(channel.rawValue)\",\"source\":\"\(source.rawValue)\"}"
            ),
            on: db
        )
    }

    /// Records a consent or an opt-out.
    public func record(
        clientID: String, lenderID: String, channel: ContactChannel, state: ContactConsent, source: Source, evidence: String, textVersion: String? = nil,
        actor: Administration.Actor
    ) async throws {
        let now = clock()
        let cipher = keys.cipher
        try await database.transaction { db in
            try await Self.record(
                clientID: clientID, lenderID: lenderID, channel: channel, state: state, source: source, evidence: evidence, textVersion: textVersion, actor: actor,
                now: now, cipher: cipher, on: db
            )
        }
    }

    /// The latest consent per channel of each of the lender's clients (`clientIDs` nil: all of them).
    static func consents(lenderID: String, clientIDs: [String]? = nil, on db: any SQLDatabase) async throws -> [String: [ContactChannel: ContactConsent]] {
        var filter = SQLQueryString("")
        if let clientIDs {
            guard !clientIDs.isEmpty else { return [:] }
            filter = " AND client_id IN (\(binds: clientIDs))"
        }
        let rows = try await db.raw(
            "SELECT client_id, channel, state FROM contact_consents WHERE lender_id = \(bind: lenderID)\(filter) ORDER BY recorded_at, id"
        ).all()
        var consents: [String: [ContactChannel: ContactConsent]] = [:]
        for row in rows {
            guard let channel = ContactChannel(rawValue: try row.decode(column: "channel", as: String.self)),
                let state = ContactConsent(rawValue: try row.decode(column: "state", as: String.self))
            else { continue }
            consents[try row.decode(column: "client_id", as: String.self), default: [:]][channel] = state
        }
        return consents
    }

    /// The client's consent per channel now.
    public func consents(clientID: String, lenderID: String) async throws -> [ContactChannel: ContactConsent] {
        try await database.withConnection { db in try await Self.consents(lenderID: lenderID, clientIDs: [clientID], on: db)[clientID] ?? [:] }
    }

    // MARK: Holds

    /// Pauses collection messages on a loan until released.
    @discardableResult
    public func placeHold(loanID: String, lenderID: String, reason: HoldReason, note: String, actor: Administration.Actor) async throws -> String {
        let now = clock()
        let id = APIClients.timeOrderedID("hld_", at: now)
        try await database.transaction { db in
            guard try await db.raw("SELECT id FROM loans WHERE id = \(bind: loanID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw CollectionRefusal("loan_not_found", "No existe el crédito \(loanID).")
            }
            try await db.raw(
                """
                INSERT INTO collection_holds (id, lender_id, loan_id, reason, note, created_at, created_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: reason.rawValue), \(bind: String(note.prefix(500))), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "collections.hold", objectType: "loan", objectID: loanID, at: now, change: "{\"reason\":\"\(reason.rawValue)\"}"), on: db
            )
        }
        return id
    }

    /// Ends a hold.
    public func releaseHold(_ id: String, lenderID: String, actor: Administration.Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            guard let loan = try await db.raw(
                "SELECT loan_id FROM collection_holds WHERE id = \(bind: id) AND lender_id = \(bind: lenderID) AND released_at IS NULL"
            ).first(decodingColumn: "loan_id", as: String.self) else {
                throw CollectionRefusal("hold_not_found", "La pausa \(id) no existe o ya terminó.")
            }
            try await db.raw("UPDATE collection_holds SET released_at = \(bind: now.text), released_by = \(bind: actor.id) WHERE id = \(bind: id)").run()
            try await AuditLog.append(Administration.entry(actor: actor, action: "collections.hold_released", objectType: "loan", objectID: loan, at: now, change: "{\"hold\":\"\(id)\"}"), on: db)
        }
    }

    /// The active holds of the lender's loans.
    static func holds(lenderID: String, loanID: String? = nil, on db: any SQLDatabase) async throws -> [String: [HoldReason]] {
        let filter: SQLQueryString = loanID.map { " AND loan_id = \(bind: $0)" } ?? ""
        let rows = try await db.raw("SELECT loan_id, reason FROM collection_holds WHERE lender_id = \(bind: lenderID) AND released_at IS NULL\(filter)").all()
        var holds: [String: [HoldReason]] = [:]
        for row in rows {
            if let reason = HoldReason(rawValue: try row.decode(column: "reason", as: String.self)) {
                holds[try row.decode(column: "loan_id", as: String.self), default: []].append(reason)
            }
        }
        return holds
    }

    // MARK: Contact log

    /// Records a collector's contact attempt and its outcome (and when to try again).
    public func logContact(
        loanID: String, lenderID: String, channel: ContactChannel, outcome: ContactOutcome, note: String, nextActionOn: CalendarDate?, actor: Administration.Actor
    ) async throws {
        let now = clock()
        let id = APIClients.timeOrderedID("cct_", at: now)
        try await database.transaction { db in
            guard try await db.raw("SELECT id FROM loans WHERE id = \(bind: loanID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw CollectionRefusal("loan_not_found", "No existe el crédito \(loanID).")
            }
            try await db.raw(
                """
                INSERT INTO collection_contacts (id, lender_id, loan_id, channel, outcome, note, next_action_on, recorded_at, recorded_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: channel.rawValue), \(bind: outcome.rawValue), \(bind: String(note.prefix(500))),
                    \(bind: nextActionOn?.text), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "collections.contact", objectType: "loan", objectID: loanID, at: now, change: "{\"outcome\":\"\(outcome.rawValue)\"}"), on: db
            )
        }
    }

    // MARK: Promises

    /// Records a promise to pay on a loan (a newer promise replaces an open one, which is canceled).
    @discardableResult
    public func promise(loanID: String, lenderID: String, amount: Money, dueOn: CalendarDate, toleranceDays: Int, today: CalendarDate, actor: Administration.Actor) async throws -> String {
        let promise = PromiseToPay(madeOn: today, amount: amount.minorUnits, dueDate: dueOn, toleranceDays: toleranceDays)
        if let issue = promise.issues().first { throw CollectionRefusal(issue.code, issue.message) }
        let now = clock()
        let id = APIClients.timeOrderedID("ptp_", at: now)
        try await database.transaction { db in
            guard try await db.raw("SELECT id FROM loans WHERE id = \(bind: loanID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw CollectionRefusal("loan_not_found", "No existe el crédito \(loanID).")
            }
            try await db.raw(
                "UPDATE promises_to_pay SET canceled_at = \(bind: now.text) WHERE loan_id = \(bind: loanID) AND canceled_at IS NULL AND due_on >= \(bind: today.text)"
            ).run()
            try await db.raw(
                """
                INSERT INTO promises_to_pay (id, lender_id, loan_id, amount, promised_on, due_on, tolerance_days, created_at, created_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: amount.minorUnits), \(bind: today.text), \(bind: dueOn.text), \(bind: toleranceDays),
                    \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "collections.promise", objectType: "loan", objectID: loanID, at: now,
                    change: "{\"amount\":\"\(amount.decimalText)\",\"due_on\":\"\(dueOn.text)\",\"tolerance_days\":\(toleranceDays)}"
                ),
                on: db
            )
        }
        return id
    }

    /// The latest promise of each of the lender's loans that has one, with its state at the end of `asOf` from the
    /// loans' payments.
    static func promiseStates(lenderID: String, loanID: String? = nil, asOf: CalendarDate, on db: any SQLDatabase) async throws -> [String: PromiseToPay.State] {
        let filter: SQLQueryString = loanID.map { " AND loan_id = \(bind: $0)" } ?? ""
        let rows = try await db.raw(
            """
            SELECT loan_id, amount, promised_on, due_on, tolerance_days, canceled_at FROM promises_to_pay
            WHERE lender_id = \(bind: lenderID) AND promised_on <= \(bind: asOf.text)\(filter) ORDER BY created_at, id
            """
        ).all()
        var latest: [String: PromiseToPay] = [:]
        for row in rows {
            guard let made = CalendarDate(text: try row.decode(column: "promised_on", as: String.self)),
                let due = CalendarDate(text: try row.decode(column: "due_on", as: String.self))
            else { continue }
            latest[try row.decode(column: "loan_id", as: String.self)] = PromiseToPay(
                madeOn: made, amount: try row.decode(column: "amount", as: Int64.self), dueDate: due, toleranceDays: try row.decode(column: "tolerance_days", as: Int.self),
                canceled: try row.decode(column: "canceled_at", as: String?.self) != nil
            )
        }
        guard !latest.isEmpty else { return [:] }
        let payments = try await db.raw(
            """
            SELECT loan_id, value_date, amount FROM loan_events WHERE loan_id IN (\(binds: Array(latest.keys)))
                AND kind = 'payment' AND reversed_at IS NULL AND value_date <= \(bind: asOf.text)
            """
        ).all()
        var byLoan: [String: [(date: CalendarDate, amount: Int64)]] = [:]
        for row in payments {
            guard let date = CalendarDate(text: try row.decode(column: "value_date", as: String.self)) else { continue }
            byLoan[try row.decode(column: "loan_id", as: String.self), default: []].append((date, try row.decode(column: "amount", as: Int64.self)))
        }
        var states: [String: PromiseToPay.State] = [:]
        for (loan, promise) in latest { states[loan] = promise.state(asOf: asOf, payments: byLoan[loan] ?? []) }
        return states
    }
}

/// A collections request refused, with its code and what to do.
public struct CollectionRefusal: CarteraError {
    public let code: String
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
