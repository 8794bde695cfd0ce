import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Integrations
import Lending
import SQLKit
import Store

extension SPEITransfers {
    /// How the participant is answered.
    public enum CallbackAnswer: Sendable, Equatable {
        /// Taken (or already taken): 200.
        case accepted
        /// A deposit refused so the participant returns the money: `{"id": cause, "mensaje": …}` (400).
        case rejected(cause: Int, message: String)
    }

    /// An order as a callback finds it, locked until the transaction ends.
    struct OrderRow {
        let id: String
        let lenderID: String
        let loanID: String
        let status: String
        let amount: Int64
        let trackingKey: String
    }

    func lockedOrder(folio: String?, participantID: String?, trackingKey: String? = nil, in db: any SQLDatabase) async throws -> OrderRow? {
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        var row: (any SQLRow)?
        if let folio { row = try await db.raw("SELECT id, lender_id, loan_id, status, amount, tracking_key FROM spei_orders WHERE id = \(bind: folio)\(lock)").first() }
        if row == nil, let participantID {
            row = try await db.raw("SELECT id, lender_id, loan_id, status, amount, tracking_key FROM spei_orders WHERE participant_id = \(bind: participantID)\(lock)").first()
        }
        if row == nil, let trackingKey {
            row = try await db.raw("SELECT id, lender_id, loan_id, status, amount, tracking_key FROM spei_orders WHERE tracking_key = \(bind: trackingKey)\(lock)").first()
        }
        guard let row else { return nil }
        return OrderRow(
            id: try row.decode(column: "id", as: String.self), lenderID: try row.decode(column: "lender_id", as: String.self),
            loanID: try row.decode(column: "loan_id", as: String.self), status: try row.decode(column: "status", as: String.self),
            amount: try row.decode(column: "amount", as: Int64.self), trackingKey: try row.decode(column: "tracking_key", as: String.self)
        )
    }

    /// Reverses the disbursement of an order whose money did not reach the borrower: the loan is approved again. When
    /// the loan has moved on (a payment since), the amount goes to suspense instead, as an item staff apply from
    /// `/spei`; the note says so. `moneyLeft`: the order had settled (the money left Bancos and came back).
    func reverse(_ order: OrderRow, reason: String, moneyLeft: Bool, actor: Administration.Actor, now: Timestamp, in db: any SQLDatabase) async throws -> String? {
        if try await book.undoDisbursement(order.loanID, reason: reason, lenderID: order.lenderID, actor: actor, now: now, in: db) { return nil }
        let from: LedgerAccount = moneyLeft ? .banks : .speiInTransit
        let entry = try await Journal.post(
            Journal.Draft(
                lenderID: order.lenderID, loanID: order.loanID, eventID: nil, kind: "spei_return", valueDate: book.today(),
                description: "Devolución SPEI \(order.trackingKey) del crédito \(order.loanID), a partidas en suspenso para revisión",
                lines: [Journal.Line(account: from, loanID: order.loanID, amount: order.amount), Journal.Line(account: .suspense, loanID: order.loanID, amount: -order.amount)]
            ),
            at: now, by: actor.id, on: db
        )
        let note = "El crédito ya tenía movimientos: el importe quedó en partidas en suspenso; aplíquelo al crédito desde SPEI."
        try await db.raw(
            """
            INSERT INTO spei_deposits (id, lender_id, tracking_key, sender_institution, operating_date, amount, destination_clabe, raw_body, status, loan_id,
                entry_id, note, received_at)
            VALUES (\(bind: "spd_" + APIClients.randomHex(bytes: 10)), \(bind: order.lenderID), \(bind: order.trackingKey), 'devolucion', \(bind: book.today().text),
                \(bind: order.amount), \(bind: settings?.company.cuentaOrdenante ?? ""), \(bind: keys.cipher.encrypt(reason, field: "spei_deposits.raw_body")),
                'suspenso', NULL, \(bind: entry), \(bind: note), \(bind: now.text))
            ON CONFLICT (tracking_key, sender_institution, operating_date) DO NOTHING
            """
        ).run()
        return note
    }

    /// A status callback for one of the lender's orders: settled, returned, canceled or rejected. Each state of an order
    /// is taken once (repeated callbacks are acknowledged and ignored); the journal and the order change in one
    /// transaction. A state that does not follow (a settlement after a return) is kept and flagged for review.
    public func orderStatus(_ body: [UInt8]) async throws -> CallbackAnswer {
        let status: SPEIOrderStatus
        do { status = try SPEIOrderStatus.parse(body) } catch {
            throw APIError(status: .badRequest, code: "spei_callback_invalid", message: "Aviso de STP ilegible: \(error.detail).")
        }
        let now = book.clock()
        let actor = Self.actor
        let raw = String(decoding: body, as: UTF8.self)
        return try await database.transaction { db -> CallbackAnswer in
            guard let order = try await lockedOrder(folio: status.folio, participantID: status.participantID, in: db) else {
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "spei.status.unknown_order", objectType: "spei_order",
                                         objectID: status.folio ?? status.participantID ?? "", at: now, change: String(raw.prefix(300)), outcome: .denied),
                    on: db
                )
                return .accepted
            }
            let inserted = try await db.raw(
                """
                INSERT INTO spei_order_events (order_id, state, return_cause, raw_body, received_at)
                VALUES (\(bind: order.id), \(bind: status.state.rawValue), \(bind: status.returnCause.map(Int64.init)), \(bind: raw), \(bind: now.text))
                ON CONFLICT (order_id, state) DO NOTHING RETURNING order_id
                """
            ).all()
            guard !inserted.isEmpty else { return .accepted }
            try await apply(status, to: order, actor: actor, now: now, in: db)
            return .accepted
        }
    }

    /// What a status does to an order (inside the caller's transaction).
    func apply(_ status: SPEIOrderStatus, to order: OrderRow, actor: Administration.Actor, now: Timestamp, in db: any SQLDatabase) async throws {
        var outcome = AuditEntry.Outcome.success
        switch (status.state, order.status) {
        case (.settled, "enviando"), (.settled, "enviada"):
            try await Journal.post(
                Journal.Draft(
                    lenderID: order.lenderID, loanID: order.loanID, eventID: nil, kind: "spei_settlement", valueDate: book.today(),
                    description: "Liquidación SPEI \(order.trackingKey) de la disposición del crédito \(order.loanID)",
                    lines: [
                        Journal.Line(account: .speiInTransit, loanID: order.loanID, amount: order.amount), Journal.Line(account: .banks, loanID: order.loanID, amount: -order.amount),
                    ]
                ),
                at: now, by: actor.id, on: db
            )
            try await db.raw(
                "UPDATE spei_orders SET status = 'liquidada', settled_at = \(bind: now.text), updated_at = \(bind: now.text) WHERE id = \(bind: order.id)"
            ).run()
        case (.returned, "enviando"), (.returned, "enviada"), (.returned, "liquidada"), (.canceled, "enviando"), (.canceled, "enviada"):
            let newStatus = status.state == .returned ? "devuelta" : "cancelada"
            let reason = "orden SPEI \(order.trackingKey) \(newStatus)\(status.returnCause.map { " (causa \($0))" } ?? "")"
            let note = try await reverse(order, reason: reason, moneyLeft: order.status == "liquidada", actor: actor, now: now, in: db)
            try await db.raw(
                """
                UPDATE spei_orders SET status = \(bind: newStatus), return_cause = \(bind: status.returnCause.map(Int64.init)), error = \(bind: note),
                    returned_at = \(bind: now.text), updated_at = \(bind: now.text)
                WHERE id = \(bind: order.id)
                """
            ).run()
        case (.other, _):
            // An intermediate state (por devolver, autorizada…): kept in the events, nothing changes yet.
            break
        default:
            // A state that does not follow the order's (a settlement after a return): nothing is posted; staff review it.
            outcome = .failure
            try await db.raw(
                """
                UPDATE spei_orders SET error = \(bind: "STP informó \(status.stateText) cuando la orden ya estaba \(order.status): revise con STP antes de corregir."),
                    updated_at = \(bind: now.text)
                WHERE id = \(bind: order.id)
                """
            ).run()
        }
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "spei.order.\(status.state.rawValue)", objectType: "loan", objectID: order.loanID, at: now,
                                 change: "\(order.id) \(order.trackingKey) \(order.status)→\(status.stateText)\(status.returnCause.map { " causa \($0)" } ?? "")",
                                 outcome: outcome),
            on: db
        )
    }
}
