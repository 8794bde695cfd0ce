import CarteraCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOHTTP1
import Sandbox
import Testing

@Suite("Círculo de Crédito: the FICO report query, its signature and its errors, against the Círculo sandbox")
struct CirculoClientTests {
    /// 2026-03-15 12:00 in Mexico City: the sandbox's clock, so its reports are dated the same on every run.
    static let now = Timestamp(millisecondsSince1970: 1_773_597_600_000)
    static let today = CalendarDate(year: 2026, month: 3, day: 15)!
    /// María José Núñez Peña's RFC (a low score: late payments).
    static let rfc = "NUPM850315AB9"

    static func request(
        rfc: String = "nupm850315ab9", primerNombre: String = "María", direccion: String = "Av. Insurgentes Sur 1234, Int. 5-B", cp: String = "03100",
        folio: String = "SOL-000123"
    ) -> CirculoRequest {
        CirculoRequest(
            apellidoPaterno: "Núñez", apellidoMaterno: "Peña", primerNombre: primerNombre, segundoNombre: "José", fechaNacimiento: "1985-03-15", rfc: rfc,
            domicilio: .init(
                direccion: direccion, coloniaPoblacion: "Del Valle", delegacionMunicipio: "Benito Juárez", ciudad: "Ciudad de México", estado: "CDMX", cp: cp
            ),
            folioOtorgante: folio
        )
    }

    static func withSandbox(_ body: @escaping @Sendable (CirculoSandbox, String) async throws -> Void) async throws {
        let sandbox = CirculoSandbox(clock: { Self.now })
        let router = Router()
        sandbox.add(to: router, prefix: "/circulo")
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await body(sandbox, "http://127.0.0.1:\(client.port!)/circulo")
        }
    }

    static func client(
        _ base: String, apiKey: String = CirculoSandbox.apiKey, password: String = CirculoSandbox.password, signer: CirculoSigner? = nil,
        timeout: Duration = .seconds(5)
    ) throws -> CirculoClient {
        let signer = try signer ?? CirculoSigner(privateKeyPEM: CirculoSandbox.lenderPrivateKeyPEM)
        return CirculoClient(
            settings: .init(baseURL: { base }, apiKey: apiKey, username: CirculoSandbox.username, password: password, signer: signer),
            breaker: CircuitBreaker(failureThreshold: 50), timeout: timeout
        )
    }

    @Test("Círculo's text rules: upper case, no accents or Ñ, no , \\ - / ; : ! ?, one space between words")
    func cleaning() {
        #expect(CirculoRequest.clean("Núñez Peña") == "NUNEZ PENA")
        #expect(CirculoRequest.clean("  maría-josé   de la o ") == "MARIA JOSE DE LA O")
        #expect(CirculoRequest.clean("Calle 5/7, Col. Centro; Mz: 3 Lt! 4?") == "CALLE 5 7 COL. CENTRO MZ 3 LT 4")
        #expect(CirculoRequest.clean("Güemes\\Ñuñoa") == "GUEMES NUNOA")
        #expect(CirculoRequest.clean("Ana\t\nLuisa") == "ANA LUISA")
        #expect(CirculoRequest.clean(" , - ") == "")
        let cleaned = Self.request(rfc: " nupm850315ab9 ", cp: "03-100").cleaned()
        #expect(cleaned.rfc == "NUPM850315AB9" && cleaned.domicilio.cp == "03100" && cleaned.domicilio.delegacionMunicipio == "BENITO JUAREZ")
        #expect(cleaned.domicilio.direccion == "AV. INSURGENTES SUR 1234 INT. 5 B" && cleaned.domicilio.ciudad == "CIUDAD DE MEXICO")
        var blank = Self.request()
        blank.segundoNombre = "  "
        #expect(blank.cleaned().segundoNombre == nil)
    }

    @Test("The request's JSON keys are Círculo's, empty fields left out, and the signature is hex of a DER ECDSA P-256 signature over the body")
    func bodyAndSignature() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var request = Self.request().cleaned()
        request.primerNombre = ""
        let text = String(decoding: try encoder.encode(request), as: UTF8.self)
        #expect(text.contains(#""RFC":"NUPM850315AB9""#) && text.contains(#""CP":"03100""#) && text.contains(#""folioOtorgante":"SOL-000123""#))
        #expect(text.contains(#""nacionalidad":"MX""#) && !text.contains("primerNombre") && !text.contains("CURP"))

        let signer = CirculoSigner.generated()
        let body = Array(text.utf8)
        let signature = try signer.signature(for: body)
        #expect(signature.hasPrefix("30") && signature == signature.lowercased())
        let check = try CirculoSignatureCheck(publicKeyPEM: signer.publicKeyPEM)
        #expect(check.isValid(signatureHex: signature, for: body))
        #expect(check.isValid(signatureHex: signature.uppercased(), for: body))
        #expect(!check.isValid(signatureHex: signature, for: body + [0x20]))
        #expect(!check.isValid(signatureHex: "zz" + signature.dropFirst(2), for: body))
        #expect(!check.isValid(signatureHex: "", for: body))
        #expect(try CirculoSigner(privateKeyPEM: signer.privateKeyPEM).publicKeyPEM == signer.publicKeyPEM)

        // A key and a signature made by OpenSSL (`openssl ecparam -name prime256v1 -genkey`, SEC 1 PEM).
        let openSSLKey = """
            -----BEGIN EC PRIVATE KEY-----
            MHcCAQEEILZcMeFrvyAMFKDvymU+sHGLFxCCO2rawT/Pz4DFdSCJoAoGCCqGSM49
            AwEHoUQDQgAE/WfcRQV0Z/UpgbLCj61bdqLoGslZXn7obti9hS61s8x/LHq/tGe3
            1RYUAYSdL38GDhYnb7b/ndjXQMMHL3FJrA==
            -----END EC PRIVATE KEY-----
            """
        let openSSLPublicKey = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/WfcRQV0Z/UpgbLCj61bdqLoGslZ
            Xn7obti9hS61s8x/LHq/tGe31RYUAYSdL38GDhYnb7b/ndjXQMMHL3FJrA==
            -----END PUBLIC KEY-----
            """
        let openSSLBody = Array(#"{"RFC":"XAXX010101000","primerNombre":"JUAN"}"#.utf8)
        let openSSLSignature =
            "304502210081b4beeda46305796f2800c13b52e17c9583ca18258ac25031ead5a66354adef0220532c5c4f9e123856bd13369e6ca5ad0a9a9dd7d89161aed11f0f21e6137720c9"
        let openSSLCheck = try CirculoSignatureCheck(publicKeyPEM: openSSLPublicKey)
        #expect(openSSLCheck.isValid(signatureHex: openSSLSignature, for: openSSLBody))
        let fromOpenSSL = try CirculoSigner(privateKeyPEM: openSSLKey)
        #expect(openSSLCheck.isValid(signatureHex: try fromOpenSSL.signature(for: openSSLBody), for: openSSLBody))
    }

    @Test("A report is read leniently: numbers for text, text for the score, nulls, unknown fields; only folioConsulta is required")
    func lenientReport() throws {
        let json = #"""
            {"folioConsulta":19698610,"folioConsultaOtorgante":"1","claveOtorgante":"0000081008","declaracionesConsumidor":"",
             "persona":{"apellidoPaterno":"PRUEBA","nombres":"JUAN","RFC":"PUAC800101","nacionalidad":"MX"},"consultas":null,
             "creditos":[{"nombreOtorgante":"BANCO / BC","saldoActual":20353,"montoPagar":"1925","fechaCierreCuenta":null,"pagoActual":"V",
                          "peorAtraso":2,"campoNuevo":{"a":1}}, "no es un crédito"],
             "scores":[{"nombreScore":"FICO","valor":"0720","razones":["D2",17,null]}],"mensajes":[{"tipoMensaje":"2","leyenda":"Aviso"}],"otro":true}
            """#
        let report = try JSONDecoder().decode(CirculoReport.self, from: Data(json.utf8))
        #expect(report.folioConsulta == "19698610" && report.claveOtorgante == "0000081008" && report.persona?.rfc == "PUAC800101")
        #expect(report.consultas.isEmpty && report.domicilios.isEmpty && report.empleos.isEmpty)
        #expect(report.creditos == [CirculoReport.Credito(nombreOtorgante: "BANCO / BC", montoPagar: "1925", saldoActual: "20353", pagoActual: "V", peorAtraso: "2")])
        #expect(report.ficoScore == 720 && report.scores.first?.razones == ["D2", "17"])
        #expect(report.mensajes == [CirculoReport.Mensaje(tipoMensaje: "2", leyenda: "Aviso")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CirculoReport.self, from: Data(#"{"creditos":[]}"#.utf8)) }
    }

    @Test("A known person's report: the sandbox's derivation, read back exactly, from a cleaned and signed query")
    func knownPerson() async throws {
        try await Self.withSandbox { sandbox, base in
            let circulo = try Self.client(base)
            let (report, body) = try await circulo.report(Self.request())
            let profile = CirculoSandbox.profile(rfc: Self.rfc, today: Self.today)

            // The derivation's values for this RFC on this day (worked out by hand from its SHA-256, 8226e709…).
            #expect(profile.score == 485 && profile.razones == ["P9", "C3", "A7", "D2"])
            #expect(profile.accounts.map(\.saldoActual) == [5_340, 417_856, 11_288])
            #expect(profile.accounts.map(\.pagoActual) == ["04", "04", "02"] && profile.accounts.map(\.peorAtraso) == [3, 3, 4])
            #expect(profile.inquiries.map(\.fechaConsulta.text) == ["2026-02-14", "2026-01-23", "2025-12-26", "2025-11-03", "2025-09-30"])

            // What the client read is what the sandbox derived.
            #expect(report.folioConsultaOtorgante == "SOL-000123" && report.claveOtorgante == CirculoSandbox.claveOtorgante)
            #expect(report.ficoScore == profile.score && report.scores.first?.nombreScore == "FICO" && report.scores.first?.razones == profile.razones)
            let expected = profile.accounts.map { account in
                CirculoReport.Credito(
                    fechaActualizacion: account.fechaReporte.text, nombreOtorgante: account.nombreOtorgante, cuentaActual: account.cuentaActual,
                    tipoResponsabilidad: "I", tipoCuenta: account.tipoCuenta, tipoCredito: account.tipoCredito, claveUnidadMonetaria: "MX",
                    frecuenciaPagos: account.frecuenciaPagos, montoPagar: String(account.montoPagar), fechaAperturaCuenta: account.fechaAperturaCuenta.text,
                    fechaUltimoPago: account.fechaUltimoPago.text, fechaCierreCuenta: nil, fechaReporte: account.fechaReporte.text,
                    creditoMaximo: String(account.creditoMaximo), saldoActual: String(account.saldoActual), limiteCredito: String(account.limiteCredito),
                    saldoVencido: String(account.saldoVencido), numeroPagosVencidos: String(account.numeroPagosVencidos), pagoActual: account.pagoActual,
                    historicoPagos: account.historicoPagos, peorAtraso: String(account.peorAtraso)
                )
            }
            #expect(report.creditos == expected)
            #expect(report.creditos.map(\.tipoCredito) == ["PP", "HI", "TC"] && report.creditos.map(\.limiteCredito) == ["0", "0", "40000"])
            #expect(report.creditos.first?.historicoPagos == "4 V V V V V V V V 4 V V" && report.creditos.first?.saldoVencido == "999")
            let consultas = profile.inquiries.map { inquiry in
                CirculoReport.Consulta(
                    fechaConsulta: inquiry.fechaConsulta.text, nombreOtorgante: inquiry.nombreOtorgante, tipoCredito: inquiry.tipoCredito,
                    claveUnidadMonetaria: "MX", importeCredito: String(inquiry.importeCredito)
                )
            }
            #expect(report.consultas == consultas)
            #expect(report.empleos.first?.nombreEmpresa == "TRANSPORTES DEL GOLFO SA DE CV" && report.empleos.first?.salarioMensual == "15000")
            #expect(report.persona?.apellidoPaterno == "NUNEZ" && report.persona?.nombres == "MARIA JOSE" && report.persona?.rfc == Self.rfc)
            #expect(try JSONDecoder().decode(CirculoReport.self, from: Data(body)) == report)

            // The sandbox received the text cleaned, and recorded the query.
            let queries = sandbox.queries
            #expect(queries.count == 1 && queries.first?.folioConsulta == report.folioConsulta && queries.first?.folioOtorgante == "SOL-000123")
            let sent = try JSONDecoder().decode(CirculoRequest.self, from: Data(queries[0].body))
            #expect(sent.apellidoPaterno == "NUNEZ" && sent.apellidoMaterno == "PENA" && sent.primerNombre == "MARIA" && sent.segundoNombre == "JOSE")
            #expect(sent.rfc == Self.rfc && sent.domicilio.direccion == "AV. INSURGENTES SUR 1234 INT. 5 B" && sent.domicilio.ciudad == "CIUDAD DE MEXICO")
            let sentText = String(decoding: queries[0].body, as: UTF8.self)
            #expect(sentText.contains(#""apellidoPaterno":"NUNEZ""#) && sentText.contains(#""apellidoMaterno":"PENA""#))

            // Another query of the same person: the same report under the next folio.
            let again = try await circulo.report(Self.request(folio: "SOL-000124"))
            #expect(Int(again.report.folioConsulta) == Int(report.folioConsulta).map { $0 + 1 })
            #expect(again.report.creditos == report.creditos && again.report.folioConsultaOtorgante == "SOL-000124")
            #expect(sandbox.queries.count == 2)
        }
    }

    @Test("Refusals: credentials, a missing field, a no-hit, a signature that does not verify, uncleaned text")
    func refusals() async throws {
        try await Self.withSandbox { sandbox, base in
            let wrongKey = try Self.client(base, apiKey: "otra-llave")
            await #expect(throws: CirculoError.unauthorized(status: 403, problems: [.init(codigo: "403.1", mensaje: "Acceso denegado: la x-api-key no es válida o no se envió")])) {
                try await wrongKey.report(Self.request())
            }
            let wrongPassword = try Self.client(base, password: "otra")
            let wrongCredentials = await #expect(throws: CirculoError.self) { try await wrongPassword.report(Self.request()) }
            #expect(wrongCredentials == .unauthorized(status: 401, problems: [.init(codigo: "401.1", mensaje: "Credenciales inválidas")]))
            #expect(wrongCredentials?.code == "circulo_unauthorized")

            // A field left blank reaches Círculo as missing: one 400.1 per field, named in the message.
            let circulo = try Self.client(base)
            let missing = await #expect(throws: CirculoError.self) { try await circulo.report(Self.request(primerNombre: "  ")) }
            #expect(missing == .refused(status: 400, problems: [.init(codigo: "400.1", mensaje: "Falta propiedad requerida: primerNombre")]))
            #expect(missing?.code == "circulo_refused" && missing?.message.contains("primerNombre") == true)
            let twoMissing = await #expect(throws: CirculoError.self) { try await circulo.report(Self.request(direccion: "", cp: "")) }
            if case .refused(400, let problems) = twoMissing {
                #expect(problems.map(\.codigo) == ["400.1", "400.1"])
                #expect(problems.map(\.mensaje) == ["Falta propiedad requerida: domicilio.direccion", "Falta propiedad requerida: domicilio.CP"])
            } else {
                Issue.record("expected a 400 refusal: \(String(describing: twoMissing))")
            }
            // A folio longer than Círculo takes is not sent at all.
            let longFolio = await #expect(throws: CirculoError.self) { try await circulo.report(Self.request(folio: String(repeating: "9", count: 26))) }
            if case .refused(0, _) = longFolio {} else { Issue.record("expected a local refusal: \(String(describing: longFolio))") }

            // No hit: the generic RFC, and any RFC ending in 0.
            await #expect(throws: CirculoError.notFound) { try await circulo.report(Self.request(rfc: "XAXX010101000")) }
            await #expect(throws: CirculoError.notFound) { try await circulo.report(Self.request(rfc: "NUPM850315AB0")) }
            #expect(CirculoError.notFound.code == "circulo_not_found")

            // Signed with a key Círculo does not have.
            let stranger = try Self.client(base, signer: CirculoSigner.generated())
            let badSignature = await #expect(throws: CirculoError.self) { try await stranger.report(Self.request()) }
            if case .unauthorized(403, let problems) = badSignature {
                #expect(problems.first?.codigo == "403.1" && problems.first?.mensaje.contains("x-signature") == true)
            } else {
                Issue.record("expected a 403: \(String(describing: badSignature))")
            }

            // A body changed after it was signed is refused; the body as signed is taken.
            let http = ResilientHTTPClient(resolveBaseURL: { base }, policy: .never, breaker: CircuitBreaker(failureThreshold: 50), timeout: .seconds(5))
            let signer = try CirculoSigner(privateKeyPEM: CirculoSandbox.lenderPrivateKeyPEM)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let original = Array(try encoder.encode(Self.request().cleaned()))
            let signature = try signer.signature(for: original)
            let tampered = Array(String(decoding: original, as: UTF8.self).replacingOccurrences(of: Self.rfc, with: "NUPM850315AB8").utf8)
            func send(_ body: [UInt8], signature: String) async throws -> ResilientHTTPClient.Response {
                try await http.send(.init(
                    method: .POST, path: CirculoClient.path,
                    headers: [
                        ("Content-Type", "application/json"), ("x-api-key", CirculoSandbox.apiKey), ("username", CirculoSandbox.username),
                        ("password", CirculoSandbox.password), ("x-signature", signature),
                    ],
                    body: body, idempotent: false
                ))
            }
            #expect(try await send(tampered, signature: signature).status == 403)
            #expect(try await send(original, signature: signature).status == 200)
            // Círculo takes names only cleaned: the same query, signed but not cleaned, is refused.
            let raw = Array(try encoder.encode(Self.request()))
            let rawSignature = try signer.signature(for: raw)
            let uncleaned = try await send(raw, signature: rawSignature)
            #expect(uncleaned.status == 400 && String(decoding: uncleaned.body, as: UTF8.self).contains("Formato inválido: apellidoPaterno"))

            // Recorded: the two no-hits and the one taken; nothing refused before.
            #expect(sandbox.queries.map(\.found) == [false, false, true])
            #expect(sandbox.queries.map(\.rfc) == ["XAXX010101000", "NUPM850315AB0", Self.rfc])
        }
    }

    @Test("Círculo down: a 503 or no answer is .unavailable after one try (a query is never repeated); a 429 is tried again")
    func unavailable() async throws {
        try await Self.withSandbox { sandbox, base in
            let circulo = try Self.client(base, timeout: .seconds(1))
            sandbox.faults.set(.status(503), count: 1)
            let down = await #expect(throws: CirculoError.self) { try await circulo.report(Self.request()) }
            if case .unavailable = down {} else { Issue.record("expected .unavailable: \(String(describing: down))") }
            #expect(down?.code == "circulo_unavailable")
            #expect(sandbox.faults.faulted == 1 && sandbox.queries.isEmpty)

            sandbox.faults.set(.hang(seconds: 2), count: 1)
            let silent = await #expect(throws: CirculoError.self) { try await circulo.report(Self.request()) }
            if case .unavailable = silent {} else { Issue.record("expected .unavailable: \(String(describing: silent))") }
            #expect(sandbox.faults.faulted == 2 && sandbox.queries.isEmpty)

            // "Too many requests" says the query was not taken: tried again, and answered.
            sandbox.faults.set(.status(429), count: 1)
            let (report, _) = try await circulo.report(Self.request())
            #expect(report.ficoScore == 485 && sandbox.faults.faulted == 3 && sandbox.queries.count == 1)
        }
    }
}
