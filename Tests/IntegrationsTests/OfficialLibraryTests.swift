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
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python!)
            process.arguments = ["-W", "ignore::DeprecationWarning", path, "http://127.0.0.1:\(client.port!)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            // Read while it runs, off the cooperative pool (the script talks to the sandbox served by this process).
            let output = try await Task.detached { String(decoding: try pipe.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self) }.value
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }
    }

    @Test("stripe-python creates customers, card, OXXO and SPEI payments, retrieves, searches and refunds them", .enabled(if: python != nil))
    func stripePython() async throws {
        let (status, output) = try await Self.run("stripe_sandbox.py")
        #expect(status == 0, "\(output)")
        #expect(output.contains("stripe-python against the sandbox: ok"))
    }
}
