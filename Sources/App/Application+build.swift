import CarteraCore
import CarteraSecurity
import Hummingbird
import Logging
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
    keys: KeyRing,
    logger: Logger,
    clock: @escaping @Sendable () -> Timestamp = { .now },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    AppMetrics.bootstrap(version: CarteraVersion.current)
    let tokens = try await TokenService.load(database: database, cipher: FieldCipher(keys: keys), clock: clock)
    let router = buildRouter(database: database, tokens: tokens, clock: clock)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Cartera"),
        services: [DatabaseService(database: database, logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router: middleware (outermost first) and every route.
func buildRouter(database: Database, tokens: TokenService, clock: @escaping @Sendable () -> Timestamp) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ErrorMiddleware())
    HealthRoutes(database: database).add(to: router)
    HomePage(database: database).add(to: router)
    OAuthRoutes(
        database: database,
        clients: APIClients(database: database, clock: clock),
        tokens: tokens,
        auditWriter: AuditWriter(database: database),
        clock: clock
    ).add(to: router)
    return router
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
