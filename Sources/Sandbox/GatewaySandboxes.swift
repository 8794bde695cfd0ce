import AsyncHTTPClient
import CarteraCore
import Hummingbird
import Integrations

/// Every payment gateway's sandbox, each under its own prefix (`/stripe`, …), with one page listing them. Served by
/// `cartera sandbox` on its own port, or by `cartera serve --demo` under `/sandbox` on Cartera's own.
public struct GatewaySandboxes: Sendable {
    /// The keys the sandboxes accept and sign with; Cartera is configured with the same ones to use them.
    public static let stripeSecretKey = "sk_test_cartera_sandbox"
    public static let stripeWebhookSecret = "whsec_cartera_sandbox"
    public static let conektaSecretKey = "key_cartera_sandbox"
    public static let openpaySecretKey = "sk_cartera_sandbox"
    public static let openpayMerchantID = "mcarterasandbox"
    public static let openpayWebhookUser = "cartera"
    public static let openpayWebhookPassword = "sandbox-openpay-webhook"
    public static let mercadoPagoAccessToken = "TEST-cartera-sandbox"
    public static let mercadoPagoWebhookSecret = "cartera-sandbox-mercadopago-secret"
    public static let payPalClientID = "AcarteraSandboxClient"
    public static let payPalSecret = "EcarteraSandboxSecret"
    public static let payPalWebhookID = "WH-CARTERA-SANDBOX"

    /// The providers simulated so far.
    public static let providers: [GatewayProvider] = [.stripe, .conekta, .openpay, .mercadopago, .paypal]

    /// Trouble made on purpose (errors, hangs) for every sandbox's API, to watch retries and the circuit breaker.
    public let faults = SandboxFaults()
    let stripe: StripeSandbox
    let conekta: ConektaSandbox
    let openpay: OpenpaySandbox
    let mercadoPago: MercadoPagoSandbox
    let payPal: PayPalSandbox
    /// Círculo de Crédito's report API (`/circulo`), sharing the gateways' faults.
    public let circulo: CirculoSandbox

    /// The account id each sandbox expects with its key (Openpay's merchant id).
    public static func accountID(_ provider: GatewayProvider) -> String? {
        switch provider {
        case .openpay: openpayMerchantID
        case .paypal: payPalClientID
        case .stripe, .conekta, .mercadopago: nil
        }
    }

    /// The secret API key each sandbox accepts.
    public static func secretKey(_ provider: GatewayProvider) -> String? {
        switch provider {
        case .stripe: stripeSecretKey
        case .conekta: conektaSecretKey
        case .openpay: openpaySecretKey
        case .mercadopago: mercadoPagoAccessToken
        case .paypal: payPalSecret
        }
    }

    /// The public half of the key the Conekta sandbox signs its events with (new each time it starts).
    public var conektaWebhookPublicKeyPEM: String { conekta.webhookPublicKeyPEM }

    /// - Parameters:
    ///   - publicBase: the sandboxes' own URL, prefix included (`http://127.0.0.1:9090`), read when needed.
    ///   - webhookBase: where Cartera takes webhooks (`http://127.0.0.1:8080/webhooks`): each sandbox posts its signed
    ///     events to `<webhookBase>/<provider>`; nil sends none.
    public init(
        publicBase: @escaping @Sendable () -> String, webhookBase: (@Sendable () -> String)?, http: HTTPClient = .shared,
        clock: @escaping @Sendable () -> Timestamp = { .now }
    ) {
        stripe = StripeSandbox(
            publicURL: { publicBase() + "/stripe" },
            webhook: webhookBase.map { base in StripeSandbox.WebhookEndpoint(url: { base() + "/stripe" }, secret: Self.stripeWebhookSecret) },
            http: http, clock: clock, faults: faults
        )
        var conektaWebhook: (@Sendable () -> String)?
        if let webhookBase { conektaWebhook = { webhookBase() + "/conekta" } }
        conekta = ConektaSandbox(publicURL: { publicBase() + "/conekta" }, webhookURL: conektaWebhook, http: http, clock: clock, faults: faults)
        openpay = OpenpaySandbox(
            publicURL: { publicBase() + "/openpay" },
            webhook: webhookBase.map { base in
                OpenpaySandbox.WebhookEndpoint(url: { base() + "/openpay" }, user: Self.openpayWebhookUser, password: Self.openpayWebhookPassword)
            },
            http: http, clock: clock, faults: faults
        )
        var mercadoPagoWebhook: (@Sendable () -> String)?
        if let webhookBase { mercadoPagoWebhook = { webhookBase() + "/mercadopago" } }
        mercadoPago = MercadoPagoSandbox(
            publicURL: { publicBase() + "/mercadopago" }, webhookURL: mercadoPagoWebhook, webhookSecret: Self.mercadoPagoWebhookSecret, http: http, clock: clock, faults: faults
        )
        var payPalWebhook: (@Sendable () -> String)?
        if let webhookBase { payPalWebhook = { webhookBase() + "/paypal" } }
        payPal = PayPalSandbox(
            publicURL: { publicBase() + "/paypal" }, webhookURL: payPalWebhook, webhookID: Self.payPalWebhookID, clientID: Self.payPalClientID,
            secret: Self.payPalSecret, http: http, clock: clock, faults: faults
        )
        circulo = CirculoSandbox(clock: clock, faults: faults)
    }

    /// Adds every sandbox under `prefix` (empty for a server of its own), and the index page at `prefix + "/"`.
    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "") {
        stripe.add(to: router, prefix: prefix + "/stripe")
        conekta.add(to: router, prefix: prefix + "/conekta")
        openpay.add(to: router, prefix: prefix + "/openpay")
        mercadoPago.add(to: router, prefix: prefix + "/mercadopago")
        payPal.add(to: router, prefix: prefix + "/paypal")
        circulo.add(to: router, prefix: prefix + "/circulo")
        faults.add(to: router, path: prefix + "/_sandbox/faults")
        router.get(RouterPath(prefix.isEmpty ? "/" : prefix)) { _, _ in
            SandboxPage.html(
                """
                <h1>Sandbox de pasarelas de pago</h1><p>Simuladores locales que hablan la API real de cada pasarela, para probar Cartera sin
                salir de esta máquina.</p><ul><li><a href="\(prefix)/stripe/_sandbox">Stripe</a>: tarjetas de prueba, fichas OXXO y transferencias SPEI.</li>
                <li><a href="\(prefix)/conekta/_sandbox">Conekta</a>: órdenes con tokens de prueba, efectivo en OXXO y SPEI.</li>
                <li><a href="\(prefix)/openpay/_sandbox">Openpay</a>: tarjetas de prueba, efectivo en tiendas Paynet y SPEI.</li>
                <li><a href="\(prefix)/mercadopago/_sandbox">Mercado Pago</a>: tarjetas de prueba (APRO, FUND…), OXXO y SPEI.</li>
                <li><a href="\(prefix)/paypal/_sandbox">PayPal</a>: tarjetas guardadas en la bóveda (sin efectivo ni SPEI, como PayPal).</li>
                <li><a href="\(prefix)/stp/_sandbox">STP (SPEI)</a>: órdenes de dispersión firmadas, su liquidación o devolución, y abonos a las CLABEs de los créditos.</li>
                <li><a href="\(prefix)/circulo/_sandbox">Círculo de Crédito</a>: reporte de crédito con FICO Score, firmado con ECDSA; sin historial para RFC XAXX… o terminados en 0.</li>
                <li><a href="\(prefix)/bank/_sandbox">Banco</a>: API bancaria con OAuth2, saldos, movimientos paginados, transferencias y validación del titular.</li>
                <li><a href="\(prefix)/twilio/_sandbox">Twilio</a> (SMS) y <a href="\(prefix)/whatsapp/_sandbox">WhatsApp Cloud API</a>: mensajes de cobranza, sus estados y las respuestas de los acreditados (BAJA).</li>
                <li><a href="\(prefix)/bandeja">Bandeja</a>: todo SMS, WhatsApp y correo que recibiría un acreditado.</li></ul>
                """
            )
        }
    }

    /// The settings that point Cartera at sandboxes served at `base`, as environment variables (`conektaKeyFile`: where
    /// the Conekta sandbox's webhook public key was written).
    public static func environment(base: String, conektaKeyFile: String) -> [(String, String)] {
        [
            ("CARTERA_STRIPE_API_BASE", base + "/stripe"), ("CARTERA_STRIPE_SECRET_KEY", stripeSecretKey),
            ("CARTERA_STRIPE_WEBHOOK_SECRET", stripeWebhookSecret),
            ("CARTERA_CONEKTA_API_BASE", base + "/conekta"), ("CARTERA_CONEKTA_SECRET_KEY", conektaSecretKey),
            ("CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE", conektaKeyFile),
            ("CARTERA_OPENPAY_API_BASE", base + "/openpay"), ("CARTERA_OPENPAY_SECRET_KEY", openpaySecretKey),
            ("CARTERA_OPENPAY_MERCHANT_ID", openpayMerchantID), ("CARTERA_OPENPAY_WEBHOOK_USER", openpayWebhookUser),
            ("CARTERA_OPENPAY_WEBHOOK_PASSWORD", openpayWebhookPassword),
            ("CARTERA_MERCADOPAGO_API_BASE", base + "/mercadopago"), ("CARTERA_MERCADOPAGO_SECRET_KEY", mercadoPagoAccessToken),
            ("CARTERA_MERCADOPAGO_WEBHOOK_SECRET", mercadoPagoWebhookSecret),
            ("CARTERA_PAYPAL_API_BASE", base + "/paypal"), ("CARTERA_PAYPAL_CLIENT_ID", payPalClientID), ("CARTERA_PAYPAL_SECRET_KEY", payPalSecret),
            ("CARTERA_PAYPAL_WEBHOOK_ID", payPalWebhookID), ("CARTERA_PAYPAL_CERT_URL_PREFIX", base + "/paypal/_sandbox/certs/"),
        ]
    }
}
