import App
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Store

/// `cartera serve`: migrates the database and serves the application.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inicia el servidor (aplica antes las migraciones pendientes).",
        discussion: "Con --demo crea, si no existen, un otorgante y un administrador de demostración e imprime cómo entrar."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Puerto (CARTERA_PORT, 8080 por omisión; 0 = cualquier puerto libre).")
    var port: Int?

    @Option(help: "Dirección en la que escucha (CARTERA_HOST, 127.0.0.1 por omisión).")
    var host: String?

    @Flag(help: "Cookies sin el atributo Secure (CARTERA_INSECURE_COOKIES): solo para pruebas por HTTP sin TLS con un nombre distinto de localhost.")
    var insecureCookies = false

    @Flag(help: "Modo demostración: datos de ejemplo y un administrador con contraseña nueva en cada inicio.")
    var demo = false

    @Option(name: .customLong("demo-clients"), help: "Clientes de la cartera de demostración (con sus créditos e historial de pagos), 300 por omisión.")
    var demoClients = 300

    func run() async throws {
        var extra: [String: String] = [:]
        if let port { extra["cartera.port"] = String(port) }
        if let host { extra["cartera.host"] = host }
        if insecureCookies { extra["cartera.cookies.insecure"] = "true" }
        var configuration = try global.configuration(extra: extra)
        configuration.demoSandbox = demo
        var logger = Logger(label: "cartera")
        logger.logLevel = configuration.logLevel

        let keys = try loadKeys()
        let database = try await Database.open(configuration.databaseURL, logger: logger)
        let credentials: DemoData.Credentials?
        do {
            let applied = try await Migrator(database: database).migrate(logger: logger)
            if !applied.isEmpty { print("Migraciones aplicadas: \(applied.count).") }
            let showProgress = Terminal.progressVisible
            credentials = demo
                ? try await DemoData.seed(database: database, keys: keys, portfolio: max(0, demoClients), clabeRange: configuration.virtualCLABEs) { done, total in
                    if showProgress { Terminal.progress("Generando la cartera de demostración: \(done) de \(total) clientes") }
                }
                : nil
            if showProgress && demo { Terminal.progress("") }
        } catch {
            try? await database.shutdown()
            throw error
        }

        let host = configuration.host
        let databaseURL = configuration.databaseURL
        let banner: @Sendable (Int) async -> Void = { port in
            let url = "http://\(host):\(port)"
            print("Cartera \(CarteraVersion.current) escucha en \(url)  (base de datos: \(databaseURL))")
            print("  Salud: \(url)/health   Lista para atender: \(url)/ready   Métricas: \(url)/metrics")
            if let credentials {
                print("")
                print(credentials.created ? "Modo demostración: se creó la Financiera Demo." : "Modo demostración: Financiera Demo.")
                print("  Administrador: usuario «\(credentials.username)», contraseña «\(credentials.password)» (cambia en cada inicio con --demo).")
                print("  Inicie sesión en \(url)/login (se le pedirá configurar el segundo factor).")
                print("  Pasarelas de pago simuladas en \(url)/sandbox/ (marque ahí fichas OXXO y transferencias como pagadas).")
                print("  Estado de cuenta bancario de demostración en \(url)/estados-bancarios: concílielo en \(url)/conciliacion (o con cartera reconcile).")
            }
            print("Detenga el servidor con Ctrl+C.")
            fflush(nil)  // flush every stream: the banner must show at once even when standard output is a pipe or a log file
        }
        do {
            let app = try await buildApplication(
                configuration: configuration, database: database, keys: keys, logger: logger, onServerRunning: banner
            )
            try await app.runService()
        } catch {
            try? await database.shutdown()
            throw error
        }
    }
}
