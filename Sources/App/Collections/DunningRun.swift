import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store

/// The daily dunning step, after the end-of-day close: for each loan of the closed day's snapshots, the step of the
/// lender's dunning policy for its product and behaviour segment (`DunningPolicies`) it has reached (none while a hold or an open promise pauses it), its template filled with
/// the loan's values, and the contact rules applied (consent, the borrower's own 07:00–22:00, days, caps). The message
/// is written once per loan, step and due date — a rerun writes nothing new — as `scheduled` for the moment the rules
/// allow, `call_pending` for a collector's call, or `refused` with the reason (no consent, no address, a missing
/// value), so staff see why a borrower was not contacted.
public struct DunningRun: Sendable {
    let database: Database
    let book: LoanBook
    let directory: ClientDirectory
    let keys: LiveKeys
    let settings: MessagingSettings
    let policy: DunningPolicy
    let contactPolicy: ContactPolicy
    /// Gives a loan its CLABE when it has none yet (messages tell borrowers where to pay).
    let clabes: LoanCLABEs?

    public init(
        database: Database, book: LoanBook, directory: ClientDirectory, keys: LiveKeys, settings: MessagingSettings, clabes: LoanCLABEs? = nil, policy: DunningPolicy = .standard,
        contactPolicy: ContactPolicy = ContactPolicy()
    ) {
        self.database = database
        self.book = book
        self.directory = directory
        self.keys = keys
        self.settings = settings
        self.policy = policy
        self.contactPolicy = contactPolicy
        self.clabes = clabes
    }

    public struct Summary: Sendable, Encodable, Equatable {
        public let lenderID: String
        /// The day the messages are for (the day after the close).
        public let day: String
        public var loans = 0
        public var paused = 0
        public var scheduled = 0
        public var calls = 0
        /// Messages not written to be sent, by reason code.
        public var refused: [String: Int] = [:]
        /// Steps written on an earlier run.
        public var alreadyWritten = 0
        /// Loans whose message could not be prepared (the others are written), with the reason.
        public var failures: [String: String] = [:]
    }

    static let actor = Administration.Actor(kind: .system, id: "dunning")

    /// Writes the messages for the day after `closed`, which must be closed.
    public func run(lenderID: String, closed: CalendarDate) async throws -> Summary {
        let day = closed.adding(days: 1)
        let now = book.clock()
        var summary = Summary(lenderID: lenderID, day: day.text)
        let (snapshots, holds, promises, sent, lender, clabes, policies, templates) = try await database.withConnection { db in
            guard try await CollectionReports.isClosed(lenderID: lenderID, date: closed, on: db) else {
                throw CollectionRefusal("day_not_closed", "El día \(closed.text) no está cerrado; ejecute el cierre (cartera close-day) antes de la cobranza.")
            }
            let snapshots = try await CollectionReports.snapshots(lenderID: lenderID, date: closed, on: db).filter { $0.status == "active" }
            let holds = try await ContactBook.holds(lenderID: lenderID, on: db)
            let promises = try await ContactBook.promiseStates(lenderID: lenderID, asOf: closed, on: db)
            var sent: [String: Set<String>] = [:]
            for row in try await db.raw(
                "SELECT loan_id, step_key, due_date FROM collection_messages WHERE lender_id = \(bind: lenderID) AND due_date >= \(bind: closed.adding(days: -400).text)"
            ).all() {
                sent[try row.decode(column: "loan_id", as: String.self), default: []]
                    .insert(try row.decode(column: "step_key", as: String.self) + "|" + (try row.decode(column: "due_date", as: String.self)))
            }
            let lender = try await db.raw("SELECT short_name FROM lenders WHERE id = \(bind: lenderID)").first(decodingColumn: "short_name", as: String.self) ?? ""
            var clabes: [String: String] = [:]
            for row in try await db.raw("SELECT loan_id, clabe FROM loan_clabes WHERE lender_id = \(bind: lenderID)").all() {
                clabes[try row.decode(column: "loan_id", as: String.self)] = try row.decode(column: "clabe", as: String.self)
            }
            let policies = try await DunningPolicies.load(lenderID: lenderID, on: db)
            let templates = try await MessageTemplateBook.load(lenderID: lenderID, on: db)
            return (snapshots, holds, promises, sent, lender, clabes, policies, templates)
        }
        // The steps reached today, then what each needs.
        var due: [(snapshot: LoanSnapshot, step: DunningPolicy.Step, dueDate: CalendarDate, policy: DunningPolicy)] = []
        for snapshot in snapshots {
            summary.loans += 1
            let situation = Self.situation(snapshot, day: day, holds: holds[snapshot.loanID] ?? [], promise: promises[snapshot.loanID], sent: sent[snapshot.loanID] ?? [])
            if !situation.holds.isEmpty || situation.promise == PromiseToPay.State.open {
                summary.paused += 1
                continue
            }
            let policy = policies.policies.isEmpty ? self.policy : policies.policy(productCode: snapshot.productCode, segment: BehaviourSegment.of(snapshot))
            if let (step, dueDate) = policy.step(on: day, for: situation) { due.append((snapshot, step, dueDate, policy)) }
        }
        let clientIDs = Array(Set(due.map(\.snapshot.clientID)))
        let consents = try await database.withConnection { db in try await ContactBook.consents(lenderID: lenderID, clientIDs: clientIDs, on: db) }
        let cipher = keys.cipher
        for item in due {
            // One loan's trouble (a CLABE that cannot be assigned, an unreadable file) never stops the others.
            do {
                var clabe = clabes[item.snapshot.loanID]
                if clabe == nil, let assigner = self.clabes { clabe = try await assigner.clabe(of: item.snapshot.loanID, lenderID: lenderID) }
                let message = try await compose(
                    item.snapshot, item.step, item.dueDate, policy: item.policy, templates: templates, closed: closed, day: day, lender: lender, clabe: clabe
                )
                let draft = try await schedule(message, consents: consents[item.snapshot.clientID] ?? [:], lenderID: lenderID, now: now)
                let policy = item.policy
                let written = try await database.transaction { db in try await Self.insert(draft, policy: policy, lenderID: lenderID, now: now, cipher: cipher, on: db) }
                guard written else {
                    summary.alreadyWritten += 1
                    continue
                }
                switch draft.state {
                case "scheduled": summary.scheduled += 1
                case "call_pending": summary.calls += 1
                default: summary.refused[draft.errorCode ?? "refused", default: 0] += 1
                }
            } catch {
                summary.failures[item.snapshot.loanID] = String(describing: error).prefix(200).description
            }
        }
        let record = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO dunning_runs (lender_id, business_date, summary, finished_at) VALUES (\(bind: lenderID), \(bind: day.text), \(bind: record), \(bind: now.text))
                ON CONFLICT (lender_id, business_date) DO UPDATE SET summary = excluded.summary, finished_at = excluded.finished_at
                """
            ).run()
        }
        return summary
    }

    /// Where a loan stands for the policy on `day`, from the snapshot of the day before.
    static func situation(_ snapshot: LoanSnapshot, day: CalendarDate, holds: [HoldReason], promise: PromiseToPay.State?, sent: Set<String>) -> DunningPolicy.Situation {
        var oldest: CalendarDate?
        if snapshot.daysPastDue > 0 {
            oldest = snapshot.date.adding(days: -Int64(snapshot.daysPastDue))
        } else if snapshot.amountDue > 0 {
            oldest = snapshot.date
        } else if let next = snapshot.nextDueDate, next <= day {
            oldest = next
        }
        return DunningPolicy.Situation(oldestUnpaidDue: oldest, nextDue: snapshot.nextDueDate, holds: holds, promise: promise, sent: sent)
    }

    /// A message about to be written.
    struct Draft {
        var loanID: String
        var clientID: String
        var step: DunningPolicy.Step
        var template: MessageTemplate
        var dueDate: CalendarDate
        var day: CalendarDate
        var recipient: String
        var zone: String
        var rendered: MessageTemplate.Rendered?
        var state = "scheduled"
        var sendAfter: Timestamp = Timestamp(millisecondsSince1970: 0)
        var errorCode: String?
        var errorMessage: String?
    }

    func compose(
        _ snapshot: LoanSnapshot, _ step: DunningPolicy.Step, _ dueDate: CalendarDate, policy: DunningPolicy, templates: [MessageTemplate], closed: CalendarDate,
        day: CalendarDate, lender: String, clabe: String?
    ) async throws -> Draft {
        guard let template = templates.first(where: { $0.key == step.template }) else {
            throw CollectionRefusal("template_missing", "La política \(policy.code) usa la plantilla «\(step.template)», que no existe.")
        }
        let client = try await directory.get(id: snapshot.clientID)
        let profile = client?.profile
        let recipient: String? =
            switch step.channel {
            case .email: profile?.email
            case .sms, .whatsapp, .voice: profile?.phones.first
            }
        var draft = Draft(
            loanID: snapshot.loanID, clientID: snapshot.clientID, step: step, template: template, dueDate: dueDate, day: day, recipient: recipient ?? "",
            zone: MexicanTimeZones.zone(explicit: profile?.timeZone, state: profile?.address.state ?? "")
        )
        guard recipient != nil, let client else {
            draft.state = "refused"
            draft.errorCode = "no_address"
            draft.errorMessage = "El acreditado no tiene \(step.channel == .email ? "correo electrónico" : "celular") registrado; agréguelo a su expediente."
            return draft
        }
        // The amount: what is due as of the close, plus the installment falling due on or after it that the message is about.
        var amount = snapshot.amountDue
        if dueDate > closed, let position = try await book.position(snapshot.loanID, lenderID: try await book.lender(of: snapshot.loanID), asOf: closed).1,
            let installment = position.installments.first(where: { $0.dueDate == dueDate })
        {
            amount += installment.remaining.minorUnits
        }
        var values = [
            "nombre": client.displayName, "monto": Money(minorUnits: amount, currency: .mxn).formatted(.symbol), "fecha_limite": Self.dayText(dueDate),
            "credito": snapshot.loanID, "acreedor": lender, "fecha_calculo": Self.dayText(closed), "dias_atraso": String(max(0, dueDate.days(until: day))),
        ]
        if let clabe { values["clabe"] = clabe }
        if let phone = settings.contactPhone { values["telefono"] = phone }
        do {
            draft.rendered = try template.render(values)
        } catch {
            draft.state = "refused"
            draft.errorCode = "missing_value"
            draft.errorMessage = error.message + (error.variable == "telefono" ? " Configure CARTERA_COLLECTIONS_PHONE." : "")
        }
        return draft
    }

    /// Applies consent and the contact rules; voice steps wait for a collector.
    func schedule(_ draft: Draft, consents: [ContactChannel: ContactConsent], lenderID: String, now: Timestamp) async throws -> Draft {
        var draft = draft
        guard draft.state == "scheduled" else { return draft }
        let channel = draft.step.channel
        let clientID = draft.clientID
        let previous = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT send_after FROM collection_messages WHERE lender_id = \(bind: lenderID) AND client_id = \(bind: clientID)
                    AND channel = \(bind: channel.rawValue) AND state IN ('scheduled', 'sending', 'sent', 'delivered', 'read', 'unknown')
                    AND send_after >= \(bind: now.adding(seconds: -8 * 86_400).text)
                """
            ).all(decodingColumn: "send_after", as: String.self).compactMap(Timestamp.init(text:))
        }
        // Calls follow the same hours (the collector sees when); they need no written consent, only no opt-out.
        let consent = channel == .voice && consents[.voice] != .optedOut ? .granted : consents[channel] ?? .unknown
        switch ContactGate.decide(channel: channel, requested: now, zone: draft.zone, consent: consent, previous: previous, policy: contactPolicy) {
        case .send(let at):
            draft.sendAfter = at
            if channel == .voice { draft.state = "call_pending" }
        case .refused(let code, let message):
            draft.state = "refused"
            draft.errorCode = code
            draft.errorMessage = message
        }
        return draft
    }

    /// Writes the message unless this step for this due date was written before; true when written.
    static func insert(_ draft: Draft, policy: DunningPolicy, lenderID: String, now: Timestamp, cipher: FieldCipher, on db: any SQLDatabase) async throws -> Bool {
        let id = APIClients.timeOrderedID("msg_", at: now)
        let dedupe = "\(draft.loanID)|\(draft.step.key)|\(draft.dueDate.text)"
        let parameters = String(decoding: try JSONEncoder().encode(draft.rendered?.parameters ?? []), as: UTF8.self)
        let sendAfter = draft.state == "refused" ? now : draft.sendAfter
        try await db.raw(
            """
            INSERT INTO collection_messages (id, lender_id, client_id, loan_id, channel, template_key, template_version, provider_template, policy_code, policy_version, step_key,
                due_date, business_date, dedupe_key, recipient, time_zone, subject, body, parameters, state, send_after, attempts, next_attempt_at, error_code,
                error_message, created_at, updated_at)
            SELECT \(bind: id), \(bind: lenderID), \(bind: draft.clientID), \(bind: draft.loanID), \(bind: draft.step.channel.rawValue), \(bind: draft.template.key),
                \(bind: draft.template.version), \(bind: draft.template.whatsAppName), \(bind: policy.code), \(bind: policy.version), \(bind: draft.step.key), \(bind: draft.dueDate.text),
                \(bind: draft.day.text), \(bind: dedupe), \(bind: cipher.encrypt(draft.recipient, field: "collection_messages.recipient")), \(bind: draft.zone),
                \(bind: draft.rendered?.subject), \(bind: cipher.encrypt(draft.rendered?.body ?? "", field: "collection_messages.body")),
                \(bind: cipher.encrypt(parameters, field: "collection_messages.parameters")), \(bind: draft.state), \(bind: sendAfter.text), 0, \(bind: sendAfter.text),
                \(bind: draft.errorCode), \(bind: draft.errorMessage), \(bind: now.text), \(bind: now.text)
            WHERE NOT EXISTS (SELECT 1 FROM collection_messages WHERE lender_id = \(bind: lenderID) AND dedupe_key = \(bind: dedupe))
            """
        ).run()
        return try await db.raw("SELECT id FROM collection_messages WHERE id = \(bind: id)").first() != nil
    }

    static func dayText(_ date: CalendarDate) -> String {
        let text = date.text
        return "\(text.suffix(2))/\(text.dropFirst(5).prefix(2))/\(text.prefix(4))"
    }
}
