import CarteraCore
import CarteraSecurity
import Foundation

/// Openpay signs nothing: the webhook is registered with a user and password, and Openpay calls with them in HTTP
/// Basic authentication. The first call is a `verification` event whose code is confirmed in Openpay's dashboard.
/// Since only the sender is proved, the charge is retrieved from Openpay before anything is posted.
///
/// Openpay events carry no id of their own: an event is the type, the transaction and its status, which is what makes
/// a repeated delivery recognisable.
public struct OpenpayWebhookVerifier: WebhookVerifier {
    public let provider = GatewayProvider.openpay
    let user: String
    let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook {
        guard !user.isEmpty, !password.isEmpty else {
            throw WebhookRejection(.notConfigured, "Faltan el usuario y la contraseña de los avisos de Openpay (CARTERA_OPENPAY_WEBHOOK_USER y _PASSWORD).")
        }
        guard let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("basic ") else {
            throw WebhookRejection(.missingSignature, "El aviso de Openpay no trae credenciales (Authorization: Basic).")
        }
        let encoded = authorization.dropFirst("basic ".count).trimmingCharacters(in: .whitespaces)
        let presented = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard ConstantTime.equals(presented, "\(user):\(password)") else {
            throw WebhookRejection(.invalidSignature, "Las credenciales del aviso de Openpay no coinciden con las configuradas.")
        }
        let event = try WebhookSupport.object(request.body, provider: provider)
        guard let type = JSONFields.text(event, "type") else { throw WebhookRejection(.malformed, "El aviso de Openpay no trae type.") }
        if type == "verification" {
            guard let code = JSONFields.text(event, "verification_code") else {
                throw WebhookRejection(.malformed, "El aviso de verificación de Openpay no trae verification_code.")
            }
            return VerifiedWebhook(provider: provider, eventID: "verification:\(code)", type: type, objectID: nil, payloadIsSigned: false)
        }
        guard let transaction = JSONFields.text(event, "transaction", "id") else {
            throw WebhookRejection(.malformed, "El aviso de Openpay no trae la transacción.")
        }
        let status = JSONFields.text(event, "transaction", "status") ?? ""
        return VerifiedWebhook(provider: provider, eventID: "\(type):\(transaction):\(status)", type: type, objectID: transaction, payloadIsSigned: false)
    }
}
