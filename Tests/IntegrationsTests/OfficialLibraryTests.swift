import CarteraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Sandbox
import Testing

/// The providers' own client libraries against the sandboxes, as a lender's developers would use them. Runs where
/// `CARTERA_SDK_PYTHON` names a Python with the libraries installed (CI installs them: `.ci/run`).
@Suite("Official client libraries against the sandboxes")
struct OfficialLibraryTests {
    static let python = ProcessInfo.processInfo.environment["CARTERA_SDK_PYTHON"]

    /// Runs `Tests/SDK/<script>` with the sandboxes' base URL; returns its exit status and output.
    static func run(_ script: String) async throws -> (Int32, String) {
        let router = Router()
        GatewaySandboxes(publicBase: { "http://127.0.0.1" }, webhookBase: nil).add(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SDK/\(script)").path
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("cartera-sdk-\(UUID().uuidString).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: log) }
            let handle = try FileHandle(forWritingTo: log)
            let process = try ChildProcess(
                executable: python!, arguments: ["-W", "ignore::DeprecationWarning", path, "http://127.0.0.1:\(client.port!)"],
                standardOutput: handle.fileDescriptor, standardError: handle.fileDescriptor
            )
            // Waited for without blocking a thread: the script talks to the sandbox this process serves.
            await process.exited()
            try handle.close()
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return (process.status, output)
        }
    }

    @Test("stripe-python creates customers, card, OXXO and SPEI payments, retrieves, searches and refunds them", .enabled(if: python != nil))
    func stripePython() async throws {
        let (status, output) = try await Self.run("stripe_sandbox.py")
        #expect(status == 0, "\(output)")
        #expect(output.contains("stripe-python against the sandbox: ok"))
    }

    @Test("conekta-python creates customers, orders by card token, cash and SPEI, retrieves, searches and refunds them", .enabled(if: python != nil))
    func conektaPython() async throws {
        let (status, output) = try await Self.run("conekta_sandbox.py")
        #expect(status == 0, "\(output)")
        #expect(output.contains("conekta-python against the sandbox: ok"))
    }

    @Test("Mercado Pago's Python SDK makes card tokens, payments by card, OXXO and SPEI, searches and refunds them", .enabled(if: python != nil))
    func mercadoPagoPython() async throws {
        let (status, output) = try await Self.run("mercadopago_sandbox.py")
        #expect(status == 0, "\(output)")
        #expect(output.contains("mercadopago (Python SDK) against the sandbox: ok"))
    }
}
