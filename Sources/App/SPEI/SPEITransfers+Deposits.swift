import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import HTTPTypes
import Integrations
import Lending
import SQLKit
import Store

extension SPEITransfers {
    /// A deposit as staff see it.
    public struct Deposit: Sendable, Codable, Equatable {
        public let id: String
        public let trackingKey: String
        public let operatingDate: String
        public let amount: String
        public let destinationClabe: String
        public let payerName: String?
        public let concept: String?
        /// `recibido` (being applied), `aplicado`, `suspenso`, `aplicando` (from suspense).
        public let status: String
        public let loanId: String?
        public let note: String?
        public let receivedAt: String
    }

    /// A deposit callback: the money is taken once per tracking key (sending bank and operating date), applied to the
    /// loan that owns the destination CLABE, or held in suspense (Bancos → Partidas en suspenso) when no open loan owns
    /// it. A deposit to an account that is not the lender's is refused so the participant returns it. A return of one of
    /// the lender's own orders is linked to it (the order is returned once, by whichever report comes first), never
    /// taken as a payment. `legacy`: answer in the legacy format.
    public func deposit(_ body: [UInt8]) async throws -> (answer: CallbackAnswer, legacy: Bool) {
        let deposit: SPEIDeposit
        do { deposit = try SPEIDeposit.parse(body) } catch {
            throw APIError(status: .badRequest, code: "spei_callback_invalid", message: "Aviso de abono ilegible: \(error.detail).")
        }
        let owner = try await clabes.loan(owning: deposit.destinationAccount)
        let lenderID: String
        if let owner {
            lenderID = owner.lenderID
        } else if deposit.destinationAccount == settings?.company.cuentaOrdenante || clabes.range?.number(of: deposit.destinationAccount) != nil,
                  let lender = try await defaultLender() {
            lenderID = lender
        } else {
            return (.rejected(cause: 1, message: "Cuenta inexistente"), deposit.legacyFormat)
        }
        let stored = try await record(deposit, body: body, lenderID: lenderID)
        // Seen before and done with: a repeated callback.
        guard stored.status == "recibido" else { return (.accepted, deposit.legacyFormat) }
        try await settle(deposit, depositID: stored.id, lenderID: lenderID, owner: owner)
        return (.accepted, deposit.legacyFormat)
    }

    /// Stores the deposit once (its raw body first); the stored id and state.
    func record(_ deposit: SPEIDeposit, body: [UInt8], lenderID: String) async throws -> (id: String, status: String) {
        let now = book.clock()
        let cipher = keys.cipher
        let id = "spd_" + APIClients.randomHex(bytes: 10)
        @Sendable func sealed(_ value: String?, _ column: String) -> String? { value.map { cipher.encrypt($0, field: "spei_deposits.\(column)") } }
        return try await database.transaction { db in
            let inserted = try await db.raw(
                """
                INSERT INTO spei_deposits (id, lender_id, tracking_key, sender_institution, operating_date, amount, destination_clabe, participant_id,
                    payer_name, payer_account, payer_rfc, concept, numeric_reference, raw_body, status, received_at)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: deposit.trackingKey), \(bind: deposit.senderInstitution), \(bind: deposit.operatingDate.text),
                    \(bind: deposit.amount.minorUnits), \(bind: deposit.destinationAccount), \(bind: deposit.participantID),
                    \(bind: sealed(deposit.payerName, "payer_name")), \(bind: sealed(deposit.payerAccount, "payer_account")),
                    \(bind: sealed(deposit.payerRFC, "payer_rfc")), \(bind: sealed(deposit.concept, "concept")), \(bind: deposit.numericReference),
                    \(bind: sealed(String(decoding: body, as: UTF8.self), "raw_body")), 'recibido', \(bind: now.text))
                ON CONFLICT (tracking_key, sender_institution, operating_date) DO NOTHING RETURNING id
                """
            ).all()
            if !inserted.isEmpty {
                try await AuditLog.append(
                    Administration.entry(actor: Self.actor, action: "spei.deposit.receive", objectType: "spei_deposit", objectID: id, at: now,
                                         change: "\(deposit.trackingKey) \(deposit.amount.minorUnits) \(deposit.destinationAccount)"),
                    on: db
                )
                return (id, "recibido")
            }
            let row = try await db.raw(
                """
                SELECT id, status FROM spei_deposits WHERE tracking_key = \(bind: deposit.trackingKey)
                    AND sender_institution = \(bind: deposit.senderInstitution) AND operating_date = \(bind: deposit.operatingDate.text)
                """
            ).first()
            return (try row?.decode(column: "id", as: String.self) ?? id, try row?.decode(column: "status", as: String.self) ?? "aplicado")
        }
    }

    /// Acts on a stored deposit still `recibido`: a return of an order, a transfer the bank statement already brought,
    /// a payment to its loan, or suspense.
    func settle(_ deposit: SPEIDeposit, depositID: String, lenderID: String, owner: (loanID: String, lenderID: String)?) async throws {
        if deposit.isReturn, let key = deposit.returnedTrackingKey {
            let now = book.clock()
            let linked = try await database.transaction { db -> Bool in
                guard let order = try await lockedOrder(folio: nil, participantID: nil, trackingKey: key, in: db), order.lenderID == lenderID else { return false }
                guard try await db.raw(
                    "UPDATE spei_deposits SET status = 'devolucion', loan_id = \(bind: order.loanID), note = \(bind: "Devolución de la orden \(order.id).") WHERE id = \(bind: depositID) AND status = 'recibido' RETURNING id"
                ).all().count == 1 else { return true }
                // The order is returned by this deposit unless STP's status callback did it first.
                if ["enviando", "enviada", "liquidada"].contains(order.status) {
                    let status = SPEIOrderStatus(participantID: nil, folio: order.id, state: .returned, stateText: "DEVOLUCION (abono)", returnCause: nil, settledAtMilliseconds: nil)
                    let inserted = try await db.raw(
                        """
                        INSERT INTO spei_order_events (order_id, state, return_cause, raw_body, received_at)
                        VALUES (\(bind: order.id), 'returned', NULL, \(bind: "abono \(deposit.trackingKey)"), \(bind: now.text))
                        ON CONFLICT (order_id, state) DO NOTHING RETURNING order_id
                        """
                    ).all()
                    if !inserted.isEmpty { try await apply(status, to: order, actor: Self.actor, now: now, in: db) }
                }
                return true
            }
            if linked { return }
        }
        let valueDate = min(deposit.operatingDate, book.today())
        // The bank's statement may have brought this transfer first and posted it.
        if let line = try await postedStatementLine(trackingKey: deposit.trackingKey, amount: deposit.amount.minorUnits, lenderID: lenderID) {
            try await database.withConnection { db in
                try await db.raw(
                    """
                    UPDATE spei_deposits SET status = 'aplicado', loan_id = \(bind: line.loanID), statement_line_id = \(bind: line.id),
                        note = 'Ya aplicado desde el estado de cuenta bancario.', applied_at = \(bind: book.clock().text), applied_by = \(bind: Self.actor.id)
                    WHERE id = \(bind: depositID) AND status = 'recibido'
                    """
                ).run()
            }
            return
        }
        if let owner, try await isOpen(owner.loanID) {
            // Who paid: screened against the lists (a blocked or sanctioned payer's money is held, not applied) and
            // compared with the client (a third party's payment is a monitoring alert).
            let counterparty = try await PaymentCounterparties(database: database, keys: keys, screening: screening)
                .check(name: deposit.payerName, rfc: deposit.payerRFC, loanID: owner.loanID, lenderID: lenderID, actor: Self.actor)
            if counterparty.held {
                try await suspend(depositID, deposit: deposit, lenderID: lenderID, valueDate: valueDate, note: ClientScreening.holdMessage)
                return
            }
            do {
                let payment = try await book.post(
                    owner.loanID, .init(amount: deposit.amount.decimalText, valueDate: valueDate.text, channel: .spei, reference: deposit.trackingKey),
                    lenderID: lenderID, actor: Self.actor, systemReference: true, payerIsClient: counterparty.payerIsClient
                )
                try await mark(depositID, status: "aplicado", loanID: owner.loanID, paymentID: payment.id, note: nil, from: "recibido")
                return
            } catch let error as APIError where error.code == "payment_duplicate_reference" {
                // Applied by an earlier callback that stopped before marking the deposit.
                try await mark(depositID, status: "aplicado", loanID: owner.loanID, paymentID: nil, note: nil, from: "recibido")
                return
            } catch let error as APIError {
                try await suspend(depositID, deposit: deposit, lenderID: lenderID, valueDate: valueDate, note: "No se pudo aplicar al crédito \(owner.loanID): \(error.message)")
                return
            }
        }
        let note =
            deposit.isReturn
            ? "Devolución de una transferencia que no es de una orden conocida."
            : owner.map { "El crédito \($0.loanID) no está vigente." } ?? "La CLABE destino no es de ningún crédito."
        try await suspend(depositID, deposit: deposit, lenderID: lenderID, valueDate: valueDate, note: note)
    }

    /// A bank-statement line already posted for this transfer (same tracking key and amount) and not yet linked to a
    /// deposit.
    func postedStatementLine(trackingKey: String, amount: Int64, lenderID: String) async throws -> (id: String, loanID: String?)? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT l.id, l.matched_loan_id FROM bank_statement_lines l
                WHERE l.lender_id = \(bind: lenderID) AND l.amount = \(bind: amount) AND l.match_status = 'posted'
                    AND (l.end_to_end_id = \(bind: trackingKey) OR l.bank_reference = \(bind: trackingKey))
                    AND NOT EXISTS (SELECT 1 FROM spei_deposits d WHERE d.statement_line_id = l.id)
                LIMIT 1
                """
            ).first().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "matched_loan_id", as: String?.self)) }
        }
    }

    /// Takes up deposits a stopped process left half done: `recibido` for more than `seconds` (read again from their
    /// stored body) and `aplicando` claims from suspense never finished. How many were settled.
    public func recoverDeposits(olderThan seconds: Int64 = 300) async throws -> Int {
        let cutoff = book.clock().adding(seconds: -seconds)
        let cipher = keys.cipher
        let rows = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, lender_id, raw_body FROM spei_deposits WHERE status = 'recibido' AND received_at < \(bind: cutoff.text) ORDER BY received_at LIMIT 100"
            ).all()
        }
        var settled = 0
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            let body = try cipher.decrypt(try row.decode(column: "raw_body", as: String.self), field: "spei_deposits.raw_body")
            guard let deposit = try? SPEIDeposit.parse(Array(body.utf8)) else { continue }
            try await settle(deposit, depositID: id, lenderID: try row.decode(column: "lender_id", as: String.self), owner: try await clabes.loan(owning: deposit.destinationAccount))
            settled += 1
        }
        let stale = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, lender_id, tracking_key FROM spei_deposits WHERE status = 'aplicando' AND applied_at < \(bind: cutoff.text) LIMIT 100"
            ).all()
        }
        for row in stale {
            let id = try row.decode(column: "id", as: String.self)
            if let payment = try await suspensePayment(trackingKey: try row.decode(column: "tracking_key", as: String.self), lenderID: try row.decode(column: "lender_id", as: String.self)) {
                try await mark(id, status: "aplicado", loanID: payment.loanID, paymentID: payment.id, note: "Aplicado desde suspenso.", from: "aplicando")
            } else {
                try await mark(id, status: "suspenso", loanID: nil, paymentID: nil, note: nil, from: "aplicando")
            }
            settled += 1
        }
        return settled
    }

    /// The only lender of this installation, when there is one (deposits to the company account name no loan).
    func defaultLender() async throws -> String? {
        try await database.withConnection { db in
            let ids = try await db.raw("SELECT id FROM lenders ORDER BY id LIMIT 2").all(decodingColumn: "id", as: String.self)
            return ids.count == 1 ? ids[0] : nil
        }
    }

    func isOpen(_ loanID: String) async throws -> Bool {
        try await database.withConnection { db in
            let status = try await db.raw("SELECT status FROM loans WHERE id = \(bind: loanID)").first(decodingColumn: "status", as: String.self)
            return status.flatMap(LoanStatus.init(rawValue:)).map { $0.isDisbursed && $0.acceptsPayments } ?? false
        }
    }

    /// Holds a deposit in suspense: Bancos → Partidas en suspenso, in one transaction with the deposit's state.
    func suspend(_ depositID: String, deposit: SPEIDeposit, lenderID: String, valueDate: CalendarDate, note: String) async throws {
        let now = book.clock()
        try await database.transaction { db in
            guard try await db.raw(
                "UPDATE spei_deposits SET status = 'suspenso', note = \(bind: note) WHERE id = \(bind: depositID) AND status = 'recibido' RETURNING id"
            ).all().count == 1 else { return }
            let entry = try await Journal.post(
                Journal.Draft(
                    lenderID: lenderID, loanID: nil, eventID: nil, kind: "spei_suspense", valueDate: valueDate,
                    description: "Abono SPEI \(deposit.trackingKey) sin crédito identificado, a partidas en suspenso",
                    lines: [Journal.Line(account: .banks, loanID: nil, amount: deposit.amount.minorUnits), Journal.Line(account: .suspense, loanID: nil, amount: -deposit.amount.minorUnits)]
                ),
                at: now, by: Self.actor.id, on: db
            )
            try await db.raw("UPDATE spei_deposits SET entry_id = \(bind: entry) WHERE id = \(bind: depositID)").run()
            try await AuditLog.append(
                Administration.entry(actor: Self.actor, action: "spei.deposit.suspense", objectType: "spei_deposit", objectID: depositID, at: now, change: note),
                on: db
            )
        }
    }

    func mark(_ depositID: String, status: String, loanID: String?, paymentID: String?, note: String?, from: String, by actor: String? = nil) async throws {
        let now = book.clock()
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE spei_deposits SET status = \(bind: status), loan_id = \(bind: loanID), payment_id = COALESCE(\(bind: paymentID), payment_id),
                    note = COALESCE(\(bind: note), note), applied_at = \(bind: now.text), applied_by = \(bind: actor ?? Self.actor.id)
                WHERE id = \(bind: depositID) AND status = \(bind: from)
                """
            ).run()
        }
    }

    /// A payment from suspense already made under a deposit's tracking key, on any of the lender's loans.
    func suspensePayment(trackingKey: String, lenderID: String) async throws -> (id: String, loanID: String)? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT e.id, e.loan_id FROM loan_events e JOIN loans l ON l.id = e.loan_id
                WHERE l.lender_id = \(bind: lenderID) AND e.kind = 'payment' AND e.channel = \(bind: MoneyChannel.suspense.rawValue)
                    AND e.reference = \(bind: trackingKey) AND e.reversed_at IS NULL
                LIMIT 1
                """
            ).first().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "loan_id", as: String.self)) }
        }
    }

    /// Applies a deposit held in suspense to `loanID` (staff found whose it is): a payment from Partidas en suspenso,
    /// under the deposit's tracking key. Claimed first (`aplicando`), so two people never apply it twice; a payment
    /// already made under its key (on any loan) marks it applied instead of making another.
    public func applyFromSuspense(_ depositID: String, to loanID: String, lenderID: String, actor: Administration.Actor) async throws {
        let now = book.clock()
        let claimed = try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE spei_deposits SET status = 'aplicando', applied_at = \(bind: now.text), applied_by = \(bind: actor.id)
                WHERE id = \(bind: depositID) AND lender_id = \(bind: lenderID) AND status = 'suspenso' RETURNING tracking_key, amount, operating_date, payer_name, payer_rfc
                """
            ).first()
        }
        guard let claimed else {
            throw APIError(status: .conflict, code: "spei_deposit_not_in_suspense", message: "Ese abono no está en suspenso (ya se aplicó o no existe).")
        }
        let trackingKey = try claimed.decode(column: "tracking_key", as: String.self)
        let amount = Money(minorUnits: try claimed.decode(column: "amount", as: Int64.self), currency: .mxn)
        let date = min(CalendarDate(text: try claimed.decode(column: "operating_date", as: String.self)) ?? book.today(), book.today())
        if let done = try await suspensePayment(trackingKey: trackingKey, lenderID: lenderID) {
            try await mark(depositID, status: "aplicado", loanID: done.loanID, paymentID: done.id, note: "Aplicado desde suspenso.", from: "aplicando", by: actor.id)
            return
        }
        do {
            _ = try await book.loan(loanID, lenderID: lenderID)
            // Money from a blocked or sanctioned payer is not applied by anyone until compliance dismisses the match.
            let payer = try claimed.decode(column: "payer_name", as: String?.self).map { try keys.decrypt($0, field: "spei_deposits.payer_name") }
            let payerRFC = try claimed.decode(column: "payer_rfc", as: String?.self).map { try keys.decrypt($0, field: "spei_deposits.payer_rfc") }
            let counterparty = try await PaymentCounterparties(database: database, keys: keys, screening: screening)
                .check(name: payer, rfc: payerRFC, loanID: loanID, lenderID: lenderID, actor: actor)
            if counterparty.held { throw APIError(status: .conflict, code: "client_on_hold", message: ClientScreening.holdMessage) }
            let payment = try await book.post(
                loanID, .init(amount: amount.decimalText, valueDate: date.text, channel: .suspense, reference: trackingKey), lenderID: lenderID, actor: actor, systemReference: true,
                payerIsClient: counterparty.payerIsClient
            )
            try await mark(depositID, status: "aplicado", loanID: loanID, paymentID: payment.id, note: "Aplicado desde suspenso.", from: "aplicando", by: actor.id)
        } catch {
            // Posted after all (the answer was lost)? Then it is applied; otherwise it waits in suspense again.
            if let done = try? await suspensePayment(trackingKey: trackingKey, lenderID: lenderID) {
                try await mark(depositID, status: "aplicado", loanID: done.loanID, paymentID: done.id, note: "Aplicado desde suspenso.", from: "aplicando", by: actor.id)
                return
            }
            try await mark(depositID, status: "suspenso", loanID: nil, paymentID: nil, note: nil, from: "aplicando", by: actor.id)
            throw error
        }
    }

    /// The lender's latest deposits.
    public func deposits(lenderID: String, limit: Int = 100) async throws -> [Deposit] {
        let cipher = keys.cipher
        return try await database.withConnection { db in
            try await db.raw("SELECT * FROM spei_deposits WHERE lender_id = \(bind: lenderID) ORDER BY received_at DESC, id LIMIT \(literal: limit)").all().map { row in
                Deposit(
                    id: try row.decode(column: "id", as: String.self), trackingKey: try row.decode(column: "tracking_key", as: String.self),
                    operatingDate: try row.decode(column: "operating_date", as: String.self),
                    amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: .mxn).decimalText,
                    destinationClabe: try row.decode(column: "destination_clabe", as: String.self),
                    payerName: try row.decode(column: "payer_name", as: String?.self).map { try cipher.decrypt($0, field: "spei_deposits.payer_name") },
                    concept: try row.decode(column: "concept", as: String?.self).map { try cipher.decrypt($0, field: "spei_deposits.concept") },
                    status: try row.decode(column: "status", as: String.self), loanId: try row.decode(column: "loan_id", as: String?.self),
                    note: try row.decode(column: "note", as: String?.self), receivedAt: try row.decode(column: "received_at", as: String.self)
                )
            }
        }
    }
}
