import App
import CarteraCore
import CarteraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Store
import Testing

@Suite("Back office: clients")
struct ClientPagesTests {
    static let form: [String: String] = [
        "givenNames": "Gloria", "paternalSurname": "Hernández", "maternalSurname": "García", "sex": "M", "birthDate": "1956-04-27",
        "birthState": "VZ", "nationality": "MX", "occupation": "Comerciante <b>", "curp": "hegg560427mvzrrl04", "rfc": ClientSamples.rfc,
        "street": "Av. Juárez", "exteriorNumber": "120", "neighborhood": "Centro", "municipality": "Xalapa", "city": "Xalapa",
        "state": "VZ", "postalCode": "91000", "phone": "228 123 4567", "email": "gloria@example.mx",
    ]

    @Test("An analyst registers a persona física, sees every problem first, then finds the client by CURP", arguments: TestEngine.available)
    func register(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, _ in
            let analyst = TestBrowser(client)
            try await analyst.signIn("u.analista.credito")
            #expect(try await analyst.get("/").text.contains(#"href="/clientes""#))
            try await analyst.get("/clientes/nuevo")
            var bad = Self.form
            bad["postalCode"] = "9100"
            bad["curp"] = "HEGG560427MVZRRL05"
            let rejected = try await analyst.post("/clientes", bad)
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.text.contains("código postal debe tener 5 dígitos"))
            #expect(rejected.text.contains("CURP:"))
            #expect(rejected.text.contains(#"value="Av. Juárez""#))  // what was typed stays

            let created = try await analyst.post("/clientes", Self.form)
            let location = try #require(created.location)
            #expect(location.hasPrefix("/clientes/cl_") && location.hasSuffix("?aviso=alta"))
            let detail = try await analyst.get(location)
            #expect(detail.status == .ok)
            #expect(detail.text.contains("Cliente registrado."))
            #expect(detail.text.contains("HEGG560427MVZRRL04"))
            #expect(detail.text.contains("Comerciante &lt;b&gt;"))
            #expect(detail.text.contains("Veracruz"))

            try await analyst.get("/clientes/nuevo")
            let duplicate = try await analyst.post("/clientes", Self.form)
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.text.contains("Ya existe el cliente"))

            let collector = TestBrowser(client)
            try await collector.signIn("u.gestor.cobranza")
            let found = try await collector.get("/clientes?por=curp&valor=hegg560427mvzrrl04")
            #expect(found.text.contains("Gloria Hernández García"))
            #expect(!found.text.contains("Registrar cliente"))
            #expect(try await collector.get("/clientes?por=telefono&valor=2281234567").status == .ok)
            #expect(try await collector.get("/clientes/cl_nope").status == .notFound)
        }
    }

    @Test("A persona moral: razón social, RFC, representatives and beneficial owners; ownership over 100 % is refused with the typed rows kept")
    func company() async throws {
        try await withBackOffice { _, client, _ in
            let analyst = TestBrowser(client)
            try await analyst.signIn("u.analista.credito")
            let page = try await analyst.get("/clientes/nuevo?tipo=moral")
            #expect(page.text.contains("Razón social") && page.text.contains("Beneficiarios controladores"))
            var fields = [
                "kind": "company", "legalName": "Servicios Administrativos del Golfo, S.A. de C.V.", "companyRfc": "SAT970701NN3",
                "incorporationDate": "1997-07-01", "businessActivity": "Servicios de consultoría", "companyNationality": "MX",
                "rep1Name": "Gloria Hernández García", "rep1Curp": "HEGG560427MVZRRL04",
                "own1Name": "Gloria Hernández García", "own1Percent": "70", "own2Name": "Otro Socio", "own2Percent": "40.5",
                "street": "Av. Juárez", "exteriorNumber": "120", "neighborhood": "Centro", "municipality": "Xalapa", "city": "Xalapa",
                "state": "VZ", "postalCode": "91000", "phone": "228 987 6543",
            ]
            let rejected = try await analyst.post("/clientes", fields)
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.text.contains(#"value="Otro Socio""#) && rejected.text.contains("Razón social"))
            fields["own1Percent"] = "59.5"
            try await analyst.get("/clientes/nuevo?tipo=moral")
            let created = try await analyst.post("/clientes", fields)
            let location = try #require(created.location)
            let detail = try await analyst.get(location)
            #expect(detail.text.contains("Persona moral") && detail.text.contains("Servicios Administrativos del Golfo"))
            #expect(detail.text.contains("Otro Socio (40.50%)"))
        }
    }
}
