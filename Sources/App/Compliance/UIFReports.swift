import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Crypto
import Foundation
import HTTPTypes
import SQLKit
import Store

/// The UIF files built from what monitoring and the cases hold: relevantes of a quarter (cash operations at or over the
/// threshold) and the inusuales the committee decided to report (24-hour reports included), each operation with the
/// client's identification, validated against the layout before anything is written.
public struct UIFReports: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A generated report: its text when it validates (an empty quarter of relevantes is the one-line nil report), or
    /// what to fix.
    public struct Generated: Sendable, Codable, Equatable {
        public let kind: String
        public let period: String
        public let records: Int
        /// The cases in an inusuales report (mark each reported with the UIF's acknowledgement once filed).
        public let caseIds: [String]
        public let text: String?
        public let issues: [String]
        public let sha256: String?
    }

    /// `2026Q3` → the quarter's first and last days.
    public static func quarter(_ text: String) -> (CalendarDate, CalendarDate)? {
        let parts = text.uppercased().split(separator: "Q")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let quarter = Int(parts[1]), (1...4).contains(quarter),
              let first = CalendarDate(year: year, month: quarter * 3 - 2, day: 1) else { return nil }
        return (first, first.adding(months: 3).adding(days: -1))
    }

    /// The operation-type key: 08 otorgamiento, 09 pago, 41 liquidación de crédito.
    static func operationType(_ operation: MonitoredOperation) -> String {
        operation.kind == .disbursement ? "08" : operation.paysOff ? "41" : "09"
    }

    /// The monetary-instrument key: 01 efectivo, 03 transferencia (card payments reach the lender as transfers from the
    /// gateway; unverified), 10 cheques, 00 se desconoce.
    static func instrument(_ instrument: MonitoredOperation.Instrument) -> String {
        switch instrument {
        case .cash: "01"
        case .transfer, .card: "03"
        case .check: "10"
        case .other: "00"
        }
    }

    /// Relevantes of a quarter (`2026Q3`).
    public func relevantes(quarter: String, filer: UIFReport.Filer, catalogs: UIFCatalogs, lenderID: String, actor: Administration.Actor) async throws -> Generated {
        guard let (first, last) = Self.quarter(quarter) else {
            throw APIError(status: .unprocessableContent, code: "period_invalid", message: "El periodo de relevantes se escribe AAAAQn, como 2026Q3.")
        }
        let operations = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT o.id, o.client_id, o.loan_id, o.kind, o.amount, o.instrument, o.business_date, o.payer_is_client, o.state, o.loan_disbursed_on, o.pays_off
                FROM compliance_alerts a JOIN compliance_operations o ON o.id = a.operation_id
                WHERE a.lender_id = \(bind: lenderID) AND a.report = 'relevante' AND o.business_date >= \(bind: first.text) AND o.business_date <= \(bind: last.text)
                AND o.reversed_at IS NULL
                ORDER BY o.business_date, o.id
                """
            ).all().map(TransactionMonitor.decodeOperation)
        }
        let profiles = try await self.profiles(Set(operations.map(\.clientID)))
        var issues: [String] = []
        // A cash operation still without its day's exchange rate may be a relevante: the quarter cannot be reported yet.
        let gaps = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM compliance_alerts WHERE lender_id = \(bind: lenderID) AND report = 'dato_faltante' AND resolved_at IS NULL
                AND operation_date >= \(bind: first.text) AND operation_date <= \(bind: last.text)
                """
            ).first(decodingColumn: "n", as: Int.self) ?? 0
        }
        if gaps > 0 {
            issues.append("Hay \(gaps) operación(es) en efectivo del trimestre sin tipo de cambio: cargue el FIX con cartera monitoring rates y vuelva a generar el reporte.")
        }
        let records = operations.compactMap { operation -> UIFReport.Operation? in
            guard let profile = profiles[operation.clientID] else { issues.append("No se encontró el cliente \(operation.clientID)."); return nil }
            return Self.record(operation, profile: profile, clientID: operation.clientID, catalogs: catalogs, detected: nil, description: nil, reasons: nil, issues: &issues)
        }
        return try await finish(.relevant, period: UIFReport.period(.relevant, reportDate: last), filer: filer, records: records, caseIDs: [], issues: issues, actor: actor)
    }

    /// The inusuales (24-hour reports included) the committee decided to report and that are not filed yet, as of
    /// `reportDate`.
    public func inusuales(reportDate: CalendarDate, filer: UIFReport.Filer, catalogs: UIFCatalogs, lenderID: String, actor: Administration.Actor) async throws -> Generated {
        let cases = ComplianceCases(database: database, keys: keys, clock: clock)
        let pending = try await cases.list(status: .decided, lenderID: lenderID, limit: 10_000).filter { $0.decision == .reportable && $0.kind != .internalConcern }
        var issues: [String] = pending.isEmpty ? ["No hay casos dictaminados como reportables pendientes de reportar; no hay nada que enviar."] : []
        var records: [UIFReport.Operation] = []
        let profiles = try await self.profiles(Set(pending.compactMap(\.clientId)))
        for record in pending {
            guard let clientID = record.clientId, let profile = profiles[clientID] else {
                issues.append("El caso \(record.id) no tiene cliente: repórtelo por separado.")
                continue
            }
            let detail = try await cases.detail(record.id, lenderID: lenderID)
            var operations = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT id, client_id, loan_id, kind, amount, instrument, business_date, payer_is_client, state, loan_disbursed_on, pays_off
                    FROM compliance_operations WHERE id IN (SELECT operation_id FROM compliance_alerts WHERE case_id = \(bind: record.id)) ORDER BY business_date, id
                    """
                ).all().map(TransactionMonitor.decodeOperation)
            }
            if operations.isEmpty {
                // A list match raises no operation: the client's latest one stands for the report.
                operations = try await database.withConnection { db in
                    try await db.raw(
                        """
                        SELECT id, client_id, loan_id, kind, amount, instrument, business_date, payer_is_client, state, loan_disbursed_on, pays_off
                        FROM compliance_operations WHERE client_id = \(bind: clientID) AND reversed_at IS NULL ORDER BY business_date DESC, id DESC LIMIT 1
                        """
                    ).all().map(TransactionMonitor.decodeOperation)
                }
            }
            guard !operations.isEmpty else {
                issues.append("El cliente \(clientID) del caso \(record.id) no tiene operaciones registradas: el reporte necesita al menos una.")
                continue
            }
            let legend = record.kind == .twentyFourHours ? "REPORTE DE 24 HORAS. " : ""
            let description = legend + record.summary + (detail.alerts.isEmpty ? "" : " " + detail.alerts.map(\.message).joined(separator: " "))
            let detected = record.detectedAt.calendarDate(utcOffsetSeconds: -6 * 3600)
            for operation in operations {
                if let made = Self.record(
                    operation, profile: profile, clientID: clientID, catalogs: catalogs, detected: max(detected, operation.date), description: description,
                    reasons: record.decisionNote, issues: &issues
                ) { records.append(made) }
            }
        }
        return try await finish(
            .unusual, period: UIFReport.period(.unusual, reportDate: reportDate), filer: filer, records: records, caseIDs: pending.map(\.id), issues: issues, actor: actor
        )
    }

    func profiles(_ ids: Set<String>) async throws -> [String: ClientProfile] {
        guard !ids.isEmpty else { return [:] }
        let decoder = JSONDecoder()
        return try await database.withConnection { db in
            var profiles: [String: ClientProfile] = [:]
            for row in try await db.raw("SELECT id, profile FROM clients WHERE id IN (\(binds: Array(ids)))").all() {
                let text = try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field)
                profiles[try row.decode(column: "id", as: String.self)] = try decoder.decode(ClientProfile.self, from: Data(text.utf8))
            }
            return profiles
        }
    }

    static func record(
        _ operation: MonitoredOperation, profile: ClientProfile, clientID: String, catalogs: UIFCatalogs, detected: CalendarDate?, description: String?,
        reasons: String?, issues: inout [String]
    ) -> UIFReport.Operation? {
        let occupation = profile.individual?.occupation ?? profile.company?.businessActivity ?? ""
        guard let activity = catalogs.activity(occupation) else {
            issues.append("Falta la clave de actividad económica de «\(occupation)» (cliente \(clientID)): agréguela al catálogo (actividad,\(occupation),CLAVE).")
            return nil
        }
        let address = profile.address
        guard let city = catalogs.locality(city: address.city, state: address.state) else {
            issues.append("Falta la clave de localidad de «\(address.city), \(address.state)» (cliente \(clientID)): agréguela al catálogo (localidad,\"\(address.city), \(address.state)\",CLAVE).")
            return nil
        }
        let street = [address.street, address.exteriorNumber, address.interiorNumber.map { "INT \($0)" }].compactMap { $0 }.joined(separator: " ")
        // The contract: the loan id without its prefix, cut to the 16 characters the layout allows.
        let account = String(operation.loanID.replacingOccurrences(of: "ln_", with: "").prefix(16))
        return UIFReport.Operation(
            operationType: operationType(operation), instrument: instrument(operation.instrument), account: account, amount: operation.amount, date: operation.date,
            detected: detected, mexican: (profile.individual?.nationality ?? profile.company?.nationality ?? "MX") == "MX", moral: profile.kind == .company,
            businessName: profile.company?.legalName, givenNames: profile.individual?.givenNames, paternalSurname: profile.individual?.paternalSurname,
            maternalSurname: profile.individual?.maternalSurname, rfc: profile.rfc, curp: profile.individual?.curp,
            bornOrIncorporated: profile.individual?.birthDate ?? profile.company?.incorporationDate, street: street, neighbourhood: address.neighborhood,
            cityCode: city, phone: profile.phones.first, activity: activity, description: description, reasons: reasons
        )
    }

    func finish(
        _ kind: UIFReport.Kind, period: String, filer: UIFReport.Filer, records: [UIFReport.Operation], caseIDs: [String], issues: [String], actor: Administration.Actor
    ) async throws -> Generated {
        var issues = issues
        var text: String?
        if issues.isEmpty {
            switch UIFReport.file(kind, period: period, filer: filer, operations: records) {
            case .success(let file): text = file
            case .failure(let list): issues = list.issues.map { "Registro \($0.row), columna \($0.column): \($0.message)." }
            }
        }
        let (file, problems) = (text, issues)
        let name = kind == .relevant ? "relevantes" : "inusuales"
        let digest = text.map { ByteEncoding.hex(Array(SHA256.hash(data: Array($0.utf8)))) }
        let now = clock()
        try await database.transaction { db in
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "compliance.uif_report_generated", objectType: "uif_report", objectID: "\(name):\(period)", at: now,
                    change: "\(records.count) \(digest ?? "issues:\(problems.count)") \(caseIDs.joined(separator: ","))",
                    outcome: file == nil ? .failure : .success
                ),
                on: db
            )
        }
        return Generated(kind: name, period: period, records: file == nil ? 0 : records.count, caseIds: caseIDs, text: file, issues: problems, sha256: digest)
    }
}
