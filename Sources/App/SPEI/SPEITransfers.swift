import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Integrations
import Lending
import SQLKit
import Store

/// SPEI through the lender's participant (STP): disbursements sent as signed orders, their settlement or return
/// reported by callback, and deposits (abonos) to the loans' CLABEs.
///
/// A disbursement order is written first (`capturada`), then sent; once the participant takes it the loan is disbursed
/// in one transaction with the order (`enviada`), crediting *Dispersiones SPEI por liquidar* (2303). Settlement moves
/// the money from 2303 to Bancos (`liquidada`); a return reverses the disbursement and approves the loan again
/// (`devuelta`). The tracking key is the order's idempotency key at the participant: sending the same order again never
/// makes two transfers.
public struct SPEITransfers: Sendable {
    let database: Database
    let keys: LiveKeys
    let book: LoanBook
    let clabes: LoanCLABEs
    /// Nil when SPEI through a participant is not configured.
    public let settings: STPSettings?
    let client: STPClient?
    /// Screens who pays a loan (the transfer's ordering party) against the lists; keeps its index between deposits.
    let screening: ClientScreening
    /// Who posts what the participant reports.
    static let actor = Administration.Actor(kind: .system, id: "spei:stp")

    public init(database: Database, keys: LiveKeys, book: LoanBook, clabes: LoanCLABEs, settings: STPSettings?) {
        self.database = database
        self.keys = keys
        self.book = book
        self.clabes = clabes
        self.settings = settings
        screening = ClientScreening(database: database, keys: keys, clock: book.clock)
        if let settings, let signer = try? STPSigner(privateKeyPEM: settings.privateKeyPEM) {
            client = STPClient(company: settings.company, http: ResilientHTTPClient(resolveBaseURL: settings.apiBase, timeout: .seconds(15)), signer: signer)
        } else {
            client = nil
        }
    }

    /// An order as staff see it.
    public struct Order: Sendable, Codable, Equatable {
        public let id: String
        public let loanId: String
        public let trackingKey: String
        public let amount: String
        public let beneficiaryClabe: String
        public let beneficiaryName: String
        public let status: String
        public let returnCause: Int?
        public let error: String?
        public let createdAt: String
    }

    static let notConfigured = APIError(
        status: .conflict, code: "spei_not_configured",
        message: "SPEI por STP no está configurado: defina CARTERA_STP_EMPRESA, CARTERA_STP_ACCOUNT y CARTERA_STP_PRIVATE_KEY_FILE, o disponga por otro canal."
    )

    /// Orders the disbursement of an approved loan by SPEI to `clabe` and sends it.
    ///
    /// The order and the disbursement (against *Dispersiones SPEI por liquidar*) are written in one transaction before
    /// anything is sent (`enviando`), so STP never holds an order Cartera has not booked, and the loan cannot be cancelled
    /// or disbursed another way meanwhile. Taken by STP → `enviada`; refused → the disbursement is reversed
    /// (`rechazada`); no answer → it stays `enviando` and is sent again (the same tracking key) by `resend` or the sweep.
    public func disburse(_ loanID: String, clabe: String, name: String, rfc: String?, lenderID: String, actor: Administration.Actor) async throws -> Order {
        guard let client, let settings else { throw Self.notConfigured }
        let validation = CLABE.validate(clabe.filter { !$0.isWhitespace })
        guard validation.isValid, let participant = BankCatalog.bundled.participant(forPrefix: validation.normalized.prefix(3)) else {
            throw APIError(status: .unprocessableContent, code: "clabe_invalid", message: "La CLABE del beneficiario no es válida: revise sus 18 dígitos.")
        }
        guard validation.normalized != settings.company.cuentaOrdenante, clabes.range?.number(of: validation.normalized) == nil else {
            throw APIError(
                status: .unprocessableContent, code: "clabe_invalid",
                message: "La CLABE del beneficiario es de la propia financiera (su cuenta o la CLABE de un crédito); use la cuenta del acreditado."
            )
        }
        let beneficiary = STPText.ascii(name, limit: 39)
        guard beneficiary.count >= 3 else {
            throw APIError(status: .unprocessableContent, code: "beneficiary_name_invalid", message: "Escriba el nombre del titular de la cuenta (al menos 3 letras).")
        }
        let rfc = rfc.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        if let rfc, rfc.count < 10 || rfc.count > 18 || !rfc.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "&") }) {
            throw APIError(status: .unprocessableContent, code: "rfc_invalid", message: "El RFC o CURP del beneficiario no es válido; déjelo vacío si no lo conoce.")
        }
        let now = book.clock()
        let today = book.today()
        let id = "spo_" + APIClients.randomHex(bytes: 10)
        let trackingKey = "CART" + today.text.replacingOccurrences(of: "-", with: "") + APIClients.randomHex(bytes: 6).uppercased()
        let reference = Int.random(in: 1...9_999_999)
        let cipher = keys.cipher
        try await database.transaction { db in
            let (_, terms) = try await book.disbursementTerms(loanID, on: today, lenderID: lenderID, in: db)
            try await db.raw(
                """
                INSERT INTO spei_orders (id, lender_id, loan_id, tracking_key, numeric_reference, amount, institution, beneficiary_clabe, beneficiary_name,
                    beneficiary_rfc, concept, status, created_at, created_by, updated_at)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: trackingKey), \(bind: Int64(reference)), \(bind: terms.disbursed.minorUnits),
                    \(bind: participant.speiCode), \(bind: cipher.encrypt(validation.normalized, field: "spei_orders.beneficiary_clabe")),
                    \(bind: cipher.encrypt(beneficiary, field: "spei_orders.beneficiary_name")),
                    \(bind: rfc.map { cipher.encrypt($0, field: "spei_orders.beneficiary_rfc") }), \(bind: "DISPOSICION CREDITO \(loanID)"),
                    'enviando', \(bind: now.text), \(bind: actor.id), \(bind: now.text))
                """
            ).run()
            _ = try await book.disburse(
                loanID, on: today, channel: .spei, account: .speiInTransit, reference: trackingKey, lenderID: lenderID, actor: actor, now: now, in: db
            )
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "spei.order.create", objectType: "loan", objectID: loanID, at: now,
                                     change: "\(id) \(trackingKey) \(terms.disbursed.minorUnits)"),
                on: db
            )
        }
        _ = try? await clabes.clabe(of: loanID, lenderID: lenderID)
        return try await send(id, client: client, lenderID: lenderID, actor: actor)
    }

    /// Sends an order STP has not confirmed yet (`enviando`) again: the same tracking key, so never a second transfer.
    public func resend(_ orderID: String, lenderID: String, actor: Administration.Actor) async throws -> Order {
        guard let client else { throw Self.notConfigured }
        return try await send(orderID, client: client, lenderID: lenderID, actor: actor)
    }

    /// Sends again every order left `enviando` for more than `seconds` (STP did not answer, or the process stopped
    /// before it did); how many were confirmed. Errors are left on the orders for staff to see.
    public func resendWaiting(olderThan seconds: Int64 = 60, limit: Int = 50) async throws -> Int {
        guard let client else { return 0 }
        let cutoff = book.clock().adding(seconds: -seconds)
        let waiting = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, lender_id FROM spei_orders WHERE status = 'enviando' AND updated_at < \(bind: cutoff.text) ORDER BY updated_at LIMIT \(literal: limit)"
            ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "lender_id", as: String.self)) }
        }
        var confirmed = 0
        for (id, lenderID) in waiting {
            if let order = try? await send(id, client: client, lenderID: lenderID, actor: Self.actor), order.status != "enviando" { confirmed += 1 }
        }
        return confirmed
    }

    func send(_ orderID: String, client: STPClient, lenderID: String, actor: Administration.Actor) async throws -> Order {
        let stored = try await row(orderID, lenderID: lenderID)
        guard stored.status == "enviando" else {
            throw APIError(status: .conflict, code: "spei_order_status_conflict", message: "STP ya confirmó la orden: está \(stored.status).")
        }
        let company = client.company
        let outgoing = STPOrder(
            empresa: company.empresa, claveRastreo: stored.trackingKey, concepto: stored.concept, amount: stored.amount,
            cuentaOrdenante: company.cuentaOrdenante, nombreOrdenante: company.nombreOrdenante, rfcCurpOrdenante: company.rfcCurpOrdenante,
            clabeBeneficiario: stored.clabe, nombreBeneficiario: stored.name, rfcCurpBeneficiario: stored.rfc,
            institucionContraparte: stored.institution, referenciaNumerica: stored.numericReference, folioOrigen: orderID
        )
        let registration: STPClient.Registration
        do {
            registration = try await client.register(outgoing)
        } catch {
            let now = book.clock()
            switch error {
            case .refused(_, let description):
                try await database.transaction { db in
                    guard let order = try await lockedOrder(folio: orderID, participantID: nil, in: db), order.status == "enviando" else { return }
                    let note = try await reverse(order, reason: "STP rechazó la orden: \(description.prefix(200))", moneyLeft: false, actor: actor, now: now, in: db)
                    try await db.raw(
                        """
                        UPDATE spei_orders SET status = 'rechazada', error = \(bind: String(("STP: " + description + (note.map { " " + $0 } ?? "")).prefix(400))),
                            updated_at = \(bind: now.text)
                        WHERE id = \(bind: orderID)
                        """
                    ).run()
                    try await AuditLog.append(
                        Administration.entry(actor: actor, action: "spei.order.refused", objectType: "loan", objectID: stored.loanID, at: now,
                                             change: "\(orderID) \(description.prefix(200))"),
                        on: db
                    )
                }
                throw APIError(status: .unprocessableContent, code: error.code, message: error.message + " El crédito volvió a quedar aprobado.")
            case .unavailable, .circuitOpen, .invalidResponse:
                try await database.withConnection { db in
                    try await db.raw("UPDATE spei_orders SET error = \(bind: error.message), updated_at = \(bind: now.text) WHERE id = \(bind: orderID) AND status = 'enviando'").run()
                }
                throw APIError(status: .serviceUnavailable, code: error.code, message: error.message)
            }
        }
        let participantID: String? = if case .registered(let id) = registration { String(id) } else { nil }
        let now = book.clock()
        try await database.transaction { db in
            // A callback may have settled or returned it already: then it stays as the callback left it.
            try await db.raw(
                """
                UPDATE spei_orders SET status = CASE WHEN status = 'enviando' THEN 'enviada' ELSE status END,
                    participant_id = COALESCE(\(bind: participantID), participant_id), error = CASE WHEN status = 'enviando' THEN NULL ELSE error END,
                    sent_at = \(bind: now.text), updated_at = \(bind: now.text)
                WHERE id = \(bind: orderID)
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "spei.order.sent", objectType: "loan", objectID: stored.loanID, at: now,
                                     change: "\(orderID) \(stored.trackingKey) \(participantID ?? "ya registrada")"),
                on: db
            )
        }
        return try await order(orderID, lenderID: lenderID)
    }

    struct StoredOrder {
        let loanID: String
        let trackingKey: String
        let numericReference: Int
        let amount: Money
        let institution: String
        let clabe: String
        let name: String
        let rfc: String?
        let concept: String
        let status: String
    }

    func row(_ orderID: String, lenderID: String) async throws -> StoredOrder {
        let cipher = keys.cipher
        return try await database.withConnection { db in
            guard let row = try await db.raw("SELECT * FROM spei_orders WHERE id = \(bind: orderID) AND lender_id = \(bind: lenderID)").first() else {
                throw APIError(status: .notFound, code: "spei_order_not_found", message: "No existe esa orden SPEI.")
            }
            return StoredOrder(
                loanID: try row.decode(column: "loan_id", as: String.self), trackingKey: try row.decode(column: "tracking_key", as: String.self),
                numericReference: Int(try row.decode(column: "numeric_reference", as: Int64.self)),
                amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: .mxn),
                institution: try row.decode(column: "institution", as: String.self),
                clabe: try cipher.decrypt(try row.decode(column: "beneficiary_clabe", as: String.self), field: "spei_orders.beneficiary_clabe"),
                name: try cipher.decrypt(try row.decode(column: "beneficiary_name", as: String.self), field: "spei_orders.beneficiary_name"),
                rfc: try row.decode(column: "beneficiary_rfc", as: String?.self).map { try cipher.decrypt($0, field: "spei_orders.beneficiary_rfc") },
                concept: try row.decode(column: "concept", as: String.self), status: try row.decode(column: "status", as: String.self)
            )
        }
    }

    /// One order.
    public func order(_ orderID: String, lenderID: String) async throws -> Order {
        guard let order = try await orders(lenderID: lenderID, id: orderID).first else {
            throw APIError(status: .notFound, code: "spei_order_not_found", message: "No existe esa orden SPEI.")
        }
        return order
    }

    /// The lender's latest orders (or the loan's).
    public func orders(lenderID: String, loanID: String? = nil, id: String? = nil, limit: Int = 100) async throws -> [Order] {
        let cipher = keys.cipher
        return try await database.withConnection { db in
            var query = "SELECT * FROM spei_orders WHERE lender_id = \(bind: lenderID)" as SQLQueryString
            if let loanID { query = query + " AND loan_id = \(bind: loanID)" }
            if let id { query = query + " AND id = \(bind: id)" }
            query = query + " ORDER BY created_at DESC, id LIMIT \(literal: limit)"
            return try await db.raw(query).all().map { row in
                Order(
                    id: try row.decode(column: "id", as: String.self), loanId: try row.decode(column: "loan_id", as: String.self),
                    trackingKey: try row.decode(column: "tracking_key", as: String.self),
                    amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: .mxn).decimalText,
                    beneficiaryClabe: try cipher.decrypt(try row.decode(column: "beneficiary_clabe", as: String.self), field: "spei_orders.beneficiary_clabe"),
                    beneficiaryName: try cipher.decrypt(try row.decode(column: "beneficiary_name", as: String.self), field: "spei_orders.beneficiary_name"),
                    status: try row.decode(column: "status", as: String.self),
                    returnCause: try row.decode(column: "return_cause", as: Int64?.self).map { Int($0) },
                    error: try row.decode(column: "error", as: String?.self), createdAt: try row.decode(column: "created_at", as: String.self)
                )
            }
        }
    }
}
