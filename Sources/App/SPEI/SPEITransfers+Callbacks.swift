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
        /// A deposit refused so the participant returns the money: 400 `{"id": cause, "mensaje": …}`.
        case rejected(cause: Int, message: String)
        /// Not now (the order is still being written): 503, the participant calls again.
        case later
    }

    /// A status callback for one of the lender's orders: settled, returned or canceled. Each state of an order is taken
    /// once (repeated callbacks are acknowledged and ignored); the journal and the order change in one transaction.
    public func orderStatus(_ body: [UInt8]) async throws -> CallbackAnswer {
        let status: SPEIOrderStatus
        do { status = try SPEIOrderStatus.parse(body) } catch {
            throw APIError(status: .badRequest, code: "spei_callback_invalid", message: "Aviso de STP ilegible: \(error.detail).")
        }
        let now = book.clock()
        let actor = Self.actor
        let raw = String(decoding: body, as: UTF8.self)
        return try await database.transaction { db -> CallbackAnswer in
            let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            var row = try await status.folio.asyncFlatMap { folio in
                try await db.raw("SELECT id, lender_id, loan_id, status, amount, tracking_key FROM spei_orders WHERE id = \(bind: folio)\(lock)").first()
            }
            if row == nil, let id = status.participantID {
                row = try await db.raw("SELECT id, lender_id, loan_id, status, amount, tracking_key FROM spei_orders WHERE participant_id = \(bind: id)\(lock)").first()
            }
            guard let row else {
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "spei.status.unknown_order", objectType: "spei_order",
                                         objectID: status.folio ?? status.participantID ?? "", at: now, change: String(raw.prefix(300)), outcome: .denied),
                    on: db
                )
                return .accepted
            }
            let orderID = try row.decode(column: "id", as: String.self)
            let lenderID = try row.decode(column: "lender_id", as: String.self)
            let loanID = try row.decode(column: "loan_id", as: String.self)
            let current = try row.decode(column: "status", as: String.self)
            let amount = try row.decode(column: "amount", as: Int64.self)
            let trackingKey = try row.decode(column: "tracking_key", as: String.self)
            if current == "capturada" { return .later }
            let inserted = try await db.raw(
                """
                INSERT INTO spei_order_events (order_id, state, return_cause, raw_body, received_at)
                VALUES (\(bind: orderID), \(bind: status.state.rawValue), \(bind: status.returnCause.map(Int64.init)), \(bind: raw), \(bind: now.text))
                ON CONFLICT (order_id, state) DO NOTHING RETURNING order_id
                """
            ).all()
            guard !inserted.isEmpty else { return .accepted }
            let today = book.today()
            switch (status.state, current) {
            case (.settled, "enviada"):
                try await Journal.post(
                    Journal.Draft(
                        lenderID: lenderID, loanID: loanID, eventID: nil, kind: "spei_settlement", valueDate: today,
                        description: "Liquidación SPEI \(trackingKey) de la disposición del crédito \(loanID)",
                        lines: [Journal.Line(account: .speiInTransit, loanID: loanID, amount: amount), Journal.Line(account: .banks, loanID: loanID, amount: -amount)]
                    ),
                    at: now, by: actor.id, on: db
                )
                try await db.raw(
                    "UPDATE spei_orders SET status = 'liquidada', settled_at = \(bind: now.text), updated_at = \(bind: now.text) WHERE id = \(bind: orderID)"
                ).run()
            case (.returned, "enviada"), (.returned, "liquidada"), (.canceled, "enviada"):
                let newStatus = status.state == .returned ? "devuelta" : "cancelada"
                let reason = "orden SPEI \(trackingKey) \(newStatus)\(status.returnCause.map { " (causa \($0))" } ?? "")"
                var note: String?
                if try await !book.undoDisbursement(loanID, reason: reason, lenderID: lenderID, actor: actor, now: now, in: db) {
                    // The loan has moved on since (a payment): the money back is held in suspense for staff to decide.
                    let from: LedgerAccount = current == "liquidada" ? .banks : .speiInTransit
                    try await Journal.post(
                        Journal.Draft(
                            lenderID: lenderID, loanID: loanID, eventID: nil, kind: "spei_return", valueDate: today,
                            description: "Devolución SPEI \(trackingKey) del crédito \(loanID), a suspenso para revisión",
                            lines: [Journal.Line(account: from, loanID: loanID, amount: amount), Journal.Line(account: .suspense, loanID: loanID, amount: -amount)]
                        ),
                        at: now, by: actor.id, on: db
                    )
                    note = "El crédito ya tenía movimientos; el importe devuelto quedó en partidas en suspenso para revisión."
                }
                try await db.raw(
                    """
                    UPDATE spei_orders SET status = \(bind: newStatus), return_cause = \(bind: status.returnCause.map(Int64.init)), error = \(bind: note),
                        returned_at = \(bind: now.text), updated_at = \(bind: now.text)
                    WHERE id = \(bind: orderID)
                    """
                ).run()
            default:
                // A state that does not follow (a settlement after a return): kept in the events, nothing posted.
                break
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "spei.order.\(status.state.rawValue)", objectType: "loan", objectID: loanID, at: now,
                                     change: "\(orderID) \(trackingKey) \(current)→\(status.stateText)\(status.returnCause.map { " causa \($0)" } ?? "")"),
                on: db
            )
            return .accepted
        }
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
