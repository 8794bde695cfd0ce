import ArgumentParser
import Foundation
import Hummingbird
import Integrations
import Logging
import Sandbox

/// `cartera sandbox`: serves every payment gateway's sandbox on its own port, for Cartera (or a provider's client
/// library) to talk to instead of the real services.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Sirve los simuladores de las pasarelas de pago (Stripe, Conekta, Openpay, Mercado Pago, PayPal) y de STP (SPEI) en un puerto propio.",
        discussion: """
            Cada pasarela queda bajo su prefijo (/stripe, …) con su API real: rutas, campos, códigos de estado, errores y avisos firmados.
            La página http://HOST:PUERTO/ permite marcar fichas y transferencias como pagadas, vencerlas o hacerlas fallar.
            """
    )

    @Option(help: "Puerto (9090 por omisión; 0 = cualquier puerto libre).")
    var port = 9090

    @Option(help: "Dirección en la que escucha.")
    var host = "127.0.0.1"

    @Option(name: .customLong("webhook-url"), help: "Dónde recibe Cartera los avisos (p. ej. http://127.0.0.1:8080/webhooks); cada pasarela envía a <url>/<pasarela>.")
    var webhookURL: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("El puerto va de 0 a 65535.") }
        if let webhookURL, URL(string: webhookURL)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--webhook-url debe ser una URL http(s), como http://127.0.0.1:8080/webhooks.")
        }
    }

    func run() async throws {
        let router = Router()
        let host = host
        let webhook = webhookURL.map { url in url.hasSuffix("/") ? String(url.dropLast()) : url }
        let bound = BoundPort(port)
        var webhookBase: (@Sendable () -> String)?
        if let webhook { webhookBase = { webhook } }
        let sandboxes = GatewaySandboxes(publicBase: { "http://\(host):\(bound.value)" }, webhookBase: webhookBase)
        sandboxes.add(to: router)
        // Conekta signs with a key made at start: its public half goes where Cartera can read it.
        let keyFile = FileManager.default.currentDirectoryPath + "/conekta-sandbox-webhook-key.pem"
        try sandboxes.conektaWebhookPublicKeyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        // STP keeps the company's public key: the sandbox makes the company's key pair and leaves the private half for
        // Cartera (readable by this user only).
        let signer = try STPSigner.generated()
        let stpKeyFile = FileManager.default.currentDirectoryPath + "/stp-sandbox-company-key.pem"
        FileManager.default.createFile(atPath: stpKeyFile, contents: Data(signer.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
        let publicKey = signer.publicKeyPEM
        var statusURL: (@Sendable () -> String)?
        var depositURL: (@Sendable () -> String)?
        if let webhook {
            statusURL = { webhook + "/stp/estado" }
            depositURL = { webhook + "/stp/abono" }
        }
        STPSandbox(publicKeyPEM: { publicKey }, statusURL: statusURL, depositURL: depositURL).add(to: router, prefix: "/stp")
        BankSandbox().add(to: router, prefix: "/bank")
        // SMS, WhatsApp and the SMTP sink (on a port of its own; its certificate authority goes where Cartera reads it).
        let messaging = try MessagingSandboxes(webhookBase: webhookBase)
        messaging.add(to: router)
        let smtpPort = try await messaging.sink.start()
        let caFile = FileManager.default.currentDirectoryPath + "/smtp-sandbox-ca.pem"
        try messaging.sink.certificatePEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        var logger = Logger(label: "cartera.sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Cartera Sandbox"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                bound.set(port)
                let base = "http://\(host):\(port)"
                print("Sandbox de pasarelas escuchando en \(base)  (página: \(base)/; mensajes enviados: \(base)/bandeja; SMTP en 127.0.0.1:\(smtpPort))")
                print(webhook.map { "  Avisos firmados a \($0)/<pasarela>" } ?? "  Sin --webhook-url: no se envían avisos.")
                print("  Para que Cartera lo use:")
                for (name, value) in GatewaySandboxes.environment(base: base, conektaKeyFile: keyFile) + STPSandbox.environment(base: base, keyFile: stpKeyFile)
                    + BankSandbox.environment(base: base) + MessagingSandboxes.environment(base: base, smtpPort: smtpPort, caFile: caFile) {
                    print("    export \(name)=\(value)")
                }
                print("Detenga el sandbox con Ctrl+C.")
                fflush(nil)
            },
            logger: logger
        )
        try await app.runService()
    }
}
