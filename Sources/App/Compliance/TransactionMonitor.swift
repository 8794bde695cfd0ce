import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import Lending
import SQLKit
import Store

/// The PLD monitoring rules on every payment and disbursement, inside the transaction that posts it: the operation is
/// recorded as the rules see it, evaluated against the client's earlier operations, declared profile and the day's
/// exchange rate, and what the rules raise is stored — inusuales grouped into the client's open monitoring case (one
/// case, one report, for related operations), relevantes for the quarterly report, data gaps for compliance to fix.
public enum TransactionMonitor {
    /// Who records what the rules raise.
    static let actor = Administration.Actor(kind: .system, id: "monitoreo")

    /// A posted operation to monitor.
    struct Posted: Sendable {
        let lenderID: String
        let channel: String
        let operation: MonitoredOperation
    }

    /// The instrument a channel implies when the poster does not know better (a gateway's cash voucher is cash).
    static func instrument(of channel: MoneyChannel) -> MonitoredOperation.Instrument {
        switch channel {
        case .cash: .cash
        case .spei, .transfer, .suspense: .transfer
        case .conekta, .openpay, .mercadoPago, .stripe, .paypal: .card
        case .restructure: .other
        }
    }

    /// The instrument of a gateway payment method (`card`, `saved_card`, `cash`, `spei`).
    static func instrument(ofGatewayMethod method: String) -> MonitoredOperation.Instrument? {
        switch method {
        case "cash": .cash
        case "spei": .transfer
        case "card", "saved_card": .card
        default: nil
        }
    }

    /// The rules in force: the highest stored version, or the defaults.
    public static func rules(on db: any SQLDatabase) async throws -> MonitoringRules {
        guard let text = try await db.raw("SELECT rules FROM monitoring_rules ORDER BY version DESC LIMIT 1").first(decodingColumn: "rules", as: String.self) else {
            return MonitoringRules()
        }
        return try JSONDecoder().decode(MonitoringRules.self, from: Data(text.utf8))
    }

    /// Records and evaluates `posted` inside the caller's transaction.
    static func monitor(_ posted: [Posted], now: Timestamp, on db: any SQLDatabase) async throws {
        let posted = posted.filter { $0.operation.instrument != .other || $0.operation.kind == .disbursement }
        guard !posted.isEmpty else { return }
        let rows = posted.map { p -> SQLQueryString in
            let o = p.operation
            return """
                (\(bind: o.id), \(bind: p.lenderID), \(bind: o.clientID), \(bind: o.loanID), \(bind: o.kind.rawValue), \(bind: o.amount.minorUnits),
                 \(bind: o.instrument.rawValue), \(bind: p.channel), \(bind: o.date.text), \(bind: o.payerIsClient), \(bind: o.state),
                 \(bind: o.loanDisbursedOn?.text), \(bind: o.paysOff), \(bind: now.text))
                """
        }
        try await db.raw(
            """
            INSERT INTO compliance_operations (id, lender_id, client_id, loan_id, kind, amount, instrument, channel, business_date, payer_is_client, state,
                loan_disbursed_on, pays_off, recorded_at)
            VALUES \(rows.joined(separator: ", ")) ON CONFLICT (id) DO NOTHING
            """
        ).run()
        try await evaluate(posted.map { ($0.lenderID, $0.operation) }, now: now, on: db)
    }

    /// Evaluates the rules on operations already recorded and stores what they raise (an alert already stored for the
    /// same rule and operation is kept as it is).
    static func evaluate(_ operations: [(lenderID: String, operation: MonitoredOperation)], now: Timestamp, on db: any SQLDatabase) async throws {
        guard let first = operations.first else { return }
        let rules = try await rules(on: db)
        let window = max(30, rules.structuringWindowDays)
        let earliest = operations.map(\.operation.date).min() ?? first.operation.date
        let latest = operations.map(\.operation.date).max() ?? first.operation.date
        let clients = Array(Set(operations.map(\.operation.clientID)))
        var profiles: [String: TransactionalProfile] = [:]
        for row in try await db.raw(
            """
            SELECT client_id, monthly_amount, monthly_operations, instruments FROM transactional_profiles
            WHERE client_id IN (\(binds: clients)) ORDER BY client_id, declared_at, id
            """
        ).all() {
            let instruments = Set(try row.decode(column: "instruments", as: String.self).split(separator: ",").compactMap { MonitoredOperation.Instrument(rawValue: String($0)) })
            profiles[try row.decode(column: "client_id", as: String.self)] = TransactionalProfile(
                monthlyAmount: Money(minorUnits: try row.decode(column: "monthly_amount", as: Int64.self), currency: .mxn),
                monthlyOperations: try row.decode(column: "monthly_operations", as: Int.self), instruments: instruments
            )
        }
        // History matters to the window rules only: cash (structuring) and a declared profile. Rates only to cash.
        let hasCash = operations.contains { $0.operation.instrument == .cash }
        let needHistory = Set(operations.filter { $0.operation.instrument == .cash || profiles[$0.operation.clientID] != nil }.map(\.operation.clientID))
        var history: [MonitoredOperation] = []
        if !needHistory.isEmpty {
            history = try await db.raw(
                """
                SELECT id, client_id, loan_id, kind, amount, instrument, business_date, payer_is_client, state, loan_disbursed_on, pays_off FROM compliance_operations
                WHERE client_id IN (\(binds: Array(needHistory))) AND business_date >= \(bind: earliest.adding(days: -window).text) AND business_date <= \(bind: latest.text)
                AND reversed_at IS NULL
                """
            ).all().map(decodeOperation)
        }
        let byClient = Dictionary(grouping: history, by: \.clientID)
        // Rates over the rules' window (an earlier cash operation is valued at its own day's rate); a rate more than a
        // week old is not used: the day is a data gap until its rate is loaded.
        var loaded: [ExchangeRates.Rate] = []
        if hasCash {
            for row in try await db.raw(
                """
                SELECT business_date, peso_millionths_per_dollar FROM exchange_rates
                WHERE business_date >= \(bind: earliest.adding(days: -window - 7).text) AND business_date <= \(bind: latest.text)
                """
            ).all() {
                guard let date = CalendarDate(text: try row.decode(column: "business_date", as: String.self)) else { continue }
                loaded.append(ExchangeRates.Rate(date: date, pesoMillionthsPerDollar: try row.decode(column: "peso_millionths_per_dollar", as: Int64.self)))
            }
        }
        let rates = ExchangeRates(loaded, maxAgeDays: 7)
        var raised: [(lenderID: String, operation: MonitoredOperation, alert: MonitoringAlert)] = []
        for (lenderID, operation) in operations {
            for alert in TransactionMonitoring.evaluate(operation, history: byClient[operation.clientID] ?? [], profile: profiles[operation.clientID], rules: rules, rates: rates) {
                raised.append((lenderID, operation, alert))
            }
        }
        guard !raised.isEmpty else { return }
        // Inusuales go to the client's open monitoring case, or a new one.
        var caseOf: [String: String] = [:]
        for (lenderID, operation, alert) in raised where alert.report == .unusual && caseOf[operation.clientID] == nil {
            // On PostgreSQL two batches of one client's loans may run at once: one opens the case, the other finds it.
            if db.dialect.name == "postgresql" {
                try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "monitoreo:" + operation.clientID)))").run()
            }
            if let open = try await db.raw(
                """
                SELECT id FROM compliance_cases WHERE client_id = \(bind: operation.clientID) AND origin = 'monitoreo' AND status IN ('abierto', 'en_analisis')
                ORDER BY detected_at LIMIT 1
                """
            ).first(decodingColumn: "id", as: String.self) {
                caseOf[operation.clientID] = open
            } else {
                let messages = raised.filter { $0.operation.clientID == operation.clientID && $0.alert.report == .unusual }.map(\.alert.message)
                caseOf[operation.clientID] = try await ComplianceCases.insert(
                    kind: .unusual, clientID: operation.clientID, storedSubject: nil, origin: "monitoreo",
                    storedSummary: "Alertas de monitoreo (reglas versión \(rules.version)): " + messages.joined(separator: " "),
                    detectedAt: now, lenderID: lenderID, actor: actor, now: now, on: db
                )
            }
        }
        for (lenderID, operation, alert) in raised {
            let caseID = alert.report == .unusual ? caseOf[operation.clientID] : nil
            let inserted = try await db.raw(
                """
                INSERT INTO compliance_alerts (id, lender_id, case_id, client_id, rule, report, operation_date, rules_version, operation_id, observed, limit_value, message, detected_at)
                VALUES (\(bind: "al_" + APIClients.randomHex(bytes: 10)), \(bind: lenderID), \(bind: caseID), \(bind: operation.clientID), \(bind: alert.rule.rawValue),
                        \(bind: alert.report.rawValue), \(bind: operation.date.text), \(bind: alert.rulesVersion), \(bind: alert.operationID), \(bind: alert.observed),
                        \(bind: alert.limit), \(bind: alert.message), \(bind: now.text))
                ON CONFLICT (rule, operation_id) DO NOTHING RETURNING id
                """
            ).first(decodingColumn: "id", as: String.self)
            if let inserted {
                // The client's grade counts its inusuales: it is graded again by the next assessment run.
                if alert.report == .unusual {
                    try await db.raw(
                        """
                        INSERT INTO risk_reassessments (client_id, reason, queued_at) VALUES (\(bind: operation.clientID), \(bind: alert.rule.rawValue), \(bind: now.text))
                        ON CONFLICT (client_id) DO NOTHING
                        """
                    ).run()
                }
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "compliance.alert", objectType: "client", objectID: operation.clientID, at: now,
                                         change: "\(inserted) \(alert.rule.rawValue) \(alert.operationID) \(caseID ?? "")"),
                    on: db
                )
            }
        }
    }

    static func decodeOperation(_ row: any SQLRow) throws -> MonitoredOperation {
        MonitoredOperation(
            id: try row.decode(column: "id", as: String.self), clientID: try row.decode(column: "client_id", as: String.self),
            loanID: try row.decode(column: "loan_id", as: String.self),
            kind: MonitoredOperation.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .payment,
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: .mxn),
            instrument: MonitoredOperation.Instrument(rawValue: try row.decode(column: "instrument", as: String.self)) ?? .other,
            date: CalendarDate(text: try row.decode(column: "business_date", as: String.self)) ?? CalendarDate(daysSince1970: 0),
            payerIsClient: try row.decode(column: "payer_is_client", as: Bool.self), state: try row.decode(column: "state", as: String?.self),
            loanDisbursedOn: try row.decode(column: "loan_disbursed_on", as: String?.self).flatMap(CalendarDate.init(text:)),
            paysOff: try row.decode(column: "pays_off", as: Bool.self)
        )
    }

    /// Marks the monitored operation of a reversed payment (inside the reversal's transaction): it no longer counts in
    /// the relevantes or in any window. An alert it raised stays in its case, for compliance to close with the reason.
    static func markReversed(operationID: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE compliance_operations SET reversed_at = \(bind: now.text) WHERE id = \(bind: operationID) AND reversed_at IS NULL").run()
        // Its missing exchange rate no longer matters: the gap is closed, so the quarter can be reported.
        try await db.raw(
            "UPDATE compliance_alerts SET resolved_at = \(bind: now.text) WHERE operation_id = \(bind: operationID) AND report = 'dato_faltante' AND resolved_at IS NULL"
        ).run()
    }

    /// Evaluates again the cash operations that may have been valued with a rate that changed (the day's own, or an
    /// earlier one used for up to a week): a relevante not in a case is withdrawn and raised again only if the corrected
    /// rate still reaches the threshold. Returns how many operations were evaluated again.
    static func reevaluate(changedRates dates: [CalendarDate], now: Timestamp, on db: any SQLDatabase) async throws -> Int {
        guard let first = dates.min(), let last = dates.max() else { return 0 }
        let rows = try await db.raw(
            """
            SELECT lender_id, id, client_id, loan_id, kind, amount, instrument, business_date, payer_is_client, state, loan_disbursed_on, pays_off
            FROM compliance_operations WHERE instrument = 'efectivo' AND reversed_at IS NULL
            AND business_date >= \(bind: first.text) AND business_date <= \(bind: last.adding(days: 7).text)
            """
        ).all()
        var evaluated = 0
        for row in rows {
            let operation = try decodeOperation(row)
            guard dates.contains(where: { $0 <= operation.date && operation.date <= $0.adding(days: 7) }) else { continue }
            try await db.raw(
                "DELETE FROM compliance_alerts WHERE operation_id = \(bind: operation.id) AND rule = 'efectivo_relevante' AND case_id IS NULL"
            ).run()
            try await evaluate([(try row.decode(column: "lender_id", as: String.self), operation)], now: now, on: db)
            evaluated += 1
        }
        return evaluated
    }

    /// Evaluates again the operations whose day had no exchange rate, now that rates were loaded; resolves the gaps
    /// the new rates fill. Returns how many were resolved.
    public static func resolveRateGaps(now: Timestamp, on db: any SQLDatabase) async throws -> Int {
        let gaps = try await db.raw(
            """
            SELECT a.id AS alert_id, a.lender_id, o.id, o.client_id, o.loan_id, o.kind, o.amount, o.instrument, o.business_date, o.payer_is_client, o.state,
                o.loan_disbursed_on, o.pays_off
            FROM compliance_alerts a JOIN compliance_operations o ON o.id = a.operation_id
            WHERE a.report = 'dato_faltante' AND a.resolved_at IS NULL AND o.reversed_at IS NULL
            """
        ).all()
        var resolved = 0
        for row in gaps {
            let operation = try decodeOperation(row)
            let covered = try await db.raw(
                """
                SELECT business_date FROM exchange_rates WHERE business_date <= \(bind: operation.date.text) AND business_date >= \(bind: operation.date.adding(days: -7).text) LIMIT 1
                """
            ).first() != nil
            guard covered else { continue }
            try await db.raw("UPDATE compliance_alerts SET resolved_at = \(bind: now.text) WHERE id = \(bind: try row.decode(column: "alert_id", as: String.self))").run()
            // The gap's own row stays (resolved); the operation is evaluated again without it.
            try await evaluate([(try row.decode(column: "lender_id", as: String.self), operation)], now: now, on: db)
            resolved += 1
        }
        return resolved
    }
}
