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
public func buildApplication(
    configuration: AppConfiguration,
    database: Database,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    AppMetrics.bootstrap(version: CarteraVersion.current)
    let router = buildRouter(database: database)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Cartera"),
        services: [DatabaseService(database: database, logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router: middleware (outermost first) and every route.
func buildRouter(database: Database) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ErrorMiddleware())
    HealthRoutes(database: database).add(to: router)
    HomePage(database: database).add(to: router)
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
