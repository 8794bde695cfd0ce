import CarteraCore
import CarteraSecurity
import Clients
import CreditBureau
import Crypto
import Foundation
import HTTPTypes
import Lending
import SQLKit
import Store

/// The monthly credit-bureau tape for personas físicas, built from the close's snapshot of the month's last day: every
/// loan open that day, and every loan paid off during the month (balance zero, with its closing date).
public struct BureauTapes: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A generated tape: its text, or what to fix.
    public struct Generated: Sendable, Codable, Equatable {
        public let month: String
        public let reportDate: CalendarDate
        public let accounts: Int
        /// Loans of personas morales, which go on the other tape (not produced here).
        public let companiesLeftOut: Int
        public let text: String?
        public let issues: [String]
        public let sha256: String?
    }

    /// `2026-10` → its last day.
    public static func lastDay(of month: String) -> CalendarDate? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let number = Int(parts[1]),
              let first = CalendarDate(year: year, month: number, day: 1) else { return nil }
        return first.adding(months: 1).adding(days: -1)
    }

    static func frequency(_ frequency: Frequency) -> BuroTape.Frequency {
        switch frequency {
        case .semanal: .weekly
        case .catorcenal: .biweekly
        case .quincenal: .semimonthly
        case .mensual: .monthly
        }
    }

    /// The tape of `month` (`AAAA-MM`); the month's last day must be closed. A loan paid off during the month (the last
    /// day included) is reported once, closed. A loan written off is reported with MOP 97 in the month of its write-off
    /// (the close's snapshot no longer carries its balance).
    public func monthly(month: String, member: BuroTape.Member, lenderID: String, actor: Administration.Actor) async throws -> Generated {
        guard let reportDate = Self.lastDay(of: month) else {
            throw APIError(status: .unprocessableContent, code: "month_invalid", message: "El mes se escribe AAAA-MM, como 2026-10.")
        }
        let first = CalendarDate(year: reportDate.year, month: reportDate.month, day: 1)!
        let cache = TermsCache()
        let decoder = JSONDecoder()
        let (closed, rows, paidOff) = try await database.withConnection { db in
            let closed = try await db.raw(
                "SELECT status FROM close_runs WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: reportDate.text) AND status = 'done'"
            ).first() != nil
            let rows = try await db.raw(
                """
                SELECT s.loan_id, s.client_id, s.days_past_due, s.principal_outstanding, s.overdue_principal, s.overdue_interest, s.overdue_charges,
                    s.installments_overdue, s.status, l.terms, l.amount, c.profile,
                    (SELECT MAX(e.value_date) FROM loan_events e WHERE e.loan_id = s.loan_id AND e.kind = 'payment' AND e.reversed_at IS NULL
                        AND e.value_date <= \(bind: reportDate.text)) AS last_payment
                FROM loan_snapshots s JOIN loans l ON l.id = s.loan_id JOIN clients c ON c.id = s.client_id
                WHERE s.lender_id = \(bind: lenderID) AND s.snapshot_date = \(bind: reportDate.text) AND s.status <> 'paid_off' ORDER BY s.loan_id
                """
            ).all()
            let paidOff = try await db.raw(
                """
                SELECT l.id AS loan_id, l.client_id, l.terms, l.amount, c.profile, p.last_payment FROM loans l JOIN clients c ON c.id = l.client_id
                JOIN (SELECT loan_id, MAX(value_date) AS last_payment FROM loan_events WHERE kind = 'payment' AND reversed_at IS NULL GROUP BY loan_id) p
                    ON p.loan_id = l.id
                WHERE l.lender_id = \(bind: lenderID) AND l.status = 'liquidado' AND p.last_payment >= \(bind: first.text) AND p.last_payment <= \(bind: reportDate.text)
                ORDER BY l.id
                """
            ).all()
            return (closed, rows, paidOff)
        }
        var issues: [String] = []
        if !closed {
            issues.append("El día \(reportDate.text) no está cerrado: ciérrelo (cartera close-day --date \(reportDate.text)) y vuelva a generar la cinta.")
        }
        var accounts: [BuroTape.Account] = []
        var companies = 0
        func account(_ row: any SQLRow, open: Bool) throws -> BuroTape.Account? {
            let loanID = try row.decode(column: "loan_id", as: String.self)
            let profile = try decoder.decode(ClientProfile.self, from: Data(try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field).utf8))
            guard profile.kind == .individual, let person = profile.individual else {
                companies += 1
                return nil
            }
            guard let termsText = try row.decode(column: "terms", as: String?.self) else { return nil }
            let terms = try cache.terms(for: loanID, text: termsText)
            guard let state = BuroStates.byCURP[profile.address.state.uppercased()] else {
                issues.append("El crédito \(loanID): el estado «\(profile.address.state)» del domicilio no tiene clave de Buró.")
                return nil
            }
            let lastPayment = try row.decode(column: "last_payment", as: String?.self).flatMap(CalendarDate.init(text:))
            let days = open ? try row.decode(column: "days_past_due", as: Int.self) : 0
            let overdue = open
                ? try row.decode(column: "overdue_principal", as: Int64.self) + row.decode(column: "overdue_interest", as: Int64.self) + row.decode(column: "overdue_charges", as: Int64.self)
                : 0
            let balance = open
                ? try row.decode(column: "principal_outstanding", as: Int64.self) + row.decode(column: "overdue_interest", as: Int64.self) + row.decode(column: "overdue_charges", as: Int64.self)
                : 0
            let pastDuePayments = open ? try row.decode(column: "installments_overdue", as: Int.self) : 0
            let writtenOff = open ? try row.decode(column: "status", as: String.self) == "written_off" : false
            return BuroTape.Account(
                paternalSurname: person.paternalSurname, maternalSurname: person.maternalSurname, givenNames: person.givenNames, birthDate: person.birthDate,
                rfc: person.rfc, nationality: person.nationality, sex: person.sex, street: "\(profile.address.street) \(profile.address.exteriorNumber)",
                neighborhood: profile.address.neighborhood, municipality: profile.address.municipality, city: profile.address.city, state: state,
                postalCode: profile.address.postalCode, phone: profile.phones.first, accountNumber: loanID.hasPrefix("ln_") ? String(loanID.dropFirst(3)).uppercased() : loanID, numberOfPayments: terms.schedule.count,
                frequency: Self.frequency(terms.product.frequency), paymentAmount: terms.schedule.first?.payment.minorUnits ?? 0, openedOn: terms.disbursementDate,
                lastPaymentOn: lastPayment, closedOn: open ? nil : lastPayment, originalAmount: terms.amount.minorUnits, currentBalance: balance,
                pastDueBalance: overdue, paymentsPastDue: pastDuePayments, daysPastDue: days, writtenOff: writtenOff,
                firstDefaultOn: days > 0 ? reportDate.adding(days: Int64(1 - days)) : nil
            )
        }
        for row in rows { if let made = try account(row, open: true) { accounts.append(made) } }
        for row in paidOff { if let made = try account(row, open: false) { accounts.append(made) } }
        var text: String?
        if issues.isEmpty {
            switch BuroTape.file(member: member, reportDate: reportDate, accounts: accounts) {
            case .success(let file): text = file
            case .failure(let problems): issues = problems.issues.map { $0.account == 0 ? "Otorgante: \($0.message)." : "Cuenta \(accounts[$0.account - 1].accountNumber): \($0.message)." }
            }
        }
        let (file, problems, count, leftOut) = (text, issues, accounts.count, companies)
        let digest = file.map { ByteEncoding.hex(Array(SHA256.hash(data: Array($0.utf8)))) }
        let now = clock()
        try await database.transaction { db in
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "bureau.tape_generated", objectType: "bureau_tape", objectID: month, at: now,
                    change: "\(count) \(digest ?? "issues:\(problems.count)")", outcome: file == nil ? .failure : .success
                ),
                on: db
            )
        }
        return Generated(month: month, reportDate: reportDate, accounts: file == nil ? 0 : count, companiesLeftOut: leftOut, text: file, issues: problems, sha256: digest)
    }
}
