import CarteraTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A borrower pays an installment by card in real headless Chromium against `cartera serve --demo`: Cartera's page
/// links to the gateway's own card page (the demo's in-process Stripe sandbox), the card is typed there, and the
/// gateway sends the borrower back to the portal, where the payment shows applied. This checks in a browser what
/// unit tests cannot: the portal's CSP (forms post only to Cartera) and the redirects between the two sites.
///
/// Part of the back office's suite, so the two browsers never run at once.
extension BackOfficeBrowserTests {
    static let borrowerPassword = "frase del acreditado 2026"

    struct Token: Decodable { let access_token: String }
    struct Listing: Decodable {
        struct Loan: Decodable { let id: String; let clientId: String }
        let loans: [Loan]
    }

    @Test("An installment paid by card on the gateway's page comes back applied to the loan")
    func cardOnGatewayPage() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer(folder: folder, arguments: ["--demo", "--demo-clients", "6"])
        let browser = try await WebDriver(chromedriver: Browser.chromedriver!, chromium: Browser.chromium)
        let shots = try Screenshots(cleaning: ["2"])
        let base = server.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        do {
            // A borrower of the demo portfolio with a loan in force, given a portal user.
            let created = try await CLI.run(["api-clients", "create", "--name", "navegador", "--scopes", "loans:read", "--json"], directory: folder)
            #expect(created.status == 0, "\(created.stderr)")
            let credentials = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any] ?? [:]
            let id = try #require(credentials["client_id"] as? String)
            let secret = try #require(credentials["client_secret"] as? String)
            var tokenRequest = URLRequest(url: URL(string: server.baseURL + "/oauth/token")!)
            tokenRequest.httpMethod = "POST"
            tokenRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            tokenRequest.httpBody = Data("grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)".utf8)
            let token = try JSONDecoder().decode(Token.self, from: try await URLSession.shared.data(for: tokenRequest).0).access_token
            var listRequest = URLRequest(url: URL(string: server.baseURL + "/api/v1/loans?status=vigente")!)
            listRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let loan = try #require(try JSONDecoder().decode(Listing.self, from: try await URLSession.shared.data(for: listRequest).0).loans.first)
            let user = try await CLI.run(
                ["users", "create", "--username", "pagador", "--role", "acreditado", "--client", loan.clientId, "--display-name", "Acreditado Navegador", "--password-stdin"],
                directory: folder, input: Self.borrowerPassword
            )
            #expect(user.status == 0, "\(user.stderr)")

            try await browser.navigate(base + "/login")
            try await browser.type("#username", "pagador")
            try await browser.type("#password", Self.borrowerPassword)
            try await browser.click("#entrar")
            _ = try await browser.waitForURL(base + "/portal")
            try await browser.navigate(base + "/portal/creditos/\(loan.id)")
            try await browser.waitFor("#pagar-en-linea")
            try await browser.click("input[name=forma][value='stripe:card']")
            try await shots.save("20-portal-pagar-con-tarjeta", browser)
            try await browser.click("#pagar-en-linea button[type=submit]")
            try await browser.waitFor("#ir-a-pagar")
            try await shots.save("21-portal-ir-a-la-pasarela", browser)
            try await browser.click("#ir-a-pagar")
            // The gateway's page (the demo's Stripe sandbox): a declined card first, then one that pays.
            try await browser.waitFor("input[name=tarjeta]")
            #expect(try await browser.currentURL().contains("/sandbox/stripe/_sandbox/checkout/cs_test_"))
            try await browser.click("input[name=tarjeta][value=fondos]")
            try await browser.click("button[type=submit]")
            try await browser.waitFor("[role=alert]")
            #expect(try await browser.pageText().contains("Pruebe con otra tarjeta"))
            try await shots.save("22-pasarela-tarjeta-rechazada", browser)
            try await browser.click("input[name=tarjeta][value=paga]")
            try await browser.click("button[type=submit]")
            // Back at Cartera (the browser sends no session cookie on the gateway's redirect): the payment is asked of
            // the gateway and shown; the link leads into the portal with the session again.
            try await browser.waitFor("#regreso")
            #expect(try await browser.currentURL().contains("/pagos/regreso/pin_"))
            try await shots.save("23-regreso-de-la-pasarela", browser)
            try await browser.click("#ver-en-el-portal")
            try await browser.waitFor("#referencia")
            var text = try await browser.pageText()
            for _ in 0..<40 where !text.contains("Pagado") {
                try await Task.sleep(for: .milliseconds(250))
                try await browser.navigate(try await browser.currentURL())
                text = try await browser.pageText()
            }
            #expect(text.contains("Pagado"))
            try await shots.save("24-portal-pago-aplicado", browser)
        } catch {
            try? await shots.save("29-error", browser)
            await browser.quit()
            _ = try? await server.stop()
            throw error
        }
        await browser.quit()
        let exit = try await server.stop()
        #expect(exit == .exited(0))
        let verify = try await CLI.run(["ledger", "verify"], directory: folder)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
