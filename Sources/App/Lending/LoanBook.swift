import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import Lending
import NIOConcurrencyHelpers
import SQLKit
import Store

/// The lender's loans: applications, decisions, disbursement, payments, reversals and write-offs.
///
/// Every change of a balance goes through `post` — one database transaction that records the event, writes balanced
/// journal entries (the difference between the loan's position before and after, plus the cash line) and the audit
/// entry — so a payment is applied completely or not at all.
public struct LoanBook: Sendable {
    let database: Database
    let products: ProductCatalog
    let clock: @Sendable () -> Timestamp
    let cache: TermsCache
    let replays: ReplayCache
    /// On SQLite, payments queue here and are posted in batches sharing one transaction (group commit).
    let payments: BatchQueue<PaymentJob, PaymentRecord>?

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        let poster = LoanBook(database: database, clock: clock, cache: TermsCache(), replays: ReplayCache(), payments: nil)
        self.init(
            database: database, clock: clock, cache: poster.cache, replays: poster.replays,
            payments: database.dialect == .sqlite ? BatchQueue(limit: 64) { jobs in await LoanBook.run(jobs, book: poster) } : nil
        )
    }

    init(database: Database, clock: @escaping @Sendable () -> Timestamp, cache: TermsCache, replays: ReplayCache, payments: BatchQueue<PaymentJob, PaymentRecord>?) {
        self.database = database
        self.products = ProductCatalog(database: database, clock: clock)
        self.clock = clock
        self.cache = cache
        self.replays = replays
        self.payments = payments
    }

    /// Today's business date in Mexico (UTC−6; central Mexico has had no daylight saving time since 2022).
    public func today() -> CalendarDate { clock().calendarDate(utcOffsetSeconds: -6 * 3600) }

    // MARK: Records

    /// A loan as stored.
    public struct Record: Sendable, Encodable {
        public let id: String
        public let clientId: String
        public let productCode: String
        public let productVersion: Int
        public internal(set) var status: LoanStatus
        public let amount: String
        public let term: Int
        public let createdAt: String
        public let createdBy: String
        public let decidedAt: String?
        public let decidedBy: String?
        public let decisionNote: String?
        public let disbursedOn: String?
        public let disbursementChannel: String?
        public let disbursementReference: String?
        public internal(set) var ledgerDate: String?
        /// For a loan that restructures another: the loan it paid off.
        public let restructuredFrom: String?
    }

    /// A loan with what the book needs to change it.
    struct Loaded: Sendable {
        let record: Record
        let lenderID: String
        let terms: LoanTerms?
        let ledgerDate: CalendarDate?
        let nextSequence: Int64
        let rowVersion: Int64
    }

    static let columns: SQLQueryString = """
        id, lender_id, client_id, product_code, product_version, status, amount, term, terms, disbursement_channel, disbursement_reference,
        disbursed_on, ledger_date, next_sequence, row_version, created_at, created_by, decided_at, decided_by, decision_note, restructured_from
        """

    func load(_ id: String, lenderID: String?, on db: any SQLDatabase) async throws -> Loaded {
        let row: (any SQLRow)?
        if let lenderID {
            row = try await db.raw("SELECT \(Self.columns) FROM loans WHERE id = \(bind: id) AND lender_id = \(bind: lenderID)").first()
        } else {
            row = try await db.raw("SELECT \(Self.columns) FROM loans WHERE id = \(bind: id)").first()
        }
        guard let row else { throw APIError(status: .notFound, code: "loan_not_found", message: "No existe ese crédito. Revise el identificador.") }
        return try decode(row)
    }

    /// A loan read from its row, its terms through the per-loan cache (the close reads loans as `ClosingLoan`).
    func decode(_ row: any SQLRow) throws -> Loaded {
        let id = try row.decode(column: "id", as: String.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = LoanStatus(rawValue: statusText) else { throw APIError(status: .internalServerError, code: "loan_status_unknown", message: "Estado desconocido.") }
        let record = Record(
            id: id, clientId: try row.decode(column: "client_id", as: String.self), productCode: try row.decode(column: "product_code", as: String.self),
            productVersion: try row.decode(column: "product_version", as: Int.self), status: status,
            amount: QuoteDocument.amount(.mxn(centavos: try row.decode(column: "amount", as: Int64.self))), term: try row.decode(column: "term", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: String.self), createdBy: try row.decode(column: "created_by", as: String.self),
            decidedAt: try row.decode(column: "decided_at", as: String?.self), decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decisionNote: try row.decode(column: "decision_note", as: String?.self), disbursedOn: try row.decode(column: "disbursed_on", as: String?.self),
            disbursementChannel: try row.decode(column: "disbursement_channel", as: String?.self),
            disbursementReference: try row.decode(column: "disbursement_reference", as: String?.self),
            ledgerDate: try row.decode(column: "ledger_date", as: String?.self),
            restructuredFrom: try row.decode(column: "restructured_from", as: String?.self)
        )
        var terms: LoanTerms?
        if let text = try row.decode(column: "terms", as: String?.self) {
            terms = try cache.terms(for: id, text: text)
        }
        return Loaded(
            record: record, lenderID: try row.decode(column: "lender_id", as: String.self), terms: terms,
            ledgerDate: record.ledgerDate.flatMap(CalendarDate.init(text:)), nextSequence: try row.decode(column: "next_sequence", as: Int64.self),
            rowVersion: try row.decode(column: "row_version", as: Int64.self)
        )
    }

    // MARK: Reading

    /// The lender a loan belongs to (for the command line, which acts for whichever lender owns the loan).
    public func lender(of id: String) async throws -> String {
        try await database.withConnection { db in try await load(id, lenderID: nil, on: db).lenderID }
    }

    /// One loan of the lender.
    public func loan(_ id: String, lenderID: String) async throws -> Record {
        try await database.withConnection { db in try await load(id, lenderID: lenderID, on: db).record }
    }

    /// A client's loans, newest first.
    public func loans(clientID: String, lenderID: String) async throws -> [Record] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(Self.columns) FROM loans WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC, id"
            ).all().map { try decode($0).record }
        }
    }

    /// The lender's most recent loans, optionally of one status.
    public func recent(lenderID: String, status: LoanStatus? = nil, limit: Int = 50) async throws -> [Record] {
        try await database.withConnection { db in
            let filter: SQLQueryString = status.map { "AND status = \(bind: $0.rawValue)" } ?? ""
            return try await db.raw(
                "SELECT \(Self.columns) FROM loans WHERE lender_id = \(bind: lenderID) \(filter) ORDER BY created_at DESC, id LIMIT \(literal: max(1, min(limit, 500)))"
            ).all().map { try decode($0).record }
        }
    }

    /// A disbursed loan's position at the end of `asOf` (its ledger date at the earliest, today by default).
    public func position(_ id: String, lenderID: String, asOf: CalendarDate? = nil) async throws -> (Record, LoanPosition?) {
        try await database.withConnection { db in
            let loan = try await load(id, lenderID: lenderID, on: db)
            guard let terms = loan.terms, let ledgerDate = loan.ledgerDate else { return (loan.record, nil) }
            let events = try await activeEvents(loan.record.id, on: db)
            let date = max(asOf ?? today(), ledgerDate, events.map(\.valueDate).max() ?? ledgerDate)
            return (loan.record, try replay(terms, events, date))
        }
    }

    /// The events of a loan that count (payments and write-offs not reversed).
    func activeEvents(_ loanID: String, on db: any SQLDatabase) async throws -> [LoanEvent] {
        try await db.raw(
            "SELECT id, sequence, kind, value_date, amount, excess FROM loan_events WHERE loan_id = \(bind: loanID) AND reversed_at IS NULL ORDER BY sequence"
        ).all().map(Self.event)
    }

    static func event(_ row: any SQLRow) throws -> LoanEvent {
        let kind = try row.decode(column: "kind", as: String.self)
        let date = try row.decode(column: "value_date", as: String.self)
        guard let valueDate = CalendarDate(text: date) else { throw APIError(status: .internalServerError, code: "event_date_invalid", message: "Fecha inválida.") }
        let eventKind: LoanEvent.Kind
        switch kind {
        case "payment":
            let excess = ExcessPolicy(rawValue: try row.decode(column: "excess", as: String?.self) ?? "advance") ?? .advance
            eventKind = .payment(amount: .mxn(centavos: try row.decode(column: "amount", as: Int64.self)), excess: excess)
        default:
            eventKind = .writeOff
        }
        return LoanEvent(id: try row.decode(column: "id", as: String.self), sequence: try row.decode(column: "sequence", as: Int64.self), valueDate: valueDate, kind: eventKind)
    }

    func replay(_ terms: LoanTerms, _ events: [LoanEvent], _ asOf: CalendarDate) throws -> LoanPosition {
        try replaying(terms, events, asOf).result
    }

    func replaying(_ terms: LoanTerms, _ events: [LoanEvent], _ asOf: CalendarDate) throws -> LoanReplay {
        do { return try LoanReplay.replaying(terms: terms, events: events, through: asOf) } catch {
            throw APIError(status: .unprocessableContent, code: error.code, message: error.message)
        }
    }

    // MARK: Origination

    /// What an application asks for.
    public struct Application: Sendable, Codable, Hashable {
        public var clientId: String
        public var productCode: String
        /// `"15000.00"`.
        public var amount: String
        public var term: Int
        public var note: String?

        public init(clientId: String, productCode: String, amount: String, term: Int, note: String? = nil) {
            self.clientId = clientId
            self.productCode = productCode
            self.amount = amount
            self.term = term
            self.note = note
        }
    }

    /// Records an application under the product's current version, after checking the client, the amount and the term.
    public func apply(_ application: Application, lenderID: String, actor: Administration.Actor, on db: any SQLDatabase) async throws -> Record {
        var issues: [FieldIssue] = []
        let amount: Money
        do { amount = try Money(parsing: application.amount) } catch {
            throw APIError(status: .unprocessableContent, code: "loan_invalid", message: "Revise la solicitud.", details: [
                FieldIssue(field: "amount", code: "invalid", message: "El monto se escribe como 15000.00."),
            ])
        }
        if let note = application.note, CardNumberDetector.containsCardNumber(note) {
            issues.append(FieldIssue(field: "note", code: "card_number_in_text", message: "No escriba números de tarjeta en las notas."))
        }
        let clientExists = try await db.raw(
            "SELECT id FROM clients WHERE id = \(bind: application.clientId) AND lender_id = \(bind: lenderID)"
        ).first() != nil
        if !clientExists { issues.append(FieldIssue(field: "clientId", code: "client_not_found", message: "No existe ese cliente.")) }
        if clientExists, try await !ClientScreening.holds(clientID: application.clientId, on: db).isEmpty {
            issues.append(FieldIssue(field: "clientId", code: "client_on_hold", message: ClientScreening.holdMessage))
        }
        guard let product = try await products.product(code: application.productCode, lenderID: lenderID, on: db) else {
            issues.append(FieldIssue(field: "productCode", code: "product_not_found", message: "No existe ese producto."))
            throw APIError(status: .unprocessableContent, code: "loan_invalid", message: "Revise la solicitud.", details: issues)
        }
        do { _ = try product.quote(principal: amount, term: application.term, start: today()) } catch {
            issues.append(FieldIssue(field: error.code == "term_out_of_range" ? "term" : "amount", code: error.code, message: error.message))
        }
        guard issues.isEmpty else { throw APIError(status: .unprocessableContent, code: "loan_invalid", message: "Revise la solicitud.", details: issues) }
        let id = "ln_" + APIClients.randomHex(bytes: 10)
        let now = clock()
        try await db.raw(
            """
            INSERT INTO loans (id, lender_id, client_id, product_code, product_version, status, amount, term, next_sequence, row_version,
                               created_at, created_by, decision_note, updated_at)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: application.clientId), \(bind: product.code), \(bind: product.version),
                    \(bind: LoanStatus.application.rawValue), \(bind: amount.minorUnits), \(bind: application.term), 1, 1, \(bind: now.text),
                    \(bind: actor.id), \(bind: application.note), \(bind: now.text))
            """
        ).run()
        // The product is a risk factor: the client is graded again by the next assessment run.
        try await db.raw(
            """
            INSERT INTO risk_reassessments (client_id, reason, queued_at) VALUES (\(bind: application.clientId), 'producto', \(bind: now.text))
            ON CONFLICT (client_id) DO NOTHING
            """
        ).run()
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "loan.apply", objectType: "loan", objectID: id, at: now,
                                 change: "\(application.clientId) \(product.code)@\(product.version) \(amount.minorUnits) \(application.term)"),
            on: db
        )
        return try await load(id, lenderID: lenderID, on: db).record
    }

    /// Approves an application (recording who decided) or cancels an application or an approved loan.
    public func decide(_ id: String, approve: Bool, note: String?, lenderID: String, actor: Administration.Actor) async throws -> Record {
        if let note, CardNumberDetector.containsCardNumber(note) {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en las notas.")
        }
        if !approve, (note ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Indique el motivo de la cancelación.")
        }
        let now = clock()
        return try await database.transaction { db -> Record in
            let loan = try await load(id, lenderID: lenderID, on: db)
            let allowed: [LoanStatus] = approve ? [.application] : [.application, .approved]
            guard allowed.contains(loan.record.status) else {
                throw APIError(
                    status: .conflict, code: "loan_status_conflict",
                    message: approve ? "Solo se aprueba una solicitud; el crédito está \(loan.record.status.label.lowercased())."
                        : "Solo se cancela un crédito antes de disponerse; el crédito está \(loan.record.status.label.lowercased())."
                )
            }
            let status: LoanStatus = approve ? .approved : .canceled
            try await db.raw(
                """
                UPDATE loans SET status = \(bind: status.rawValue), decided_at = \(bind: now.text), decided_by = \(bind: actor.id),
                    decision_note = \(bind: note ?? loan.record.decisionNote), row_version = row_version + 1, updated_at = \(bind: now.text)
                WHERE id = \(bind: id)
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: approve ? "loan.approve" : "loan.cancel", objectType: "loan", objectID: id, at: now, change: note ?? ""),
                on: db
            )
            return try await load(id, lenderID: lenderID, on: db).record
        }
    }

    /// Disburses an approved loan on `date` (today by default, never later) through `channel`: fixes its terms and
    /// schedule and posts the disbursement.
    public func disburse(
        _ id: String, on date: CalendarDate? = nil, channel: MoneyChannel, reference: String?, lenderID: String, actor: Administration.Actor
    ) async throws -> Record {
        let today = today()
        let date = date ?? today
        guard date <= today else { throw APIError(status: .unprocessableContent, code: "date_in_future", message: "La fecha de disposición no puede ser posterior a hoy.") }
        let reference = try Self.cleanReference(reference)
        guard channel.isChosenByStaff else {
            throw APIError(status: .unprocessableContent, code: "channel_invalid", message: "Una reestructura se dispone desde el crédito que reestructura; el suspenso no dispone créditos.")
        }
        let now = clock()
        return try await database.transaction { db -> Record in
            try await disburse(id, on: date, channel: channel, account: channel.account, reference: reference, lenderID: lenderID, actor: actor, now: now, in: db)
        }
    }

    /// Disburses an approved loan inside the caller's transaction, crediting `account` (the channel's, or SPEI in
    /// transit for an order still to settle).
    func disburse(
        _ id: String, on date: CalendarDate, channel: MoneyChannel, account: LedgerAccount, reference: String?, lenderID: String,
        actor: Administration.Actor, now: Timestamp, in db: any SQLDatabase
    ) async throws -> Record {
        let (loan, terms) = try await disbursementTerms(id, on: date, lenderID: lenderID, in: db)
        let position = try replay(terms, [], date)
        var lines = Journal.difference(from: [:], to: position.ledgerBalances(), loanID: id)
        lines.append(Journal.Line(account: account, loanID: id, amount: -terms.disbursed.minorUnits))
        try await Journal.post(
            Journal.Draft(
                lenderID: lenderID, loanID: id, eventID: nil, kind: "disbursement", valueDate: date,
                description: "Disposición del crédito \(id) por \(channel.label)\(reference.map { " ref. \($0)" } ?? "")", lines: lines
            ),
            at: now, by: actor.id, on: db
        )
        let text = String(decoding: try TermsCache.encoder.encode(terms), as: UTF8.self)
        try await db.raw(
            """
            UPDATE loans SET status = \(bind: LoanStatus.active.rawValue), terms = \(bind: text), disbursement_channel = \(bind: channel.rawValue),
                disbursement_reference = \(bind: reference), disbursed_on = \(bind: date.text), ledger_date = \(bind: date.text),
                row_version = row_version + 1, updated_at = \(bind: now.text)
            WHERE id = \(bind: id) AND row_version = \(bind: loan.rowVersion)
            """
        ).run()
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "loan.disburse", objectType: "loan", objectID: id, at: now,
                                 change: "\(date.text) \(channel.rawValue) \(terms.disbursed.minorUnits)"),
            on: db
        )
        // PLD monitoring in the same transaction (a restructure's internal disbursement moves no money and is not an operation).
        if channel != .restructure {
            try await TransactionMonitor.monitor(
                [TransactionMonitor.Posted(
                    lenderID: lenderID, channel: channel.rawValue,
                    operation: MonitoredOperation(
                        // One per disbursement: a loan disbursed again after a returned transfer is a new operation.
                        id: APIClients.timeOrderedID("disp_", at: now), clientID: loan.record.clientId, loanID: id, kind: .disbursement, amount: terms.disbursed,
                        instrument: TransactionMonitor.instrument(of: channel), date: date
                    )
                )],
                now: now, on: db
            )
        }
        return try await load(id, lenderID: lenderID, on: db).record
    }

    /// An approved loan and the terms it would have if disbursed on `date` (what it would pay out).
    func disbursementTerms(_ id: String, on date: CalendarDate, lenderID: String, in db: any SQLDatabase) async throws -> (Loaded, LoanTerms) {
        let loan = try await load(id, lenderID: lenderID, on: db)
        guard loan.record.status == .approved else {
            throw APIError(status: .conflict, code: "loan_status_conflict", message: "Solo se dispone un crédito aprobado; el crédito está \(loan.record.status.label.lowercased()).")
        }
        try await ClientScreening.requireNoHolds(clientID: loan.record.clientId, on: db)
        // The file as it stands today, whatever day the disbursement is dated.
        try await KYCFiles.requireComplete(clientID: loan.record.clientId, lenderID: lenderID, today: today(), on: db)
        guard let product = try await products.product(code: loan.record.productCode, version: loan.record.productVersion, lenderID: lenderID, on: db) else {
            throw APIError(status: .conflict, code: "product_not_found", message: "No se encontró la versión del producto del crédito.")
        }
        do {
            return (loan, try LoanTerms.make(product: product, amount: try Money(parsing: loan.record.amount), term: loan.record.term, disbursementDate: date))
        } catch let refusal as QuoteRefusal {
            throw APIError(status: .unprocessableContent, code: refusal.code, message: refusal.message)
        }
    }

    /// Undoes a disbursement whose money never reached the borrower (an SPEI order returned): every journal balance of
    /// the loan is reversed in one entry and the loan is approved again, without terms, ready to be disbursed anew.
    /// Only a loan with nothing recorded after its disbursement is undone; false otherwise (the caller holds the money
    /// elsewhere and staff decide).
    func undoDisbursement(_ id: String, reason: String, lenderID: String, actor: Administration.Actor, now: Timestamp, in db: any SQLDatabase) async throws -> Bool {
        let loan = try await load(id, lenderID: lenderID, on: db)
        guard loan.record.status == .active, try await activeEvents(id, on: db).isEmpty,
              try await db.raw("SELECT COUNT(*) AS n FROM loan_events WHERE loan_id = \(bind: id)").first(decodingColumn: "n", as: Int.self) == 0
        else { return false }
        var lines: [Journal.Line] = []
        for row in try await db.raw(
            """
            SELECT l.account, CAST(SUM(l.debit) - SUM(l.credit) AS BIGINT) AS balance
            FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.loan_id = \(bind: id) GROUP BY l.account ORDER BY l.account
            """
        ).all() {
            let balance = try row.decode(column: "balance", as: Int64.self)
            guard balance != 0, let account = LedgerAccount(rawValue: try row.decode(column: "account", as: String.self)) else { continue }
            lines.append(Journal.Line(account: account, loanID: id, amount: -balance))
        }
        if !lines.isEmpty {
            var day = today()
            if let ledger = loan.ledgerDate { day = try await Self.bookDay(ledger, lenderID: lenderID, on: db) }
            try await Journal.post(
                Journal.Draft(
                    lenderID: lenderID, loanID: id, eventID: nil, kind: "disbursement_reversal", valueDate: day,
                    description: "Reverso de la disposición del crédito \(id): \(reason)", lines: lines
                ),
                at: now, by: actor.id, on: db
            )
        }
        try await db.raw(
            """
            UPDATE loans SET status = \(bind: LoanStatus.approved.rawValue), terms = NULL, disbursement_channel = NULL, disbursement_reference = NULL,
                disbursed_on = NULL, ledger_date = NULL, row_version = row_version + 1, updated_at = \(bind: now.text)
            WHERE id = \(bind: id) AND row_version = \(bind: loan.rowVersion)
            """
        ).run()
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "loan.disbursement_returned", objectType: "loan", objectID: id, at: now, change: reason),
            on: db
        )
        return true
    }

    /// A reference as stored: trimmed, at most 64 visible characters, never a card number — unless it is an SPEI
    /// tracking key the sending bank assigned (`screenCards` false), whose long digit runs may pass a card check.
    static func cleanReference(_ text: String?, screenCards: Bool = true) throws -> String? {
        guard let value = text?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard value.count <= 64, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw APIError(status: .unprocessableContent, code: "reference_invalid", message: "La referencia lleva hasta 64 caracteres ASCII visibles.")
        }
        if screenCards, CardNumberDetector.containsCardNumber(value) {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "La referencia no puede ser un número de tarjeta.")
        }
        return value
    }
}

/// The replay of each recently paid loan at its ledger date, with its events, so the next payment carries it on
/// instead of replaying the whole history. An entry is used only while the loan's row version is the one it was stored
/// with (any change to the loan, by any instance, moves the version), and is stored only after its transaction
/// committed.
final class ReplayCache: Sendable {
    struct Entry: Sendable {
        let loanID: String
        let rowVersion: Int64
        let ledgerDate: CalendarDate
        /// The loan's replay with its ledger date open (every event applied, that day not closed), so a payment of
        /// that day or later is appended to it even on a due date.
        let open: LoanReplay
        /// The loan's balance in each account at the end of its ledger date: its journal as it stands.
        let balances: [LedgerAccount: Int64]
        /// The loan as the payment that made this entry left it.
        let loan: LoanBook.Loaded
        /// The loan's whole history when known (inside a batch, or just replayed); the cache keeps none, so carrying a
        /// loan on never copies its history.
        let history: [LoanEvent]?
        /// Events of the current batch, not written yet (so a replay inside the batch can add them to what is read).
        let pending: [LoanEvent]

        /// The entry as the cache keeps it.
        var stored: Entry {
            Entry(loanID: loanID, rowVersion: rowVersion, ledgerDate: ledgerDate, open: open, balances: balances, loan: loan, history: nil, pending: [])
        }
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    static let limit = 4_096

    /// Takes the loan's replay out of the cache (so it is the only copy and is carried on in place), when it is the
    /// replay of the loan as it stands (same row version and ledger date).
    func take(_ loanID: String, rowVersion: Int64, ledgerDate: CalendarDate) -> Entry? {
        entries.withLockedValue { entries in
            guard let entry = entries[loanID], entry.rowVersion == rowVersion, entry.ledgerDate == ledgerDate else { return nil }
            return entries.removeValue(forKey: loanID)
        }
    }

    /// The loan's entry, left in the cache (for working a payment out ahead, outside the transaction).
    func peek(_ loanID: String) -> Entry? {
        entries.withLockedValue { $0[loanID] }
    }

    func store(_ entry: Entry) {
        entries.withLockedValue { entries in
            if entries.count >= Self.limit, entries[entry.loanID] == nil { entries.removeAll(keepingCapacity: true) }
            entries[entry.loanID] = entry.stored
        }
    }
}
