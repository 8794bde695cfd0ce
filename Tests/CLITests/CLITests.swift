import CarteraTestSupport
import Foundation
import Store
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif


@Suite("Command line", .serialized)
struct CLITests {
    @Test("validate exits 0 for a valid value and names the bank")
    func validClabe() async throws {
        let result = try await CLI.run(["validate", "clabe", "002010077777777771"])
        #expect(result.status == 0)
        #expect(result.stdout == "✓ CLABE válida: 002010077777777771 — Banamex\n")
    }

    @Test("validate exits 1 for an invalid value and explains why in Spanish")
    func invalidCurp() async throws {
        let result = try await CLI.run(["validate", "curp", "BOXW310820HNERXN08"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ CURP no válida: BOXW310820HNERXN08"))
        #expect(result.stdout.contains("El dígito verificador de la CURP no coincide (es 8, debería ser 9)"))
    }

    @Test("validate --json has the documented shape")
    func json() async throws {
        struct Output: Decodable {
            let valid: Bool
            let kind: String
            let reasons: [String]
            let warnings: [String]
            let bank: String?
        }
        let rfc = try await CLI.run(["validate", "rfc", "GODE561231GR9", "--json"])
        #expect(rfc.status == 0)
        #expect(rfc.stdout.contains(#""bank" : null"#))
        let output = try JSONDecoder().decode(Output.self, from: Data(rfc.stdout.utf8))
        #expect(output.valid && output.kind == "rfc" && output.reasons.isEmpty && output.warnings.count == 1 && output.bank == nil)

        let clabe = try await CLI.run(["validate", "clabe", "002010077777777772", "--json"])
        #expect(clabe.status == 1)
        let bad = try JSONDecoder().decode(Output.self, from: Data(clabe.stdout.utf8))
        #expect(!bad.valid && bad.kind == "clabe" && bad.reasons.count == 1 && bad.bank == "Banamex")
    }

    @Test("bad configuration ends with one clear message and a non-zero exit", arguments: [
        ("mysql://localhost/cartera", "La URL de base de datos «mysql://localhost/cartera» no es válida"),
        ("sqlite:///nonexistent-cartera-folder/cartera.sqlite", "No se puede abrir la base de datos SQLite"),
        ("postgres://cartera:hunter2@127.0.0.1:1/cartera", "No se puede conectar a PostgreSQL en «postgres://cartera:***@127.0.0.1:1/cartera»"),
    ])
    func badConfiguration(url: String, message: String) async throws {
        let result = try await CLI.run(["migrate"], environment: ["CARTERA_DATABASE_URL": url])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("an invalid port from the environment is named in the error")
    func badPort() async throws {
        let result = try await CLI.run(["serve"], environment: ["CARTERA_PORT": "ochenta"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("CARTERA_PORT"))
    }

    @Test("migrate applies the migrations once and reports it")
    func migrate() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await CLI.run(["migrate"], directory: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Se aplicaron \(Migrations.all.count) migraciones"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("cartera.sqlite").path))
        let second = try await CLI.run(["migrate", "--json"], directory: folder)
        #expect(second.status == 0)
        #expect(second.stdout.contains(#""applied" : ["#))
        #expect(second.stdout.contains(#""total" : \#(Migrations.all.count)"#))
    }

    @Test("several processes migrating one SQLite file at once all succeed and apply each migration once")
    func concurrentProcesses() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = try await withThrowingTaskGroup(of: CLI.Result.self) { group in
            for _ in 0..<4 { group.addTask { try await CLI.run(["migrate", "--json"], directory: folder) } }
            var results: [CLI.Result] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        struct Summary: Decodable {
            let applied: [Int]
            let total: Int
        }
        let summaries = try results.map { try JSONDecoder().decode(Summary.self, from: Data($0.stdout.utf8)) }
        #expect(summaries.flatMap(\.applied).sorted() == Migrations.all.map(\.version))
        #expect(summaries.allSatisfy { $0.total == Migrations.all.count })
    }

    @Test("serve --demo on a fresh folder serves /health and /ready, stops on SIGTERM, and its portfolio passes ledger verify")
    func serveDemo() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer(folder: folder, arguments: ["--demo", "--demo-clients", "12"])
        let banner = server.banner
        let base = server.baseURL
        #expect(banner.contains("usuario «admin»"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("cartera.sqlite").path))

        for (path, body) in [("/health", #"{"status":"ok"}"#), ("/ready", #"{"status":"ready"}"#)] {
            let (data, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == body)
        }

        let exit = try await server.stop()  // SIGTERM → graceful shutdown
        #expect(exit == .exited(0))

        let environment = ["CARTERA_DATABASE_URL": "sqlite://" + folder.appendingPathComponent("cartera.sqlite").path]
        let verify = try await CLI.run(["ledger", "verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("El diario cuadra"))
        let json = try await CLI.run(["ledger", "verify", "--json"], environment: environment)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((report?["problems"] as? [Any])?.isEmpty == true, "\(json.stdout)")

        // One pass of the domiciliación from the command line, on the server's database.
        let recurring = try await CLI.run(["recurring", "run", "--json"], environment: environment)
        #expect(recurring.status == 0, "\(recurring.stderr)")
        let pass = try JSONSerialization.jsonObject(with: Data(recurring.stdout.utf8)) as? [String: Int]
        #expect(Set(pass?.keys.map { $0 } ?? []) == ["opened", "charged", "paid", "retrying", "exhausted", "covered", "canceled", "superseded", "ended", "unconfirmed", "setupsEnded"])
        let text = try await CLI.run(["recurring", "run"], environment: environment)
        #expect(text.status == 0 && text.stdout.contains("Pasada de domiciliación terminada"), "\(text.stdout) \(text.stderr)")

        // A bank statement into the demo lender's bank lines, then again: nothing added the second time.
        if SharedFixtures.enabled {
            let file = SharedFixtures.url("mt940/cmxl/mt940.sta").path
            let imported = try await CLI.run(["import-statement", file, "--json"], environment: environment)
            #expect(imported.status == 0, "\(imported.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
            #expect(summary?["statements"] as? Int == 3 && summary?["entries"] as? Int == 16 && summary?["duplicates"] as? Int == 0, "\(imported.stdout)")
            let again = try await CLI.run(["import-statement", file], environment: environment)
            #expect(again.status == 0 && again.stdout.contains("Nuevos: 0; ya importados antes: 16"), "\(again.stdout) \(again.stderr)")
            let broken = try await CLI.run(["import-statement", file, "--format", "camt053"], environment: environment)
            #expect(broken.status == 1 && broken.stderr.contains("línea 1") && broken.stderr.contains("no se guardó nada"), "\(broken.stderr)")
        }
        #expect((report?["loans"] as? Int ?? 0) >= 10)

        // A synthetic portfolio on top, closed from the command line, then its delinquency report.
        // In the server's folder: its key file encrypts the new clients too.
        let generated = try await CLI.run(["generate", "--clients", "6", "--loans", "8", "--seed", "11", "--late-share", "60", "--json"], environment: environment, directory: folder)
        #expect(generated.status == 0, "\(generated.stderr)")
        let made = try JSONSerialization.jsonObject(with: Data(generated.stdout.utf8)) as? [String: Int]
        #expect(made?["clients"] == 6 && made?["loans"] == 8, "\(generated.stdout)")
        // Every generated client's identification file is complete (sample documents compared on receipt) …
        let due = try await CLI.run(["kyc", "due", "--json"], environment: environment, directory: folder)
        let incomplete = try JSONSerialization.jsonObject(with: Data(due.stdout.utf8)) as? [Any]
        #expect(due.status == 0 && incomplete?.isEmpty == true, "\(due.stdout) \(due.stderr)")
        // … until its yearly update (alto under a matrix without catalogues) falls due; then each is listed and the command fails.
        let later = try await CLI.run(["kyc", "due", "--date", "2030-01-01", "--json"], environment: environment, directory: folder)
        let overdue = try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [[String: Any]]
        #expect(later.status == 1 && (overdue?.count ?? 0) >= 6, "\(later.status) \(later.stdout.prefix(300)) \(later.stderr)")
        let clientID = try #require(overdue?.first?["clientId"] as? String)
        let status = try await CLI.run(["kyc", "status", "--client", clientID], environment: environment, directory: folder)
        #expect(status.status == 0 && status.stdout.hasPrefix("✓ Expediente completo: ") && status.stdout.contains("✓ Identificación oficial: cotejado."), "\(status.stdout) \(status.stderr)")
        let statusJSON = try await CLI.run(["kyc", "status", "--client", clientID, "--json"], environment: environment, directory: folder)
        let items = ((try JSONSerialization.jsonObject(with: Data(statusJSON.stdout.utf8)) as? [String: Any])?["check"] as? [String: Any])?["items"] as? [[String: Any]]
        let documentID = try #require(items?.first?["documentId"] as? String)
        let copy = folder.appendingPathComponent("ine.pdf")
        let downloaded = try await CLI.run(["kyc", "download", documentID, "--output", copy.path], environment: environment, directory: folder)
        let bytes = try Data(contentsOf: copy)
        #expect(downloaded.status == 0 && bytes.starts(with: Data("%PDF-1.4".utf8)), "\(downloaded.stderr)")
        let policy = try await CLI.run(["kyc", "policy"], environment: environment, directory: folder)
        #expect(policy.status == 0 && policy.stdout.contains("Un expediente incompleto retiene la disposición."), "\(policy.stdout) \(policy.stderr)")
        let wrongFile = try await CLI.run(["kyc", "upload", "--client", clientID, "--kind", "identificacion_oficial", "--expires", "2031-01-01", copy.path + ".nada"], environment: environment, directory: folder)
        #expect(wrongFile.status != 0 && wrongFile.stderr.contains("No se pudo leer"), "\(wrongFile.stderr)")
        // Relationships among the clients: built, and one client's group shown.
        let built = try await CLI.run(["relationships", "build", "--json"], environment: environment, directory: folder)
        let relationships = try JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any]
        #expect(built.status == 0 && (relationships?["clients"] as? Int ?? 0) >= 6 && relationships?["regrade"] as? Int == 0, "\(built.stdout) \(built.stderr)")
        let shown = try await CLI.run(["relationships", "show", "--client", clientID], environment: environment, directory: folder)
        #expect(shown.status == 0 && shown.stdout.hasPrefix("Grupo de "), "\(shown.stdout) \(shown.stderr)")
        let unknown = try await CLI.run(["relationships", "show", "--client", "cl_nadie"], environment: environment, directory: folder)
        #expect(unknown.status != 0 && unknown.stderr.contains("cartera relationships build"), "\(unknown.stderr)")
        let tooFew = try await CLI.run(["generate", "--clients", "6", "--loans", "2"], environment: environment)
        #expect(tooFew.status != 0 && tooFew.stderr.contains("--loans no puede ser menor"), "\(tooFew.stderr)")
        // The lender's own ranges: a set with a gap is refused with the range at fault; a good one is saved and used.
        let badRanges = folder.appendingPathComponent("malos.json")
        try Data(#"[{"code":"0","label":"Al corriente","minDays":0,"maxDays":0},{"code":"30+","label":"Más de 30","minDays":31,"maxDays":null}]"#.utf8).write(to: badRanges)
        let refused = try await CLI.run(["close-day", "--buckets", badRanges.path], environment: environment)
        #expect(refused.status != 0 && refused.stderr.contains("buckets[1].minDays"), "\(refused.stderr)")
        let ranges = folder.appendingPathComponent("rangos.json")
        try Data(#"[{"code":"0","label":"Al corriente","minDays":0,"maxDays":0},{"code":"1-30","label":"1 a 30 días","minDays":1,"maxDays":30},{"code":"30+","label":"Más de 30","minDays":31,"maxDays":null}]"#.utf8).write(to: ranges)
        let closed = try await CLI.run(["close-day", "--buckets", ranges.path, "--json"], environment: environment)
        #expect(closed.status == 0, "\(closed.stderr)")
        let close = try JSONSerialization.jsonObject(with: Data(closed.stdout.utf8)) as? [String: Any]
        let days = close?["days"] as? [[String: Any]]
        #expect(days?.count == 1 && (days?.first?["snapshots"] as? Int ?? 0) >= 8, "\(closed.stdout)")
        let again = try await CLI.run(["close-day"], environment: environment)
        #expect(again.status == 0 && again.stdout.contains("Nada que cerrar"), "\(again.stdout) \(again.stderr)")
        let today = try await CLI.run(["close-day", "--date", String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400)).prefix(10))], environment: environment)
        #expect(today.status == 1 && today.stderr.contains("aún no termina"), "\(today.stderr)")
        let delinquency = try await CLI.run(["report", "delinquency", "--json"], environment: environment)
        #expect(delinquency.status == 0, "\(delinquency.stderr)")
        let kpis = try JSONSerialization.jsonObject(with: Data(delinquency.stdout.utf8)) as? [String: Any]
        #expect((kpis?["loans"] as? Int ?? 0) > 0 && (kpis?["loans"] as? Int ?? 0) <= (days?.first?["snapshots"] as? Int ?? 0), "\(delinquency.stdout)")
        #expect((kpis?["buckets"] as? [Any])?.count == 3 && kpis?["par30BasisPoints"] is Int, "\(delinquency.stdout)")
        let table = try await CLI.run(["report", "delinquency"], environment: environment)
        #expect(table.status == 0 && table.stdout.contains("PAR30") && table.stdout.contains("Al corriente"), "\(table.stdout) \(table.stderr)")
        // The day's collection messages from the command line; a second run writes nothing more.
        var messaging = environment
        messaging["CARTERA_COLLECTIONS_PHONE"] = "55 5000 0000"
        messaging["CARTERA_SPEI_CLABE_PREFIX"] = "6461809999"
        let dunning = try await CLI.run(["dunning", "--json"], environment: messaging, directory: folder)
        #expect(dunning.status == 0, "\(dunning.stderr)")
        let written = (try JSONSerialization.jsonObject(with: Data(dunning.stdout.utf8)) as? [String: Any])?["written"] as? [String: Any]
        #expect((written?["loans"] as? Int ?? 0) >= 8 && written?["refused"] is [String: Int], "\(dunning.stdout)")
        let dunningAgain = try await CLI.run(["dunning"], environment: messaging, directory: folder)
        #expect(dunningAgain.status == 0 && dunningAgain.stdout.contains("0 mensajes programados, 0 llamadas"), "\(dunningAgain.stdout) \(dunningAgain.stderr)")
        // Effectiveness needs two closed days: the month before was not closed, and the command says how to close it.
        let effectiveness = try await CLI.run(["report", "collections"], environment: environment)
        #expect(effectiveness.status != 0 && effectiveness.stderr.contains("no está cerrado") && effectiveness.stderr.contains("cartera close-day --date"), "\(effectiveness.stderr)")
        let vintages = try await CLI.run(["report", "vintages", "--json"], environment: environment)
        #expect(vintages.status == 0, "\(vintages.stderr)")
        let cohorts = (try JSONSerialization.jsonObject(with: Data(vintages.stdout.utf8)) as? [String: Any])?["cohorts"] as? [[String: Any]]
        #expect((cohorts?.count ?? 0) > 0, "\(vintages.stdout)")
        let subscribed = try await CLI.run(["report", "subscriptions", "--add", "direccion@demo.mx", "--frequency", "semanal", "--json"], environment: environment, directory: folder)
        #expect(subscribed.status == 0, "\(subscribed.stderr)")
        let list = (try JSONSerialization.jsonObject(with: Data(subscribed.stdout.utf8)) as? [String: Any])?["subscriptions"] as? [[String: Any]]
        #expect(list?.first?["email"] as? String == "direccion@demo.mx" && list?.first?["frequency"] as? String == "semanal", "\(subscribed.stdout)")
        let badFrequency = try await CLI.run(["report", "subscriptions", "--add", "x@demo.mx", "--frequency", "mensual"], environment: environment, directory: folder)
        #expect(badFrequency.status != 0 && badFrequency.stderr.contains("diario o semanal"), "\(badFrequency.stderr)")
        // `cartera reconcile` answers under its documented name.
        let reconcile = try await CLI.run(["reconcile", "--json"], environment: environment)
        #expect(reconcile.status == 0, "\(reconcile.stderr)")
        let verifyAfter = try await CLI.run(["ledger", "verify"], environment: environment)
        #expect(verifyAfter.status == 0, "\(verifyAfter.stdout) \(verifyAfter.stderr)")
    }
}
