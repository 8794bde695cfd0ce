import CarteraCore
import CarteraSecurity
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
    /// it. A deposit to an account that is not the lender's is refused so the participant returns it.
    public func deposit(_ body: [UInt8]) async throws -> CallbackAnswer {
        let deposit: SPEIDeposit
        do { deposit = try SPEIDeposit.parse(body) } catch {
            throw APIError(status: .badRequest, code: "spei_callback_invalid", message: "Aviso de abono ilegible: \(error.detail).")
        }
        let owner = try await clabes.loan(owning: deposit.destinationAccount)
        let lenderID: String
        if let owner {
            lenderID = owner.lenderID
        } else if deposit.destinationAccount == settings?.company.cuentaOrdenante, let lender = try await defaultLender() {
            lenderID = lender
        } else if clabes.range?.number(of: deposit.destinationAccount) != nil, let lender = try await defaultLender() {
            lenderID = lender
        } else {
            return .rejected(cause: 1, message: "Cuenta inexistente")
        }
        let now = book.clock()
        let cipher = keys.cipher
        let id = "spd_" + APIClients.randomHex(bytes: 10)
        @Sendable func sealed(_ value: String?, _ column: String) -> String? { value.map { cipher.encrypt($0, field: "spei_deposits.\(column)") } }
        let stored: (id: String, status: String) = try await database.transaction { db in
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
        // Seen before and done with: a repeated callback.
        guard stored.status == "recibido" else { return .accepted }
        let valueDate = min(deposit.operatingDate, book.today())
        if let owner, try await isOpen(owner.loanID) {
            do {
                let payment = try await book.post(
                    owner.loanID, .init(amount: deposit.amount.decimalText, valueDate: valueDate.text, channel: .spei, reference: deposit.trackingKey),
                    lenderID: lenderID, actor: Self.actor, trackingKey: true
                )
                try await mark(stored.id, status: "aplicado", loanID: owner.loanID, paymentID: payment.id, note: nil, from: "recibido")
                return .accepted
            } catch let error as APIError where error.code == "payment_duplicate_reference" {
                // Applied by an earlier callback that stopped before marking the deposit.
                try await mark(stored.id, status: "aplicado", loanID: owner.loanID, paymentID: nil, note: nil, from: "recibido")
                return .accepted
            } catch let error as APIError {
                try await suspend(stored.id, deposit: deposit, lenderID: lenderID, valueDate: valueDate, note: "No se pudo aplicar al crédito \(owner.loanID): \(error.message)")
                return .accepted
            }
        }
        try await suspend(
            stored.id, deposit: deposit, lenderID: lenderID, valueDate: valueDate,
            note: owner.map { "El crédito \($0.loanID) no está vigente." } ?? "La CLABE destino no es de ningún crédito."
        )
        return .accepted
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

    /// Applies a deposit held in suspense to `loanID` (staff found whose it is): a payment from Partidas en suspenso,
    /// under the deposit's tracking key, so it is applied once.
    public func applyFromSuspense(_ depositID: String, to loanID: String, lenderID: String, actor: Administration.Actor) async throws {
        let claimed = try await database.withConnection { db in
            try await db.raw(
                "UPDATE spei_deposits SET status = 'aplicando' WHERE id = \(bind: depositID) AND lender_id = \(bind: lenderID) AND status = 'suspenso' RETURNING tracking_key, amount, operating_date"
            ).first()
        }
        guard let claimed else {
            throw APIError(status: .conflict, code: "spei_deposit_not_in_suspense", message: "Ese abono no está en suspenso (ya se aplicó o no existe).")
        }
        let trackingKey = try claimed.decode(column: "tracking_key", as: String.self)
        let amount = Money(minorUnits: try claimed.decode(column: "amount", as: Int64.self), currency: .mxn)
        let date = min(CalendarDate(text: try claimed.decode(column: "operating_date", as: String.self)) ?? book.today(), book.today())
        do {
            _ = try await book.loan(loanID, lenderID: lenderID)
            let payment = try await book.post(
                loanID, .init(amount: amount.decimalText, valueDate: date.text, channel: .suspense, reference: trackingKey), lenderID: lenderID, actor: actor, trackingKey: true
            )
            try await mark(depositID, status: "aplicado", loanID: loanID, paymentID: payment.id, note: "Aplicado desde suspenso.", from: "aplicando", by: actor.id)
        } catch let error as APIError where error.code == "payment_duplicate_reference" {
            try await mark(depositID, status: "aplicado", loanID: loanID, paymentID: nil, note: "Aplicado desde suspenso.", from: "aplicando", by: actor.id)
        } catch {
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
