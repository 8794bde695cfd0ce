import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import LoanCollections
import SQLKit
import Store

/// The delinquency report by e-mail to subscribed staff, daily (each closed day) or weekly (the Sunday that closes a
/// week), over the lender's SMTP server. Each report is recorded before it is sent, so it goes once; one the server
/// did not take is tried again on the next pass.
public struct ReportMailer: Sendable {
    let database: Database
    let keys: LiveKeys
    let sender: SMTPSender?
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, sender: SMTPSender?, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.sender = sender
        self.clock = clock
    }

    /// A mailer over the configured SMTP server (none: reports wait).
    public init(database: Database, keys: LiveKeys, settings: MessagingSettings, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.init(database: database, keys: keys, sender: settings.smtp.map { SMTPSender(settings: $0) }, clock: clock)
    }

    public enum Frequency: String, Sendable, CaseIterable, Codable {
        case daily = "diario"
        case weekly = "semanal"
    }

    public struct Subscription: Sendable, Encodable {
        public let id: String
        public let email: String
        public let frequency: Frequency
        public let createdAt: String
    }

    public func subscribe(lenderID: String, email: String, frequency: Frequency, actor: Administration.Actor) async throws -> String {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard MIMEMessage.isSafeAddress(address) else { throw CollectionRefusal("email_invalid", "«\(email)» no es una dirección de correo válida.") }
        let now = clock()
        let id = APIClients.timeOrderedID("rsb_", at: now)
        let cipher = keys.cipher
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO report_subscriptions (id, lender_id, email, frequency, created_at, created_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: cipher.encrypt(address, field: "report_subscriptions.email")), \(bind: frequency.rawValue), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "reports.subscribed", objectType: "report_subscription", objectID: id, at: now, change: "{\"frequency\":\"\(frequency.rawValue)\"}"),
                on: db
            )
        }
        return id
    }

    public func cancel(_ id: String, lenderID: String, actor: Administration.Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            guard try await db.raw(
                "SELECT id FROM report_subscriptions WHERE id = \(bind: id) AND lender_id = \(bind: lenderID) AND canceled_at IS NULL"
            ).first() != nil else { throw CollectionRefusal("subscription_not_found", "No hay una suscripción vigente \(id).") }
            try await db.raw("UPDATE report_subscriptions SET canceled_at = \(bind: now.text), canceled_by = \(bind: actor.id) WHERE id = \(bind: id)").run()
            try await AuditLog.append(Administration.entry(actor: actor, action: "reports.unsubscribed", objectType: "report_subscription", objectID: id, at: now, change: "{}"), on: db)
        }
    }

    public func subscriptions(lenderID: String) async throws -> [Subscription] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, email, frequency, created_at FROM report_subscriptions WHERE lender_id = \(bind: lenderID) AND canceled_at IS NULL ORDER BY created_at, id"
            ).all()
        }
        return try rows.map { row in
            Subscription(
                id: try row.decode(column: "id", as: String.self),
                email: try keys.decrypt(try row.decode(column: "email", as: String.self), field: "report_subscriptions.email"),
                frequency: Frequency(rawValue: try row.decode(column: "frequency", as: String.self)) ?? .daily, createdAt: try row.decode(column: "created_at", as: String.self)
            )
        }
    }

    /// Whether `date` is a Sunday (the last day of an ISO week).
    static func isSunday(_ date: CalendarDate) -> Bool {
        let monday = CalendarDate(year: 1970, month: 1, day: 5)!
        return ((monday.days(until: date) % 7) + 7) % 7 == 6
    }

    public struct Summary: Sendable, Encodable, Equatable {
        public var sent = 0
        public var failed = 0
        public var waiting = 0

        public init(sent: Int = 0, failed: Int = 0, waiting: Int = 0) {
            self.sent = sent
            self.failed = failed
            self.waiting = waiting
        }
    }

    /// Sends the reports due for the lender's closed day `closed`.
    @discardableResult
    public func send(lenderID: String, closed: CalendarDate) async throws -> Summary {
        var summary = Summary()
        func period(_ subscription: Subscription) -> String {
            subscription.frequency == .daily ? closed.text : "semana-" + CollectionKPIs.Period.week.start(of: closed).text
        }
        let candidates = try await subscriptions(lenderID: lenderID).filter { $0.frequency == .daily || Self.isSunday(closed) }
        guard !candidates.isEmpty else { return summary }
        let done = try await database.withConnection { db in
            try await db.raw(
                "SELECT subscription_id, period FROM report_deliveries WHERE subscription_id IN (\(binds: candidates.map(\.id)))"
            ).all().map { try $0.decode(column: "subscription_id", as: String.self) + "|" + $0.decode(column: "period", as: String.self) }
        }
        let due = candidates.filter { !done.contains($0.id + "|" + period($0)) }
        guard !due.isEmpty else { return summary }
        let report = try await CollectionReports(database: database).delinquency(lenderID: lenderID, date: closed)
        let lender = try await database.withConnection { db in
            try await db.raw("SELECT short_name FROM lenders WHERE id = \(bind: lenderID)").first(decodingColumn: "short_name", as: String.self) ?? ""
        }
        for subscription in due {
            let period = period(subscription)
            guard let sender else {
                summary.waiting += 1
                continue
            }
            let now = clock()
            // Recorded first: a report whose sending is cut short is not sent again.
            let claimed = try await database.transaction { db -> Bool in
                guard try await db.raw(
                    "SELECT state FROM report_deliveries WHERE subscription_id = \(bind: subscription.id) AND period = \(bind: period)"
                ).first() == nil else { return false }
                try await db.raw(
                    "INSERT INTO report_deliveries (subscription_id, period, state, sent_at) VALUES (\(bind: subscription.id), \(bind: period), 'sending', \(bind: now.text))"
                ).run()
                return true
            }
            guard claimed else { continue }
            let message = OutgoingMessage(
                id: "rpt_\(subscription.id)_\(period)", to: subscription.email,
                subject: "\(lender): morosidad al \(closed.text)\(subscription.frequency == .weekly ? " (semanal)" : "")", body: Self.body(report, lender: lender)
            )
            let outcome: (state: String, detail: String?)
            do {
                _ = try await sender.send(message)
                outcome = ("sent", nil)
            } catch {
                outcome = error.isTemporary ? ("retry", nil) : ("failed", error.code)
            }
            try await database.transaction { db in
                if outcome.state == "retry" {
                    try await db.raw("DELETE FROM report_deliveries WHERE subscription_id = \(bind: subscription.id) AND period = \(bind: period)").run()
                } else {
                    try await db.raw(
                        """
                        UPDATE report_deliveries SET state = \(bind: outcome.state), detail = \(bind: outcome.detail), sent_at = \(bind: clock().text)
                        WHERE subscription_id = \(bind: subscription.id) AND period = \(bind: period)
                        """
                    ).run()
                }
            }
            switch outcome.state {
            case "sent": summary.sent += 1
            case "retry": summary.waiting += 1
            default: summary.failed += 1
            }
        }
        return summary
    }

    /// The report as plain text, in Spanish.
    static func body(_ report: DelinquencyReport, lender: String) -> String {
        func money(_ centavos: Int64) -> String { Money(minorUnits: centavos, currency: .mxn).formatted(.symbol) }
        func percent(_ basisPoints: Int) -> String { String(format: "%d.%02d %%", basisPoints / 100, basisPoints % 100) }
        var lines = [
            "\(lender) — morosidad al \(report.date.text)", "",
            "Créditos vigentes: \(report.loans); cartera total: \(money(report.grossPortfolio)).",
            "PAR30 \(percent(report.par30BasisPoints)) · PAR90 \(percent(report.par90BasisPoints)) · IMOR \(percent(report.imorBasisPoints)) (cartera vencida \(money(report.nonPerforming))).",
            "", "Por rango de atraso (créditos · saldo de capital · % del saldo):",
        ]
        for bucket in report.buckets {
            lines.append("  \(bucket.label): \(bucket.loans) · \(money(bucket.principal)) · \(percent(bucket.shareOfPrincipalBasisPoints))")
        }
        lines += ["", "El detalle, la migración entre rangos y la lista de gestión están en Cartera, Cobranza.", "Para dejar de recibir este correo, pida a un administrador cancelar la suscripción."]
        return lines.joined(separator: "\n")
    }
}
