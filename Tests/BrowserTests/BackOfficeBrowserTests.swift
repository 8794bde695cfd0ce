import CarteraTestSupport
import Foundation
import Testing

/// Drives real headless Chromium through chromedriver against `cartera serve`: sign-in with the second factor,
/// lockout, and a permission denial. Screenshots of the key pages go to `CARTERA_SCREENSHOTS` (default:
/// `artifacts/screenshots` in the repository), which CI keeps.
///
/// Runs when chromedriver is installed (Debian packages `chromium` and `chromium-driver`); with
/// `CARTERA_BROWSER_TESTS=1` (set by `.ci/run`) a missing browser is a failure instead of a skip.
@Suite("Browser: the back office in headless Chromium", .serialized, .enabled(if: Browser.available, Browser.skipReason))
struct BackOfficeBrowserTests {
    static let password = "frase del navegador 2026"

    @Test("Sign-in with TOTP enrolment and code, lockout, and a permission denial")
    func backOffice() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let setup: [([String], String?)] = [
            (["lender", "create", "--legal-name", "Financiera Navegador, S.A. de C.V., SOFOM, E.N.R.", "--short-name", "Financiera Navegador", "--rfc", "SAT970701NN3"], nil),
            (["users", "create", "--username", "admin", "--role", "administrador", "--display-name", "Ana Administradora", "--password-stdin"], Self.password),
            (["users", "create", "--username", "analista", "--role", "analista_credito", "--password-stdin"], Self.password),
            (["users", "create", "--username", "cobranza", "--role", "gestor_cobranza", "--display-name", "Carlos Cobranza", "--password-stdin"], Self.password),
        ]
        for (arguments, input) in setup {
            let result = try await CLI.run(arguments, directory: folder, input: input)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let server = try await RunningServer(folder: folder)
        let browser = try await WebDriver(chromedriver: Browser.chromedriver!, chromium: Browser.chromium)
        let shots = try Screenshots()
        // Browsers accept `Secure` cookies over plain HTTP only from `localhost`.
        let base = server.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        do {
            // The sign-in page.
            try await browser.navigate(base + "/")
            #expect(try await browser.currentURL() == base + "/login")
            try await shots.save("01-inicio-de-sesion", browser)

            // Lockout: five wrong passwords lock the account; then even the right one is refused.
            for attempt in 1...5 {
                try await signIn(browser, base, "analista", "contraseña equivocada \(attempt)")
                try await browser.waitFor("#error")
                #expect(try await browser.text("#error").isEmpty == false)
            }
            #expect(try await browser.text("#error").contains("Demasiados intentos fallidos"))
            try await signIn(browser, base, "analista", Self.password)
            try await browser.waitFor("#error")
            #expect(try await browser.text("#error").contains("Demasiados intentos fallidos"))
            try await shots.save("02-cuenta-bloqueada", browser)

            // The administrator must enrol a second factor: scan (here: read) the secret, confirm with a code.
            try await signIn(browser, base, "admin", Self.password)
            #expect(try await browser.waitForURL(base + "/cuenta/segundo-factor") == base + "/cuenta/segundo-factor")
            try await shots.save("03-alta-segundo-factor", browser)
            let uri = try await browser.attribute("#otpauth", "href")
            let secret = try #require(Authenticator.secret(fromPage: uri))
            try await browser.type("#code", Authenticator.code(secret: secret, at: Date()))
            try await browser.click("#confirmar")
            try await browser.waitFor("#codigos")
            let codes = try await browser.text("#codigos")
            #expect(codes.split(separator: "\n").count == 10)
            try await shots.save("04-codigos-de-recuperacion", browser)
            try await browser.click("#continuar")
            try await browser.waitForURL(base + "/")
            #expect(try await browser.pageText().contains("Financiera Navegador"))
            try await shots.save("05-inicio", browser)
            for (path, name) in [("/usuarios", "06-usuarios"), ("/clientes-api", "07-clientes-api"), ("/auditoria", "08-auditoria")] {
                try await browser.navigate(base + path)
                #expect(try await browser.currentURL() == base + path)
                try await shots.save(name, browser)
            }
            // (The rendered text wraps as the columns narrow: compare without line breaks.)
            let auditText = try await browser.pageText().replacingOccurrences(of: "\n", with: " ")
            #expect(auditText.contains("usuario admin"))
            #expect(auditText.contains("anónimo analista"))

            // Register a client through the form, as an analyst would.
            try await browser.navigate(base + "/clientes/nuevo")
            let fields: [(String, String)] = [
                ("#givenNames", "Gloria"), ("#paternalSurname", "Hernández"), ("#maternalSurname", "García"), ("#birthDate", "04/27/1956"),
                ("#occupation", "Comerciante"), ("#curp", "HEGG560427MVZRRL04"), ("#street", "Av. Juárez"), ("#exteriorNumber", "120"),
                ("#neighborhood", "Centro"), ("#municipality", "Xalapa"), ("#city", "Xalapa"), ("#postalCode", "91000"),
                ("#phone", "2281234567"), ("#email", "gloria@example.mx"),
            ]
            for (field, value) in fields { try await browser.type(field, value) }
            try await browser.select("#birthState", "VZ")
            try await browser.select("#state", "VZ")
            try await shots.save("11-alta-de-cliente", browser)
            try await browser.click("#registrar")
            try await browser.waitFor("#expediente")
            #expect(try await browser.text("#expediente").contains("HEGG560427MVZRRL04"))
            try await shots.save("12-expediente-del-cliente", browser)
            try await browser.click("#salir")
            try await browser.waitForURL(base + "/login")

            // Second sign-in: password, then the current code (the next time step: the enrolment code cannot be reused).
            try await signIn(browser, base, "admin", Self.password)
            #expect(try await browser.waitForURL(base + "/login/codigo") == base + "/login/codigo")
            try await shots.save("09-codigo-de-verificacion", browser)
            try await browser.type("#code", Authenticator.code(secret: secret, at: Date().addingTimeInterval(30)))
            try await browser.click("#verificar")
            #expect(try await browser.waitForURL(base + "/") == base + "/")
            try await browser.click("#salir")
            try await browser.waitForURL(base + "/login")

            // A collections agent may not administer users.
            try await signIn(browser, base, "cobranza", Self.password)
            #expect(try await browser.waitForURL(base + "/") == base + "/")
            #expect(!(try await browser.pageText().contains("Usuarios")))
            try await browser.navigate(base + "/usuarios")
            #expect(try await browser.pageText().contains("Acceso denegado"))
            try await shots.save("10-acceso-denegado", browser)
        } catch {
            try? await shots.save("zz-fallo", browser)
            await browser.quit()
            try await server.stop()
            throw error
        }
        await browser.quit()
        let exit = try await server.stop()
        #expect(exit == .exited(0))
        let verify = try await CLI.run(["audit", "verify"], directory: folder)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    func signIn(_ browser: WebDriver, _ base: String, _ username: String, _ password: String) async throws {
        try await browser.navigate(base + "/login")
        try await browser.type("#username", username)
        try await browser.type("#password", password)
        try await browser.click("#entrar")
    }
}

/// Where Chromium and chromedriver are, and whether these tests run.
enum Browser {
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromium = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/chromium"
    static let required = ProcessInfo.processInfo.environment["CARTERA_BROWSER_TESTS"] == "1"
    static var available: Bool { chromedriver != nil || required }
    static let skipReason: Comment = "chromium-driver is not installed (apt-get install chromium chromium-driver); .ci/run installs it"
}

/// Saves PNG screenshots into the screenshots folder.
struct Screenshots {
    let folder: URL

    /// Removes the older screenshots whose names start with one of `prefixes` (each suite numbers its own: the back
    /// office 0x–1x, the portal's card payment 2x), so suites running side by side keep each other's.
    init(cleaning prefixes: [String] = ["0", "1"]) throws {
        let configured = ProcessInfo.processInfo.environment["CARTERA_SCREENSHOTS"].flatMap { $0.isEmpty ? nil : $0 }
        folder = configured.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("artifacts/screenshots")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for old in try FileManager.default.contentsOfDirectory(atPath: folder.path) where old.hasSuffix(".png") && prefixes.contains(where: { old.hasPrefix($0) }) {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(old))
        }
    }

    func save(_ name: String, _ browser: WebDriver) async throws {
        try await browser.screenshot().write(to: folder.appendingPathComponent("\(name).png"))
    }
}
