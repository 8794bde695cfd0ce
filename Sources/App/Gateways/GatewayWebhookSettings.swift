import Integrations

/// What proves each gateway's webhooks; a provider left unset refuses its webhooks with 503 (so the provider keeps
/// them and retries) until it is configured.
public struct GatewayWebhookSettings: Sendable {
    public var stripeSecrets: [String] = []
    public var mercadoPagoSecret: String?
    public var conektaPublicKeyPEM: String?
    public var openpayUser: String?
    public var openpayPassword: String?
    /// The lender's webhook id in PayPal's dashboard (part of what PayPal signs).
    public var payPalWebhookID: String?
    /// Where PayPal's signing certificates may be fetched from (PayPal's hosts unless set; a sandbox's when one runs).
    public var payPalCertificatePrefixes: [String] = PayPalCertificates.paypalPrefixes

    public init() {}

    /// The verifier of each configured provider (a Conekta key that cannot be read leaves Conekta unconfigured;
    /// `validate()` reports it at start-up).
    func verifiers() -> [GatewayProvider: any WebhookVerifier] {
        var verifiers: [GatewayProvider: any WebhookVerifier] = [:]
        if !stripeSecrets.isEmpty { verifiers[.stripe] = StripeWebhookVerifier(secrets: stripeSecrets) }
        if let mercadoPagoSecret, !mercadoPagoSecret.isEmpty { verifiers[.mercadopago] = MercadoPagoWebhookVerifier(secret: mercadoPagoSecret) }
        if let conektaPublicKeyPEM, let conekta = try? ConektaWebhookVerifier(publicKeysPEM: [conektaPublicKeyPEM]) { verifiers[.conekta] = conekta }
        if let openpayUser, let openpayPassword, !openpayUser.isEmpty, !openpayPassword.isEmpty {
            verifiers[.openpay] = OpenpayWebhookVerifier(user: openpayUser, password: openpayPassword)
        }
        if let payPalWebhookID, !payPalWebhookID.isEmpty {
            verifiers[.paypal] = PayPalWebhookVerifier(webhookID: payPalWebhookID, certificates: PayPalCertificates(trustedPrefixes: payPalCertificatePrefixes))
        }
        return verifiers
    }

    /// Throws `ConfigurationError` when a configured key cannot be used.
    func validate() throws {
        if let conektaPublicKeyPEM {
            do {
                _ = try ConektaWebhookVerifier(publicKeysPEM: [conektaPublicKeyPEM])
            } catch {
                throw ConfigurationError.invalid(
                    setting: "CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE", value: "(PEM)", expected: "una llave pública RSA de 2048 bits o más en formato PEM"
                )
            }
        }
    }
}
