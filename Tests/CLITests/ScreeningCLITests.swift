import CarteraTestSupport
import Foundation
import Testing

@Suite("Command line: lists import and screen", .serialized)
struct ScreeningCLITests {
    @Test("Imports the SDN fixture (again: unchanged), lists it, and screens a listed name (match), an ordinary one (none) and an RFC", .enabled(if: SharedFixtures.enabled))
    func importAndScreen() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = [
            "CARTERA_DATABASE_URL": "sqlite://" + folder.appendingPathComponent("listas.sqlite").path,
            "CARTERA_KEY_FILE": folder.appendingPathComponent("cartera.keys").path,
        ]
        #expect(try await CLI.run(["migrate"], environment: environment).status == 0)
        let before = try await CLI.run(["screen", "--name", "Juan Pérez"], environment: environment)
        #expect(before.status != 0 && before.stderr.contains("No hay listas importadas. Importe una con: cartera lists import"))

        let files = [SharedFixtures.url("sanctions/sdn.csv").path, "--alt", SharedFixtures.url("sanctions/alt.csv").path]
        let imported = try await CLI.run(["lists", "import", "--format", "sdn-csv"] + files, environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("✓ OFAC-SDN (sanciones (suspende operaciones y se analiza como inusual)): 7379 entradas (7379 nuevas, 0 cambiadas, 0 quitadas).\n"))
        #expect(imported.stdout.hasSuffix("✓ 0 clientes filtrados (0 personas con representantes y beneficiarios): sin coincidencias nuevas.\n"))
        let again = try await CLI.run(["lists", "import", "--format", "sdn-csv"] + files, environment: environment)
        #expect(again.stdout.contains("los mismos archivos ya estaban importados (7379 entradas); no cambió nada."))
        #expect(try await CLI.run(["lists", "show"], environment: environment).stdout.hasPrefix("OFAC-SDN (sdn-csv, sanciones (suspende operaciones y se analiza como inusual)): 7379 entradas"))

        let chapo = try await CLI.run(["screen", "--name", "Joaquín Guzmán Loera"], environment: environment)
        #expect(chapo.status == 0)
        #expect(chapo.stdout.contains("⚠ 1 coincidencia(s) para «Joaquín Guzmán Loera»") && chapo.stdout.contains("⚠ 1.000  GUZMAN LOERA, Joaquin [SDNTK] — OFAC-SDN:6861"))
        let ordinary = try await CLI.run(["screen", "--name", "Ana Pérez López"], environment: environment)
        #expect(ordinary.stdout.hasPrefix("✓ Sin coincidencias para «Ana Pérez López» en OFAC-SDN."))

        struct Output: Decodable {
            struct Match: Decodable {
                struct Entry: Decodable { let id: String }
                let entry: Entry
                let score: Double
                let isMatch: Bool
                let reason: String
            }
            let matches: [Match]
        }
        let byRFC = try await CLI.run(["screen", "--name", "Nombre Cualquiera", "--identifier", "AUAM-530929-AB1", "--json"], environment: environment)
        let output = try JSONDecoder().decode(Output.self, from: Data(byRFC.stdout.utf8))
        #expect(output.matches.first?.entry.id == "OFAC-SDN:7163" && output.matches.first?.score == 0.95 && output.matches.first?.reason == "RFC sin homoclave coincide")
        // A lender's own list next to it: the blocked-persons list as CSV.
        let lpb = folder.appendingPathComponent("lpb.csv")
        try "id,nombre,alias,rfc\n7,\"RUIZ SOTO, Ana María\",La Güera,RUSA-750101-AB1\n".write(to: lpb, atomically: true, encoding: .utf8)
        let needsName = try await CLI.run(["lists", "import", "--format", "csv", lpb.path], environment: environment)
        #expect(needsName.status != 0 && needsName.stderr.contains("--format csv necesita --list"))
        let blocked = try await CLI.run(["lists", "import", "--format", "csv", "--list", "LPB", lpb.path], environment: environment)
        #expect(blocked.stdout.hasPrefix("✓ LPB (bloqueo (suspende operaciones y reporte de 24 horas)): 1 entradas (1 nuevas, 0 cambiadas, 0 quitadas).\n"), "\(blocked.stderr)")
        let ana = try await CLI.run(["screen", "--name", "Ma. Ruiz Soto"], environment: environment)
        #expect(ana.stdout.contains("— LPB:7") && ana.stdout.contains("en OFAC-SDN") == false)
        try "id,nombre\n7,Ana\n7,Otra\n".write(to: lpb, atomically: true, encoding: .utf8)
        let repeated = try await CLI.run(["lists", "import", "--format", "csv", "--list", "LPB", lpb.path], environment: environment)
        #expect(repeated.status == 1 && repeated.stderr.contains("La lista no se pudo leer en la línea 3: el id 7 se repite."))
        let badDate = try await CLI.run(["screen", "--name", "Juan", "--birth-date", "31/12/1970"], environment: environment)
        #expect(badDate.status != 0 && badDate.stderr.contains("--birth-date se escribe AAAA-MM-DD."))
    }

    @Test("A list import re-screens the clients; cases go from opening to the UIF folio on the command line")
    func rescreenAndCases() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = [
            "CARTERA_DATABASE_URL": "sqlite://" + folder.appendingPathComponent("casos.sqlite").path,
            "CARTERA_KEY_FILE": folder.appendingPathComponent("cartera.keys").path,
        ]
        #expect(try await CLI.run(["migrate"], environment: environment).status == 0)
        #expect(try await CLI.run(["lender", "create", "--legal-name", "Financiera Prueba SA de CV SOFOM ENR", "--short-name", "Prueba", "--rfc", "SAT970701NN3"], environment: environment).status == 0)
        let list = folder.appendingPathComponent("propia.csv")
        try "id,nombre\n1,Persona Inexistente Zyxw\n".write(to: list, atomically: true, encoding: .utf8)
        let imported = try await CLI.run(["lists", "import", "--format", "csv", "--list", "PROPIA", list.path], environment: environment)
        #expect(imported.stdout.hasSuffix("✓ 0 clientes filtrados (0 personas con representantes y beneficiarios): sin coincidencias nuevas.\n"), "\(imported.stdout) \(imported.stderr)")
        #expect(try await CLI.run(["screening", "hits"], environment: environment).stdout == "✓ No hay coincidencias.\n")
        // The UN list as XML: a blocking list by default.
        let un = folder.appendingPathComponent("un.xml")
        try """
            <?xml version="1.0" encoding="UTF-8"?>
            <CONSOLIDATED_LIST dateGenerated="2026-11-27T00:00:00"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>JUAN</FIRST_NAME>
            <SECOND_NAME>INEXISTENTE</SECOND_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>
            <ENTITIES></ENTITIES></CONSOLIDATED_LIST>
            """.write(to: un, atomically: true, encoding: .utf8)
        let unImported = try await CLI.run(["lists", "import", "--format", "un-xml", un.path], environment: environment)
        #expect(unImported.stdout.hasPrefix("✓ UN (bloqueo (suspende operaciones y reporte de 24 horas)): 1 entradas"), "\(unImported.stdout) \(unImported.stderr)")
        let unNamed = try await CLI.run(["lists", "import", "--format", "un-xml", "--list", "X", un.path], environment: environment)
        #expect(unNamed.status != 0 && unNamed.stderr.contains("la lista se llama UN"))
        let bad = try await CLI.run(["screening", "review", "sh_x", "--note", "x"], environment: environment)
        #expect(bad.status != 0 && bad.stderr.contains("Indique --confirm o --dismiss"))

        let opened = try await CLI.run(["cases", "open", "--kind", "interna_preocupante", "--subject", "Juan Cajero", "--summary", "Recibe efectivo fuera de sucursal"], environment: environment)
        #expect(opened.status == 0, "\(opened.stderr)")
        let id = try #require(opened.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(id.hasPrefix("cs_"))
        let early = try await CLI.run(["cases", "decide", id, "--decision", "reportable", "--note", "Dictamen"], environment: environment)
        #expect(early.status != 0 && early.stderr.contains("Primero pase el caso a análisis"))
        #expect(try await CLI.run(["cases", "analyze", id, "--note", "Revisión de videos"], environment: environment).stdout.contains("En análisis"))
        let decided = try await CLI.run(["cases", "decide", id, "--decision", "reportable", "--note", "El comité lo considera reportable"], environment: environment)
        #expect(decided.stdout.contains("Dictaminado (reportable)") && decided.stdout.contains("Reporte a la UIF a más tardar el"))
        #expect(try await CLI.run(["cases", "reported", id, "--reference", "UIF-123"], environment: environment).stdout.contains("Reportado"))
        let shown = try await CLI.run(["cases", "show", id], environment: environment)
        #expect(shown.stdout.contains("Recibe efectivo fuera de sucursal") && shown.stdout.contains("Dictaminado → Reportado — UIF-123"))
        #expect(try await CLI.run(["cases", "list", "--status", "reportado"], environment: environment).stdout.contains(id))

        // What monitoring works from: rates (again: nothing new), the rules' versions.
        let rates = folder.appendingPathComponent("fix.csv")
        try "\"Fecha\",\"SF43718\"\n\"26/11/2026\",\"18.5000\"\n\"27/11/2026\",\"N/E\"\n".write(to: rates, atomically: true, encoding: .utf8)
        let loaded = try await CLI.run(["monitoring", "rates", rates.path], environment: environment)
        #expect(loaded.stdout == "✓ 1 tipos de cambio del 2026-11-26 al 2026-11-26: 1 nuevos, 0 corregidos.\n", "\(loaded.stderr)")
        #expect(try await CLI.run(["monitoring", "rates", rates.path], environment: environment).stdout.contains("0 nuevos, 0 corregidos"))
        let ruleFile = folder.appendingPathComponent("reglas.json")
        let current = try await CLI.run(["monitoring", "rules", "--json"], environment: environment)
        try current.stdout.replacingOccurrences(of: "\"structuringCount\" : 3", with: "\"structuringCount\" : 4").write(to: ruleFile, atomically: true, encoding: .utf8)
        let published = try await CLI.run(["monitoring", "rules", "--publish", ruleFile.path], environment: environment)
        #expect(published.stdout.contains("✓ Publicada versión 2:") && published.stdout.contains("Fraccionamiento: 4 operaciones en efectivo en 30 días"), "\(published.stdout) \(published.stderr)")
        // The UIF files: an empty quarter is the nil report; no reportable case, no inusuales file.
        let catalog = folder.appendingPathComponent("catalogo.csv")
        try "catalogo,texto,clave\nactividad,Comerciante,8944098\n".write(to: catalog, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("relevantes.txt")
        let filer = ["--entity", "060731", "--locality", "30087001", "--postal-code", "91000", "--catalogs", catalog.path]
        let nilReport = try await CLI.run(["report", "uif", "--type", "relevantes", "--period", "2026Q3", "--output", out.path] + filer, environment: environment)
        #expect(nilReport.stdout.hasPrefix("✓ relevantes 202609: reporte en ceros"), "\(nilReport.stdout) \(nilReport.stderr)")
        #expect(try String(contentsOf: out, encoding: .utf8) == "1;202609;;001002;060731" + String(repeating: ";", count: 31) + "\r\n")
        let nothing = try await CLI.run(["report", "uif", "--type", "inusuales", "--period", "2026-11-28", "--output", folder.appendingPathComponent("inusuales.txt").path] + filer, environment: environment)
        #expect(nothing.status != 0 && nothing.stderr.contains("No hay casos dictaminados como reportables") && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("inusuales.txt").path))
        let badPeriod = try await CLI.run(["report", "uif", "--type", "relevantes", "--period", "2026-09", "--output", out.path] + filer, environment: environment)
        #expect(badPeriod.status != 0 && badPeriod.stderr.contains("AAAAQn"))
        // Risk settings: shown, published with catalogues, and every client graded again.
        #expect(try await CLI.run(["risk", "settings"], environment: environment).stdout.hasPrefix("En vigor la versión 0 (matriz 1): medio desde 20 puntos, alto desde 40."))
        let riskCatalogs = folder.appendingPathComponent("riesgo.json")
        try #"{"states":{"VZ":"media"},"activities":{"Comerciante":"medio"},"products":{},"fatfCountries":["KP"]}"#.write(to: riskCatalogs, atomically: true, encoding: .utf8)
        let riskPublished = try await CLI.run(["risk", "settings", "--catalogs", riskCatalogs.path], environment: environment)
        #expect(riskPublished.stdout.hasPrefix("✓ Publicada la versión 1") && riskPublished.stdout.contains("Catálogos: 1 estados, 1 actividades, 0 productos, 1 países GAFI."), "\(riskPublished.stdout) \(riskPublished.stderr)")
        #expect(try await CLI.run(["risk", "assess", "--all"], environment: environment).stdout == "✓ 0 cliente(s) calificado(s); 0 cambiaron de grado.\n")
        // The bureau tape needs the month closed.
        let tape = try await CLI.run(["report", "buro", "--month", "2026-10", "--member", "ZZ12345678", "--member-name", "Prueba", "--output", folder.appendingPathComponent("buro.txt").path], environment: environment)
        #expect(tape.status != 0 && tape.stderr.contains("✗ El día 2026-10-31 no está cerrado") && tape.stderr.contains("no se escribió"), "\(tape.stderr)")
        let partial = try await CLI.run(["monitoring", "profile", "--client", "cl_x", "--operations", "3"], environment: environment)
        #expect(partial.status != 0 && partial.stderr.contains("indique --monthly-amount, --operations, --instruments y --source"))
    }
}
