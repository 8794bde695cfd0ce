import CarteraCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOConcurrencyHelpers
import NIOCore

/// Círculo de Crédito's "Reporte de Crédito Consolidado con FICO Score" API v2, simulated locally under a prefix
/// (`/circulo`): `POST {prefix}/v2/rccficoscore` checks `x-api-key` (403.1), `username` and `password` (401.1) and
/// `x-signature` — ECDSA P-256 SHA-256 over the exact body, hex of DER — with the lender's registered public key
/// (403.1); then the body: each missing required field is one `400.1` ("Falta propiedad requerida: …"), a malformed one
/// a `400.2` (names and address must come cleaned: upper case, no accents, no `, \ - / ; : ! ?`).
///
/// The sandbox's no-hit rule: an RFC starting with `XAXX` or ending in `0` is unknown to the bureau (404.1). Any other
/// RFC gets a report derived from its SHA-256 (`profile(rfc:today:)`): the same person always has the same FICO score
/// (450–850), 0–5 accounts, 0–6 consultations in the last 12 months, and late payments when the score is low. Every
/// query past authentication and validation is recorded (`queries`), as the real bureau records it.
public final class CirculoSandbox: Sendable {
    /// The credentials the sandbox accepts (Cartera is configured with the same ones to use it).
    public static let apiKey = "cartera-circulo-sandbox-api-key"
    public static let username = "cartera_sandbox"
    public static let password = "circulo-sandbox-password"
    /// The lender's number at the bureau, as the sandbox answers it.
    public static let claveOtorgante = "0000099999"

    /// The demo lender's private key (fixed, so a demo Cartera and the sandbox agree without a key file) and the public
    /// half the sandbox checks signatures with unless it is given another.
    public static var lenderPrivateKeyPEM: String { SandboxKeys.circuloLender.pemRepresentation }
    public static var lenderPublicKeyPEM: String { SandboxKeys.circuloLender.publicKey.pemRepresentation }

    /// A query the sandbox took (authenticated, signed and valid): what a lender is charged for.
    public struct Query: Sendable, Equatable {
        /// The report's folio; nil for a no-hit.
        public let folioConsulta: String?
        public let rfc: String
        public let folioOtorgante: String?
        /// The request body exactly as received.
        public let body: [UInt8]

        public var found: Bool { folioConsulta != nil }
    }

    private struct State {
        var queries: [Query] = []
        var nextFolio = 19_698_610
    }

    private let state = NIOLockedValueBox(State())
    let signatureCheck: CirculoSignatureCheck?
    let clock: @Sendable () -> Timestamp
    /// Trouble on demand (errors, hangs) for the report API.
    public let faults: SandboxFaults

    static let apiKeyHeader = HTTPField.Name("x-api-key")!
    static let usernameHeader = HTTPField.Name("username")!
    static let passwordHeader = HTTPField.Name("password")!
    static let signatureHeader = HTTPField.Name("x-signature")!

    /// - Parameter lenderPublicKeyPEM: the public key the lender registered (P-256, PEM); the demo key's by default. A
    ///   key that cannot be read makes every signature fail.
    public init(
        lenderPublicKeyPEM: String = CirculoSandbox.lenderPublicKeyPEM, clock: @escaping @Sendable () -> Timestamp = { .now },
        faults: SandboxFaults = SandboxFaults()
    ) {
        signatureCheck = try? CirculoSignatureCheck(publicKeyPEM: lenderPublicKeyPEM)
        self.clock = clock
        self.faults = faults
    }

    /// The queries taken so far, oldest first.
    public var queries: [Query] { state.withLockedValue { $0.queries } }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/circulo") {
        router.post(RouterPath(prefix + "/v2/rccficoscore")) { request, _ -> Response in
            if let trouble = await self.faults.intercept() { return trouble }
            let body = Array(try await request.body.collect(upTo: 64 * 1024).readableBytesView)
            let answer = self.answer(
                body: body, apiKey: request.headers[Self.apiKeyHeader], username: request.headers[Self.usernameHeader],
                password: request.headers[Self.passwordHeader], signature: request.headers[Self.signatureHeader]
            )
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
            )
        }
        router.get(RouterPath(prefix + "/_sandbox")) { _, _ in SandboxPage.html(self.page(prefix: prefix), title: "Sandbox Círculo de Crédito — Cartera") }
    }

    // MARK: Queries

    /// The status and JSON body Círculo would answer.
    func answer(body: [UInt8], apiKey: String?, username: String?, password: String?, signature: String?) -> (status: Int, body: Data) {
        guard apiKey == Self.apiKey else {
            return Self.errors(403, [("403.1", "Acceso denegado: la x-api-key no es válida o no se envió")])
        }
        guard username == Self.username, password == Self.password else {
            return Self.errors(401, [("401.1", "Credenciales inválidas")])
        }
        guard let signature, let check = signatureCheck, check.isValid(signatureHex: signature, for: body) else {
            return Self.errors(403, [("403.1", "La firma x-signature no corresponde al cuerpo de la solicitud o a la llave registrada")])
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return Self.errors(400, [("400.2", "El cuerpo de la solicitud no es un objeto JSON válido")])
        }
        let problems = Self.validate(object)
        guard problems.isEmpty else { return Self.errors(400, problems) }
        let rfc = Self.text(object["RFC"]).uppercased()
        let folioOtorgante = Self.text(object["folioOtorgante"])
        guard !Self.isNoHit(rfc: rfc) else {
            state.withLockedValue { $0.queries.append(Query(folioConsulta: nil, rfc: rfc, folioOtorgante: folioOtorgante.isEmpty ? nil : folioOtorgante, body: body)) }
            return Self.errors(404, [("404.1", "No se encontró información del consumidor")])
        }
        let folio: String = state.withLockedValue { state in
            let folio = String(state.nextFolio)
            state.nextFolio += 1
            state.queries.append(Query(folioConsulta: folio, rfc: rfc, folioOtorgante: folioOtorgante.isEmpty ? nil : folioOtorgante, body: body))
            return folio
        }
        let today = clock().calendarDate(utcOffsetSeconds: MexicoCityTime.offsetSeconds)
        let report = Self.report(object, rfc: rfc, folio: folio, profile: Self.profile(rfc: rfc, today: today))
        let data = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])) ?? Data("{}".utf8)
        return (200, data)
    }

    /// The sandbox's documented no-hit rule: RFCs starting with `XAXX` (the generic RFC) or ending in `0`.
    public static func isNoHit(rfc: String) -> Bool {
        let rfc = rfc.uppercased()
        return rfc.hasPrefix("XAXX") || rfc.hasSuffix("0")
    }

    /// What is wrong with a request body, as Círculo's `errores`: every missing required field first (400.1), then, when
    /// none is missing, malformed ones (400.2).
    static func validate(_ object: [String: Any]) -> [(String, String)] {
        var missing: [(String, String)] = []
        for key in ["primerNombre", "apellidoPaterno", "fechaNacimiento", "RFC"] where text(object[key]).isEmpty {
            missing.append(("400.1", "Falta propiedad requerida: \(key)"))
        }
        let domicilio = object["domicilio"] as? [String: Any]
        if let domicilio {
            for key in ["direccion", "CP", "estado"] where text(domicilio[key]).isEmpty {
                missing.append(("400.1", "Falta propiedad requerida: domicilio.\(key)"))
            }
        } else {
            missing.append(("400.1", "Falta propiedad requerida: domicilio"))
        }
        guard missing.isEmpty else { return missing }
        var malformed: [(String, String)] = []
        if CalendarDate(text: text(object["fechaNacimiento"])) == nil {
            malformed.append(("400.2", "Formato inválido: fechaNacimiento (se espera AAAA-MM-DD)"))
        }
        let rfc = Array(text(object["RFC"]).utf8)
        let letters = UInt8(ascii: "A")...UInt8(ascii: "Z")
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        let wellFormed = (10...13).contains(rfc.count) && rfc.allSatisfy { byte in letters.contains(byte) || digits.contains(byte) || byte == UInt8(ascii: "&") }
        if !wellFormed {
            malformed.append(("400.2", "Formato inválido: RFC (10 a 13 letras mayúsculas y dígitos)"))
        }
        if text(object["folioOtorgante"]).count > CirculoRequest.maximumFolioLength {
            malformed.append(("400.2", "Formato inválido: folioOtorgante (máximo \(CirculoRequest.maximumFolioLength) caracteres)"))
        }
        var texts: [(String, String)] = ["apellidoPaterno", "apellidoMaterno", "primerNombre", "segundoNombre"].map { ($0, text(object[$0])) }
        for key in ["direccion", "coloniaPoblacion", "delegacionMunicipio", "ciudad", "estado"] {
            texts.append(("domicilio.\(key)", text(domicilio?[key])))
        }
        for (key, value) in texts where CirculoRequest.clean(value) != value {
            malformed.append(("400.2", "Formato inválido: \(key) (mayúsculas sin acentos ni los caracteres , \\ - / ; : ! ?)"))
        }
        return malformed
    }

    /// A JSON value as text: a string as it is, a number as its digits, anything else empty.
    static func text(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: ""
        }
    }

    static func errors(_ status: Int, _ problems: [(String, String)]) -> (status: Int, body: Data) {
        let list: [[String: Any]] = problems.map { ["codigo": $0.0, "mensaje": $0.1] }
        let data = (try? JSONSerialization.data(withJSONObject: ["errores": list], options: [.sortedKeys])) ?? Data("{}".utf8)
        return (status, data)
    }

    // MARK: Reports

    /// What the sandbox knows about a person: all derived from the SHA-256 of their RFC (upper case), and dated back
    /// from `today`.
    public struct Profile: Sendable, Equatable {
        public struct Account: Sendable, Equatable {
            public let nombreOtorgante: String
            public let cuentaActual: String
            public let tipoCuenta: String
            public let tipoCredito: String
            public let frecuenciaPagos: String
            /// Amounts in whole pesos.
            public let creditoMaximo: Int64
            public let limiteCredito: Int64
            public let saldoActual: Int64
            public let montoPagar: Int64
            public let saldoVencido: Int64
            public let numeroPagosVencidos: Int
            /// `V`, or the MOP (`02`…`04`).
            public let pagoActual: String
            public let historicoPagos: String
            public let peorAtraso: Int
            public let fechaAperturaCuenta: CalendarDate
            public let fechaUltimoPago: CalendarDate
            public let fechaReporte: CalendarDate
        }

        public struct Inquiry: Sendable, Equatable {
            public let fechaConsulta: CalendarDate
            public let nombreOtorgante: String
            public let tipoCredito: String
            public let importeCredito: Int64
        }

        public struct Employer: Sendable, Equatable {
            public let nombreEmpresa: String
            /// Monthly, in whole pesos.
            public let salarioMensual: Int64
        }

        public let score: Int
        public let razones: [String]
        public let accounts: [Account]
        /// Newest first.
        public let inquiries: [Inquiry]
        /// The employer on file, if any.
        public let employer: Employer?
    }

    static let reasonCodes = ["D2", "P9", "K0", "E0", "C3", "B1", "F5", "A7", "G2", "H1"]

    struct AccountKind {
        let otorgante: String
        let tipoCuenta: String
        let tipoCredito: String
        let frecuencia: String
        let minimum: Int64
        let span: Int64
        /// The payment is the balance divided by this.
        let divisor: Int64
    }

    static let accountKinds = [
        AccountKind(otorgante: "BANCO / BC", tipoCuenta: "R", tipoCredito: "TC", frecuencia: "M", minimum: 5_000, span: 145_000, divisor: 20),
        AccountKind(otorgante: "FINANCIERA / SOFOM", tipoCuenta: "I", tipoCredito: "PP", frecuencia: "Q", minimum: 10_000, span: 90_000, divisor: 24),
        AccountKind(otorgante: "AUTOMOTRIZ / AF", tipoCuenta: "I", tipoCredito: "AU", frecuencia: "M", minimum: 120_000, span: 480_000, divisor: 48),
        AccountKind(otorgante: "TIENDA DEPARTAMENTAL / CD", tipoCuenta: "R", tipoCredito: "TC", frecuencia: "M", minimum: 3_000, span: 37_000, divisor: 15),
        AccountKind(otorgante: "MICROFINANCIERA / MF", tipoCuenta: "I", tipoCredito: "PP", frecuencia: "S", minimum: 4_000, span: 26_000, divisor: 16),
        AccountKind(otorgante: "HIPOTECARIA / BC", tipoCuenta: "M", tipoCredito: "HI", frecuencia: "M", minimum: 600_000, span: 2_400_000, divisor: 240),
    ]

    static let inquiryKinds: [(otorgante: String, tipoCredito: String)] = [
        ("BANCO / BC", "TC"), ("FINANCIERA / SOFOM", "PP"), ("AUTOMOTRIZ / AF", "AU"), ("TELEFONIA / TE", "CL"), ("MICROFINANCIERA / MF", "PP"),
    ]

    static let employers = ["COMERCIALIZADORA DEL CENTRO SA DE CV", "SERVICIOS INTEGRALES DEL BAJIO SA DE CV", "GOBIERNO DEL ESTADO", "TRANSPORTES DEL GOLFO SA DE CV"]

    /// The report the sandbox gives the person with `rfc`, as of `today` (Mexico City's date). Bytes of the RFC's
    /// SHA-256, `d`: the score is 450 + (d0·256 + d1) mod 401; the reasons start at d2 mod 10; d3 mod 6 accounts, each
    /// from four bytes from d5 on; d4 mod 7 consultations, each from one byte from d25 on; the employer from d31. A score
    /// under 600 brings payments late now and before; 600–699, at most one late payment in the past.
    public static func profile(rfc: String, today: CalendarDate) -> Profile {
        let d = Array(SHA256.hash(data: Array(rfc.uppercased().utf8))).map { Int($0) }
        let score = 450 + ((d[0] << 8) | d[1]) % 401
        let razones = (0..<4).map { reasonCodes[(d[2] % reasonCodes.count + $0 * 3) % reasonCodes.count] }
        var accounts: [Profile.Account] = []
        for index in 0..<(d[3] % 6) {
            let b = Array(d[(5 + 4 * index)..<(9 + 4 * index)])
            let kind = accountKinds[b[0] % accountKinds.count]
            let maximo = (kind.minimum + Int64((b[1] << 8) | b[2]) % kind.span) / 100 * 100
            let saldo = maximo * Int64(5 + b[3] % 90) / 100
            let pago = max(1, saldo / kind.divisor)
            let limite = kind.tipoCuenta == "R" ? (maximo * 12 / 10 + 999) / 1000 * 1000 : 0
            let current: Int
            let worst: Int
            if score < 600 {
                current = b[3] % 4
                worst = max(current, 1 + b[2] % 4)
            } else if score < 700 {
                current = 0
                worst = b[2] % 3 == 0 ? 1 : 0
            } else {
                current = 0
                worst = 0
            }
            func code(_ late: Int) -> String { late == 0 ? "V" : String(late + 1) }
            let worstMonth = 1 + b[1] % 11
            let history = (0..<12).map { month in month == 0 ? code(current) : month == worstMonth ? code(worst) : "V" }
            let reporte = today.adding(days: -Int64(1 + b[3] % 28))
            let number = String((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3])
            accounts.append(Profile.Account(
                nombreOtorgante: kind.otorgante, cuentaActual: String(repeating: "0", count: max(0, 10 - number.count)) + number, tipoCuenta: kind.tipoCuenta,
                tipoCredito: kind.tipoCredito, frecuenciaPagos: kind.frecuencia, creditoMaximo: maximo, limiteCredito: limite, saldoActual: saldo,
                montoPagar: pago, saldoVencido: pago * Int64(current), numeroPagosVencidos: current,
                pagoActual: current == 0 ? "V" : (current + 1 < 10 ? "0" : "") + String(current + 1), historicoPagos: history.joined(separator: " "),
                peorAtraso: worst, fechaAperturaCuenta: today.adding(days: -Int64(180 + ((b[2] << 4) | (b[3] & 0x0F)))),
                fechaUltimoPago: reporte.adding(days: -Int64(3 + 30 * current)), fechaReporte: reporte
            ))
        }
        var inquiries: [(index: Int, inquiry: Profile.Inquiry)] = []
        for index in 0..<(d[4] % 7) {
            let c = d[25 + index]
            let kind = inquiryKinds[c % inquiryKinds.count]
            inquiries.append((index, Profile.Inquiry(
                fechaConsulta: today.adding(days: -Int64(c * 365 / 256)), nombreOtorgante: kind.otorgante, tipoCredito: kind.tipoCredito,
                importeCredito: Int64(c % 50 + 1) * 1000
            )))
        }
        inquiries.sort { $0.inquiry.fechaConsulta != $1.inquiry.fechaConsulta ? $0.inquiry.fechaConsulta > $1.inquiry.fechaConsulta : $0.index < $1.index }
        let employer: Profile.Employer? =
            d[31] % 3 == 0 ? nil : Profile.Employer(nombreEmpresa: employers[d[31] % employers.count], salarioMensual: Int64(d[31] % 40 + 8) * 1000)
        return Profile(score: score, razones: razones, accounts: accounts, inquiries: inquiries.map(\.inquiry), employer: employer)
    }

    /// The JSON object of a report, in Círculo's shape (amounts as text of whole pesos, the score's value a number).
    static func report(_ request: [String: Any], rfc: String, folio: String, profile: Profile) -> [String: Any] {
        let address = request["domicilio"] as? [String: Any] ?? [:]
        let names = [text(request["primerNombre"]), text(request["segundoNombre"])].filter { !$0.isEmpty }.joined(separator: " ")
        var persona: [String: Any] = [
            "apellidoPaterno": text(request["apellidoPaterno"]), "apellidoMaterno": text(request["apellidoMaterno"]), "nombres": names,
            "fechaNacimiento": text(request["fechaNacimiento"]), "RFC": rfc, "nacionalidad": text(request["nacionalidad"]).isEmpty ? "MX" : text(request["nacionalidad"]),
        ]
        if !text(request["CURP"]).isEmpty { persona["CURP"] = text(request["CURP"]) }
        let creditos: [[String: Any]] = profile.accounts.map { account in
            [
                "fechaActualizacion": account.fechaReporte.text, "nombreOtorgante": account.nombreOtorgante, "cuentaActual": account.cuentaActual,
                "tipoResponsabilidad": "I", "tipoCuenta": account.tipoCuenta, "tipoCredito": account.tipoCredito, "claveUnidadMonetaria": "MX",
                "frecuenciaPagos": account.frecuenciaPagos, "montoPagar": String(account.montoPagar), "fechaAperturaCuenta": account.fechaAperturaCuenta.text,
                "fechaUltimoPago": account.fechaUltimoPago.text, "fechaCierreCuenta": NSNull(), "fechaReporte": account.fechaReporte.text,
                "creditoMaximo": String(account.creditoMaximo), "saldoActual": String(account.saldoActual), "limiteCredito": String(account.limiteCredito),
                "saldoVencido": String(account.saldoVencido), "numeroPagosVencidos": String(account.numeroPagosVencidos), "pagoActual": account.pagoActual,
                "historicoPagos": account.historicoPagos, "peorAtraso": String(account.peorAtraso),
            ]
        }
        let consultas: [[String: Any]] = profile.inquiries.map { inquiry in
            [
                "fechaConsulta": inquiry.fechaConsulta.text, "nombreOtorgante": inquiry.nombreOtorgante, "tipoCredito": inquiry.tipoCredito,
                "claveUnidadMonetaria": "MX", "importeCredito": String(inquiry.importeCredito),
            ]
        }
        // Registered when the oldest account was opened (or the oldest consultation was made).
        var registered: Any = NSNull()
        if let oldest = profile.accounts.map(\.fechaAperturaCuenta).min() ?? profile.inquiries.last?.fechaConsulta { registered = oldest.text }
        let domicilio: [String: Any] = [
            "direccion": text(address["direccion"]), "coloniaPoblacion": text(address["coloniaPoblacion"]),
            "delegacionMunicipio": text(address["delegacionMunicipio"]), "ciudad": text(address["ciudad"]), "estado": text(address["estado"]),
            "CP": text(address["CP"]), "fechaResidencia": NSNull(), "numeroTelefono": NSNull(), "tipoDomicilio": "C",
            "fechaRegistroDomicilio": registered,
        ]
        var empleos: [[String: Any]] = []
        if let employer = profile.employer {
            empleos.append([
                "nombreEmpresa": employer.nombreEmpresa, "puestoEmpleado": "EMPLEADO", "salarioMensual": String(employer.salarioMensual), "claveMonedaSalario": "MX",
                "estado": text(address["estado"]),
            ])
        }
        return [
            "folioConsulta": folio, "folioConsultaOtorgante": text(request["folioOtorgante"]), "claveOtorgante": claveOtorgante,
            "declaracionesConsumidor": "", "persona": persona, "consultas": consultas, "creditos": creditos, "domicilios": [domicilio],
            "empleos": empleos, "scores": [["nombreScore": "FICO", "valor": profile.score, "razones": profile.razones] as [String: Any]],
            "mensajes": [[String: Any]](),
        ]
    }

    // MARK: Page

    func page(prefix: String) -> String {
        var rows = ""
        for query in queries.reversed() {
            rows += "<tr><td>\(SandboxPage.escape(query.folioConsulta ?? "—"))</td><td>\(SandboxPage.escape(query.rfc))</td>"
                + "<td>\(SandboxPage.escape(query.folioOtorgante ?? ""))</td><td>\(query.found ? "Reporte" : "Sin hit (404.1)")</td></tr>"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"4\">Aún no hay consultas.</td></tr>" }
        return """
            <h1>Sandbox de Círculo de Crédito</h1><p>Reporte de Crédito Consolidado con FICO Score en <code>POST \(SandboxPage.escape(prefix))/v2/rccficoscore</code>,
            con las cabeceras <code>x-api-key</code>, <code>username</code>, <code>password</code> y <code>x-signature</code> (ECDSA P-256 con SHA-256 sobre el
            cuerpo). Un RFC que empieza con XAXX o termina en 0 no tiene historial (404.1); cualquier otro recibe siempre el mismo reporte, derivado de
            su RFC: score FICO de 450 a 850, hasta cinco créditos (con atrasos si el score es bajo) y hasta seis consultas en los últimos 12 meses.</p>
            <table><thead><tr><th>Folio de consulta</th><th>RFC</th><th>Folio del otorgante</th><th>Resultado</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
