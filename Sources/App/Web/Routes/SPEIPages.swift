import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird

/// SPEI in the back office: the orders sent through the participant (with a retry for one that could not be sent),
/// the deposits received, and applying a deposit held in suspense to its loan. The SPEI disbursement of a loan is
/// ordered from the loan's page (`POST /creditos/{id}/spei`).
struct SPEIPages {
    let web: WebRouter
    let transfers: SPEITransfers

    static let orderStatus = [
        "enviando": "Sin confirmar por STP", "enviada": "Enviada", "liquidada": "Liquidada", "devuelta": "Devuelta", "cancelada": "Cancelada", "rechazada": "Rechazada por STP",
    ]
    static let depositStatus = ["recibido": "Recibido", "aplicado": "Aplicado", "suspenso": "En suspenso", "aplicando": "Aplicándose", "devolucion": "Devolución de una orden"]

    func add() {
        let pages = web.pages
        let transfers = transfers

        web.get("/spei", .permission(.postPayments)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            return try await Self.page(pages, request, transfers, lenderID: user.lenderID, notice: nil, error: nil)
        }

        web.post("/spei/abonos/:id/aplicar", .permission(.postPayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            let loanID = request.field("credito").trimmingCharacters(in: .whitespaces)
            do {
                guard !loanID.isEmpty else { throw APIError(status: .unprocessableContent, code: "loan_required", message: "Escriba el crédito al que se aplica el abono.") }
                try await transfers.applyFromSuspense(id, to: loanID, lenderID: user.lenderID, actor: request.actor)
                return try await Self.page(pages, request, transfers, lenderID: user.lenderID, notice: "Abono aplicado al crédito \(loanID).", error: nil)
            } catch let error as APIError {
                return try await Self.page(pages, request, transfers, lenderID: user.lenderID, notice: nil, error: error.message, status: error.status)
            }
        }

        web.post("/spei/ordenes/:id/reenviar", .permission(.disburseLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                let order = try await transfers.resend(id, lenderID: user.lenderID, actor: request.actor)
                return try await Self.page(pages, request, transfers, lenderID: user.lenderID, notice: "Orden \(order.trackingKey) enviada a STP.", error: nil)
            } catch let error as APIError {
                return try await Self.page(pages, request, transfers, lenderID: user.lenderID, notice: nil, error: error.message, status: error.status)
            }
        }
    }

    static func page(
        _ pages: WebPages, _ request: WebRequest, _ transfers: SPEITransfers, lenderID: String, notice: String?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        func when(_ text: String) -> String { String(text.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        let orders = try await transfers.orders(lenderID: lenderID).map { order -> [String: Any] in
            var values: [String: Any] = [
                "id": order.id, "loanId": order.loanId, "trackingKey": order.trackingKey, "beneficiaryName": order.beneficiaryName,
                "beneficiaryClabe": order.beneficiaryClabe, "amount": order.amount, "createdAt": when(order.createdAt),
                "statusLabel": (orderStatus[order.status] ?? order.status) + (order.returnCause.map { " (causa \($0))" } ?? ""),
                "canResend": order.status == "enviando",
            ]
            values["error"] = order.error
            return values
        }
        let deposits = try await transfers.deposits(lenderID: lenderID).map { deposit -> [String: Any] in
            var values: [String: Any] = [
                "id": deposit.id, "trackingKey": deposit.trackingKey, "payerName": deposit.payerName ?? "", "concept": deposit.concept ?? "",
                "destinationClabe": deposit.destinationClabe, "amount": deposit.amount, "receivedAt": when(deposit.receivedAt),
                "statusLabel": depositStatus[deposit.status] ?? deposit.status, "inSuspense": deposit.status == "suspenso",
            ]
            values["loanId"] = deposit.loanId
            values["note"] = deposit.note
            return values
        }
        let values: [String: Any] = ["orders": orders, "deposits": deposits, "configured": transfers.settings != nil]
        return pages.render("spei", title: "SPEI", web: request, values: values, notice: notice, error: error, status: status, current: "/spei")
    }
}
