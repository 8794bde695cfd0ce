import CarteraCore
import CarteraSecurity
import Hummingbird
import Integrations
import LoanCollections
import Logging
import Sandbox
import ServiceLifecycle
import Store

/// Builds the Cartera application: the router with its middleware and routes, on an open, migrated database.
///
/// This is the one composition root: `cartera serve` and the tests call it alike.
/// - Parameters:
///   - configuration: host, port and log level.
///   - database: an open database; the application closes it on graceful shutdown.
///   - onServerRunning: called with the bound port once the server listens (port 0 binds any free port).
///   - keys: the personal-data keys (they also protect the token-signing keys).
public func buildApplication(
    configuration: AppConfiguration,
    database: Database,
    keys: LiveKeys,
    logger: Logger,
    clock: @escaping @Sendable () -> Timestamp = { .now },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    AppMetrics.bootstrap(version: CarteraVersion.current)
    let tokens = try await TokenService.load(
        database: database, keys: keys, configuredKeyPEM: try configuration.signingKeyPEM(), clock: clock
    )
    var configuration = configuration
    let bound = BoundPort(configuration.port)
    var sandboxes: GatewaySandboxes?
    var stpSandbox: STPSandbox?
    var bankSandbox: BankSandbox?
    var messagingSandboxes: MessagingSandboxes?
    if let url = configuration.publicURL { configuration.messaging.publicBase = { url } }
    if configuration.demoSandbox {
        let loopback = ["0.0.0.0", "::", "[::]"].contains(configuration.host) ? "127.0.0.1" : configuration.host
        let address: @Sendable () -> String = { "http://\(loopback):\(bound.value)" }
        configuration.gateways.sandboxBase = { address() + "/sandbox" }
        for provider in GatewaySandboxes.providers {
            if let key = GatewaySandboxes.secretKey(provider) {
                configuration.gateways.credentials[provider] = .init(secretKey: key, accountID: GatewaySandboxes.accountID(provider))
            }
        }
        let simulated = GatewaySandboxes(publicBase: { address() + "/sandbox" }, webhookBase: { address() + "/webhooks" }, clock: clock)
        // A demo range of loan CLABEs (STP's bank and plaza, company digits 9999) unless one is configured.
        if configuration.virtualCLABEs == nil { configuration.virtualCLABEs = try? VirtualCLABERange(prefix: "6461809999") }
        configuration.gatewayWebhooks.stripeSecrets = [GatewaySandboxes.stripeWebhookSecret]
        configuration.gatewayWebhooks.conektaPublicKeyPEM = simulated.conektaWebhookPublicKeyPEM
        configuration.gatewayWebhooks.openpayUser = GatewaySandboxes.openpayWebhookUser
        configuration.gatewayWebhooks.openpayPassword = GatewaySandboxes.openpayWebhookPassword
        configuration.gatewayWebhooks.mercadoPagoSecret = GatewaySandboxes.mercadoPagoWebhookSecret
        configuration.gatewayWebhooks.payPalWebhookID = GatewaySandboxes.payPalWebhookID
        configuration.gatewayWebhooks.payPalCertificatePrefixes = ["http://\(loopback):"]
        sandboxes = simulated
        // SPEI through the STP sandbox, with a company key made for this run (STP keeps the company's public key).
        if configuration.stp == nil, let signer = try? STPSigner.generated() {
            let publicKey = signer.publicKeyPEM
            configuration.stp = STPSettings(
                apiBase: { address() + "/sandbox/stp/speiws/rest" },
                company: .init(empresa: STPSandbox.empresa, cuentaOrdenante: STPSandbox.companyAccount, nombreOrdenante: "FINANCIERA DEMO", rfcCurpOrdenante: nil),
                privateKeyPEM: signer.privateKeyPEM, callbackAllow: ["127.0.0.1", "::1", loopback]
            )
            stpSandbox = STPSandbox(
                publicKeyPEM: { publicKey }, statusURL: { address() + "/webhooks/stp/estado" }, depositURL: { address() + "/webhooks/stp/abono" }, clock: clock
            )
        }
        // Credit reports from the Círculo sandbox, signed with its demo lender key.
        if configuration.circulo == nil, let signer = try? CirculoSigner(privateKeyPEM: CirculoSandbox.lenderPrivateKeyPEM) {
            configuration.circulo = CirculoClient.Settings(
                baseURL: { address() + "/sandbox/circulo" }, apiKey: CirculoSandbox.apiKey, username: CirculoSandbox.username, password: CirculoSandbox.password, signer: signer
            )
        }
        // The lender's bank API through the bank sandbox.
        if configuration.bankAPI == nil {
            configuration.bankAPI = BankAPISettings(
                apiBase: { address() + "/sandbox/bank" }, clientID: BankSandbox.clientID, clientSecret: BankSandbox.clientSecret, name: "Banco sandbox"
            )
            bankSandbox = BankSandbox(clock: clock)
        }
        // SMS, WhatsApp and e-mail through the messaging sandboxes (the SMTP sink on a port of its own).
        if configuration.messaging.twilio == nil && configuration.messaging.whatsApp == nil && configuration.messaging.smtp == nil {
            let messaging = try MessagingSandboxes(webhookBase: { address() + "/webhooks" }, clock: clock)
            let smtpPort = try await messaging.sink.start()
            configuration.messaging.twilio = .init(
                accountSID: TwilioSandbox.accountSID, authToken: TwilioSandbox.authToken, from: TwilioSandbox.fromNumber, apiBase: { address() + "/sandbox/twilio" }
            )
            configuration.messaging.whatsApp = .init(
                phoneNumberID: WhatsAppSandbox.phoneNumberID, accessToken: WhatsAppSandbox.accessToken, appSecret: WhatsAppSandbox.appSecret,
                verifyToken: WhatsAppSandbox.verifyToken, apiBase: { address() + "/sandbox/whatsapp" }
            )
            configuration.messaging.smtp = SMTPSender.Settings(
                host: "127.0.0.1", port: smtpPort, security: .startTLS, username: SMTPSink.username, password: SMTPSink.password, from: "cobranza@demo.cartera.mx",
                fromName: "Financiera Demo", trustedCertificatesPEM: messaging.sink.certificatePEM
            )
            configuration.messaging.publicBase = address
            if configuration.messaging.contactPhone == nil { configuration.messaging.contactPhone = "55 5000 0000" }
            messagingSandboxes = messaging
        }
    }
    let port = configuration.port
    let built = buildRouter(
        configuration: configuration, database: database, keys: keys, tokens: tokens, logger: logger, sandboxes: sandboxes, stpSandbox: stpSandbox,
        bankSandbox: bankSandbox, messagingSandboxes: messagingSandboxes, clock: clock
    )
    // The gateways administrators set up in the back office (under what the environment says).
    try await built.gateways.reload()
    return Application(
        router: built.router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Cartera"),
        // Stopped in reverse order: the server, then the recurring charges and the outbox, and the database last.
        services: [
            DatabaseService(database: database, logger: logger), SandboxSinkService(sandboxes: messagingSandboxes), built.outbox, built.recurring, built.speiSweep,
            built.balanceCheck, built.endOfDay, built.messages,
        ],
        onServerRunning: { channel in
            let listening = channel.localAddress?.port ?? port
            bound.set(listening)
            await onServerRunning(listening)
        },
        logger: logger
    )
}

/// The router: middleware (outermost first) and every route, with the back-office route table.
func buildRouter(
    configuration: AppConfiguration,
    database: Database,
    keys: LiveKeys,
    tokens: TokenService,
    logger: Logger = Logger(label: "cartera"),
    sandboxes: GatewaySandboxes? = nil,
    stpSandbox: STPSandbox? = nil,
    bankSandbox: BankSandbox? = nil,
    messagingSandboxes: MessagingSandboxes? = nil,
    clock: @escaping @Sendable () -> Timestamp
) -> BuiltRouter {
    let router = Router(context: AppRequestContext.self)
    let audit = AuditWriter(database: database)
    let pages = WebPages()
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(ErrorMiddleware(audit: audit, pages: pages, clock: clock))
    HealthRoutes(database: database).add(to: router)
    // Demo only: the gateways' simulators, public like the services they stand for.
    sandboxes?.add(to: router, prefix: "/sandbox")
    stpSandbox?.add(to: router, prefix: "/sandbox/stp")
    bankSandbox?.add(to: router, prefix: "/sandbox/bank")
    messagingSandboxes?.add(to: router, prefix: "/sandbox")
    let book = LoanBook(database: database, clock: clock)
    let directory = ClientDirectory(database: database, keys: keys, clock: clock)
    let gateways = GatewayRegistry(configuration: configuration, store: GatewaySettingsStore(database: database, keys: keys, clock: clock), clock: clock)
    let intents = PaymentIntentBook(database: database, book: book, directory: directory, connectors: gateways.connectors, clock: clock)
    let outbox = GatewayOutbox(database: database, intents: intents, logger: logger, clock: clock, refreshSettings: { try await gateways.reload() })
    let mandates = CardMandateBook(database: database, intents: intents, logger: logger)
    let recurring = RecurringCharges(database: database, mandates: mandates, logger: logger)
    WebhookRoutes(
        inbox: GatewayInbox(database: database, audit: audit, verifiers: gateways.verifiers, clock: clock, onStored: { outbox.notify() })
    ).add(to: router)
    let catalog = ProductCatalog(database: database, clock: clock)
    let api = OAuthRoutes(
        database: database,
        clients: APIClients(database: database, clock: clock),
        tokens: tokens,
        clientStatus: ClientStatusCache(database: database, clock: clock),
        auditWriter: audit,
        clock: clock
    ).add(to: router)
    ClientAPIRoutes(
        database: database, directory: ClientDirectory(database: database, keys: keys, clock: clock),
        access: APIAccess(audit: audit, clock: clock), clock: clock
    ).add(to: api)
    KYCAPIRoutes(files: KYCFiles(database: database, keys: keys, clock: clock), access: APIAccess(audit: audit, clock: clock)).add(to: api)
    ScoringAPIRoutes(scoring: OriginationScoring(database: database, keys: keys, clock: clock), access: APIAccess(audit: audit, clock: clock)).add(to: api)
    BureauAPIRoutes(
        queries: CreditBureauQueries(database: database, keys: keys, settings: configuration.circulo, clock: clock), access: APIAccess(audit: audit, clock: clock)
    ).add(to: api)
    QuoteAPIRoutes(access: APIAccess(audit: audit, clock: clock), catalog: catalog, clock: clock).add(to: api)
    ProductAPIRoutes(catalog: catalog, access: APIAccess(audit: audit, clock: clock)).add(to: api)
    LoanAPIRoutes(database: database, book: book, directory: directory, access: APIAccess(audit: audit, clock: clock), clock: clock).add(to: api)
    PaymentIntentAPIRoutes(intents: intents, access: APIAccess(audit: audit, clock: clock)).add(to: api)
    CardMandateAPIRoutes(mandates: mandates, access: APIAccess(audit: audit, clock: clock)).add(to: api)

    let sessions = WebSessions(
        database: database, keys: keys, clock: clock,
        idleSeconds: configuration.sessionIdleMinutes * 60, absoluteSeconds: configuration.sessionAbsoluteHours * 3600
    )
    let gate = WebGate(
        sessions: sessions, pages: pages, audit: audit,
        cookies: CookiePolicy(secure: !configuration.insecureCookies, sessionSeconds: sessions.absoluteSeconds), clock: clock
    )
    let web = WebRouter(router: router, gate: gate, registry: WebRouter.Registry())
    let administration = Administration(database: database, keys: keys, clock: clock)
    SignInRoutes(web: web, signIn: SignIn(database: database, sessions: sessions, keys: keys, audit: audit, clock: clock)).add()
    AccountRoutes(
        web: web, database: database, enrolment: SecondFactorEnrolment(database: database, keys: keys, clock: clock), administration: administration
    ).add()
    UserAdminRoutes(web: web, administration: administration).add()
    APIClientAdminRoutes(web: web, clients: APIClients(database: database, clock: clock)).add()
    AuditViewerRoutes(web: web, database: database).add()
    ClientPages(web: web, database: database, directory: ClientDirectory(database: database, keys: keys, clock: clock)).add()
    LendingPages(web: web, catalog: catalog).add()
    let clabes = LoanCLABEs(database: database, range: configuration.virtualCLABEs, clock: clock)
    let transfers = SPEITransfers(database: database, keys: keys, book: book, clabes: clabes, settings: configuration.stp)
    SPEICallbackRoutes(transfers: transfers).add(to: router)
    LoanPages(
        web: web, database: database, book: book, directory: directory, catalog: catalog, intents: intents, mandates: mandates, clabes: clabes, transfers: transfers
    ).add()
    SPEIPages(web: web, transfers: transfers).add()
    let speiSweep = SPEISweep(transfers: transfers, logger: logger)
    let balanceCheck = BankBalanceCheckService(check: BankBalanceCheck(database: database, clock: clock), logger: logger)
    let messaging = configuration.messaging
    let dunning = DunningRun(database: database, book: book, directory: directory, keys: keys, settings: messaging, clabes: clabes)
    let endOfDay = EndOfDayCloseService(close: EndOfDayClose(database: database, book: book), logger: logger, enabled: configuration.scheduledClose, dunning: dunning,
        reports: ReportMailer(database: database, keys: keys, sender: messaging.smtp.map { SMTPSender(settings: $0) }, clock: clock)
    )
    let messages = MessageOutbox(
        database: database, keys: keys, senders: messaging.senders(),
        statusCallback: { channel in channel == .sms ? messaging.publicBase.map { $0() + "/webhooks/twilio/estado" } : nil }, logger: logger, clock: clock,
        enabled: configuration.scheduledMessages
    )
    CollectionWorkPages(web: web, database: database, keys: keys, book: book, directory: directory, contacts: ContactBook(database: database, keys: keys, clock: clock)).add()
    MessagingWebhookRoutes(outbox: messages, directory: directory, settings: messaging, publicBase: { messaging.publicBase?() }, audit: audit, clock: clock).add(to: router)
    CollectionPages(web: web, database: database, close: endOfDay.close).add()
    CollectionSettingsPages(web: web, database: database, products: book.products, clock: clock).add()
    KYCPages(web: web, files: KYCFiles(database: database, keys: keys, clock: clock)).add()
    CompliancePages(web: web, database: database, screening: directory.screening, cases: ComplianceCases(database: database, keys: keys, clock: clock), keys: keys, clock: clock).add()
    RelationshipPages(web: web, relationships: ClientRelationships(database: database, keys: keys, clock: clock)).add()
    CardMandatePages(web: web, book: book, mandates: mandates, publicURL: configuration.publicURL).add()
    StatementPages(
        web: web, database: database, imports: StatementImports(database: database, keys: keys, clock: clock),
        reconciliation: BankReconciliation(database: database, keys: keys, book: book, clabes: clabes)
    ).add()
    PaymentIntentPages(web: web, database: database, book: book, intents: intents, publicURL: configuration.publicURL).add()
    GatewaySettingsPages(web: web, gateways: gateways).add()
    StaticRoutes(web: web).add()
    return BuiltRouter(router: router, webRoutes: web.registry, outbox: outbox, gateways: gateways, recurring: recurring, speiSweep: speiSweep, balanceCheck: balanceCheck, endOfDay: endOfDay, messages: messages)
}

/// The router and what the application runs beside it.
struct BuiltRouter {
    let router: Router<AppRequestContext>
    let webRoutes: WebRouter.Registry
    let outbox: GatewayOutbox
    let gateways: GatewayRegistry
    let recurring: RecurringCharges
    let speiSweep: SPEISweep
    let balanceCheck: BankBalanceCheckService
    let endOfDay: EndOfDayCloseService
    let messages: MessageOutbox
}

/// Stops the messaging sandboxes' SMTP sink when the application stops (`--demo`).
struct SandboxSinkService: Service {
    let sandboxes: MessagingSandboxes?

    func run() async throws {
        try? await gracefulShutdown()
        await sandboxes?.sink.stop()
    }
}

/// Keeps the database pool for the life of the application and closes it after the server has stopped.
struct DatabaseService: Service {
    let database: Database
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("closing database connections")
        try await database.shutdown()
    }
}
