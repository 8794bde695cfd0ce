import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A local STP-style SPEI participant under `/stp`: takes signed orders at `PUT /speiws/rest/ordenPago/registra`
/// (checking the `firma` over the cadena original with the company's public key, the tracking key's uniqueness, the
/// beneficiary CLABE's check digit and bank), answers `{"resultado":{"id":…}}` or `{"resultado":{"id":…,
/// "descripcionError":…}}` as STP does, and then reports each order's fate to the status callback URL: settled
/// (`LIQUIDACION`), or returned (`DEVOLUCION`, cause 1 "Cuenta inexistente") when the beneficiary's account number
/// (digits 7–17 of the CLABE) starts with 999. Deposits (abonos) are sent to the deposit callback URL from its page
/// or `POST /_sandbox/abonos`; a deposit the lender refuses (`{"id": causa, "mensaje": …}`) is recorded as returned.
public final class STPSandbox: Sendable {
    /// The company the sandbox serves and its account.
    public static let empresa = "CARTERA"
    public static let companyAccount = CLABE.make(bankPrefix: "646", plaza: "180", account: "99990000000") ?? ""

    struct Order: Sendable {
        let id: Int
        let trackingKey: String
        let folio: String?
        let amount: Int64
        let beneficiaryAccount: String
        let beneficiaryName: String
        var state: String
        var cause: Int?
    }

    struct Deposit: Sendable {
        let trackingKey: String
        let amount: Int64
        let account: String
        let payer: String
        var answer: String
    }

    private struct State {
        var orders: [Order] = []
        var deposits: [Deposit] = []
        var nextID = 3_100_000
        var nextDeposit = 1
        var answersToLose = 0
    }

    private let state = NIOLockedValueBox(State())
    let publicKeyPEM: @Sendable () -> String?
    let statusURL: (@Sendable () -> String)?
    let depositURL: (@Sendable () -> String)?
    let settleAfter: Duration?
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    /// Trouble on demand for the order API.
    public let faults = SandboxFaults()

    /// - Parameters:
    ///   - publicKeyPEM: the company's public key (STP keeps the company's certificate); nil refuses every order.
    ///   - statusURL, depositURL: where the lender takes status and deposit callbacks; nil sends none.
    ///   - settleAfter: how long after being taken an order is settled or returned; nil leaves it for the page's buttons.
    public init(
        publicKeyPEM: @escaping @Sendable () -> String?, statusURL: (@Sendable () -> String)?, depositURL: (@Sendable () -> String)?,
        settleAfter: Duration? = .seconds(2), http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now }
    ) {
        self.publicKeyPEM = publicKeyPEM
        self.statusURL = statusURL
        self.depositURL = depositURL
        self.settleAfter = settleAfter
        self.http = http
        self.clock = clock
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String) {
        router.put(RouterPath(prefix + "/speiws/rest/ordenPago/registra")) { request, _ -> Response in
            if let trouble = await self.faults.intercept() { return trouble }
            let body = try await request.body.collect(upTo: 64 * 1024)
            let answer = self.register(Array(body.readableBytesView))
            // The order is taken, but its answer never arrives (a network cut after STP acted).
            if self.state.withLockedValue({ state in defer { state.answersToLose = max(0, state.answersToLose - 1) }; return state.answersToLose > 0 }) {
                return Response(status: .gatewayTimeout)
            }
            return Self.json(answer)
        }
        router.get(RouterPath(prefix + "/_sandbox")) { _, _ in SandboxPage.html(self.page(prefix: prefix), title: "Sandbox STP — Cartera") }
        router.post(RouterPath(prefix + "/_sandbox/abonos")) { request, _ -> Response in
            let form = try await SandboxForm.read(request)
            do {
                let key = try await self.sendDeposit(
                    account: form["cuenta"] ?? "", amount: form["monto"] ?? "", payer: form["ordenante"] ?? "PAGADOR SANDBOX",
                    payerAccount: form["cuentaOrdenante"] ?? "012180001234567897", concept: form["concepto"] ?? "PAGO", reference: form["referencia"],
                    trackingKey: form["claveRastreo"]
                )
                return SandboxPage.html("<p>Abono enviado con clave de rastreo <strong>\(SandboxPage.escape(key))</strong>.</p><p><a href=\"\(prefix)/_sandbox\">Volver</a></p>")
            } catch let error as SandboxInputError {
                return SandboxPage.html("<p>\(SandboxPage.escape(error.message))</p>", status: .badRequest)
            }
        }
        router.post(RouterPath(prefix + "/_sandbox/ordenes/:id/:action")) { _, context -> Response in
            guard let id = context.parameters.get("id").flatMap(Int.init), let action = context.parameters.get("action"),
                  ["liquidar", "devolver"].contains(action), await self.settle(id, returned: action == "devolver")
            else {
                return SandboxPage.html("<p>No hay una orden en espera con ese id.</p>", status: .notFound)
            }
            return SandboxPage.html("<p>Orden \(id): aviso enviado.</p><p><a href=\"\(prefix)/_sandbox\">Volver</a></p>")
        }
    }

    /// The settings that point Cartera at this sandbox served at `base` (`keyFile`: the company's private key).
    public static func environment(base: String, keyFile: String) -> [(String, String)] {
        [
            ("CARTERA_STP_API_BASE", base + "/stp/speiws/rest"), ("CARTERA_STP_EMPRESA", empresa), ("CARTERA_STP_ACCOUNT", companyAccount),
            ("CARTERA_STP_NAME", "FINANCIERA SANDBOX"), ("CARTERA_STP_PRIVATE_KEY_FILE", keyFile),
        ]
    }

    /// The next `count` orders are taken but answered 504, as if the answer were lost on the way back.
    public func loseAnswers(_ count: Int) { state.withLockedValue { $0.answersToLose = count } }

    // MARK: Orders

    func register(_ body: [UInt8]) -> [String: any Sendable] {
        func refuse(_ id: Int, _ text: String) -> [String: any Sendable] { ["resultado": ["id": id, "descripcionError": text] as [String: any Sendable]] }
        guard let order = try? JSONDecoder().decode(STPOrder.self, from: Data(body)) else { return refuse(0, "Cuerpo de la orden inválido") }
        guard let pem = publicKeyPEM(), let check = try? STPSignatureCheck(publicKeyPEM: pem), let firma = order.firma,
              check.isValid(firma: firma, for: order.cadenaOriginal)
        else {
            return refuse(0, "Error validando la firma")
        }
        guard order.empresa == Self.empresa else { return refuse(-2, "La empresa \(order.empresa) no existe") }
        guard let amount = order.amountMinorUnits, amount > 0 else { return refuse(-20, "El monto {\(order.monto)} no es válido") }
        guard order.claveRastreo.count <= 29, !order.claveRastreo.isEmpty else { return refuse(-34, "Clave rastreo invalida") }
        guard order.tipoCuentaBeneficiario == 40, CLABE.validate(order.cuentaBeneficiario).isValid else {
            return refuse(-11, "El tipo de cuenta \(order.tipoCuentaBeneficiario) es invalido para la cuenta \(order.cuentaBeneficiario)")
        }
        guard BankCatalog.bundled.participant(forPrefix: order.cuentaBeneficiario.prefix(3))?.speiCode == order.institucionContraparte else {
            return refuse(-22, "La cuenta \(order.cuentaBeneficiario) no coincide para la institucion operante \(order.institucionContraparte)")
        }
        guard order.cuentaBeneficiario != order.cuentaOrdenante else { return refuse(-24, "Cuenta {\(order.cuentaBeneficiario)} - {MISMA_CUENTA}") }
        // A beneficiary STP's anti-money-laundering screen stops (the sandbox's rule: the name says so).
        guard !order.nombreBeneficiario.uppercased().contains("RECHAZO PLD") else { return refuse(-200, "Se rechaza por PLD") }
        let taken: Order? = state.withLockedValue { state in
            guard !state.orders.contains(where: { $0.trackingKey == order.claveRastreo }) else { return nil }
            state.nextID += 1
            let taken = Order(
                id: state.nextID, trackingKey: order.claveRastreo, folio: order.folioOrigen, amount: amount,
                beneficiaryAccount: order.cuentaBeneficiario, beneficiaryName: order.nombreBeneficiario, state: "E"
            )
            state.orders.append(taken)
            return taken
        }
        guard let taken else { return refuse(-1, "La clave de rastreo \(order.claveRastreo) ya fue utilizada") }
        if let settleAfter {
            Task {
                try? await Task.sleep(for: settleAfter)
                _ = await self.settle(taken.id, returned: Self.isReturned(taken.beneficiaryAccount))
            }
        }
        return ["resultado": ["id": taken.id] as [String: any Sendable]]
    }

    /// Accounts whose number (after bank and plaza) starts with 999 do not exist at the receiving bank.
    static func isReturned(_ clabe: String) -> Bool { Array(clabe).count == 18 && String(Array(clabe)[6..<9]) == "999" }

    /// Settles or returns a waiting order and reports it. False when no such order waits.
    func settle(_ id: Int, returned: Bool) async -> Bool {
        let order: Order? = state.withLockedValue { state in
            guard let index = state.orders.firstIndex(where: { $0.id == id && $0.state == "E" }) else { return nil }
            state.orders[index].state = returned ? "D" : "LQ"
            state.orders[index].cause = returned ? 1 : nil
            return state.orders[index]
        }
        guard let order else { return false }
        guard let statusURL else { return true }
        var payload: [String: any Sendable] = [
            "id": order.id, "empresa": Self.empresa, "estado": returned ? "DEVOLUCION" : "LIQUIDACION",
            "tsLiquidacion": clock().millisecondsSince1970,
        ]
        if let folio = order.folio { payload["folioOrigen"] = folio }
        if returned { payload["causaDevolucion"] = 1 }
        let body = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
        _ = await deliver(Array(body), to: statusURL())
        return true
    }

    // MARK: Deposits

    struct DepositBody: Encodable {
        let id: Int
        let fechaOperacion: Int
        let institucionOrdenante: Int
        let institucionBeneficiaria = 90646
        let claveRastreo: String
        let monto: Decimal
        let nombreOrdenante: String
        let tipoCuentaOrdenante = 40
        let cuentaOrdenante: String
        let rfcCurpOrdenante = "ND"
        let nombreBeneficiario: String
        let tipoCuentaBeneficiario = 40
        let cuentaBeneficiario: String
        let rfcCurpBeneficiario = "ND"
        let conceptoPago: String
        let referenciaNumerica: Int
        let empresa = STPSandbox.empresa
        let tipoPago = 1
        let tsLiquidacion: Int64
    }

    /// Sends a deposit to `account` as STP would, and returns its tracking key. The lender's answer is recorded.
    public func sendDeposit(
        account: String, amount: String, payer: String, payerAccount: String, concept: String, reference: String?, trackingKey: String? = nil
    ) async throws -> String {
        guard CLABE.validate(account).isValid else { throw SandboxInputError(message: "La cuenta beneficiaria debe ser una CLABE válida de 18 dígitos.") }
        guard let money = try? Money(parsing: amount), money.isPositive else { throw SandboxInputError(message: "El monto se escribe como 1250.00.") }
        guard let depositURL else { throw SandboxInputError(message: "El sandbox no tiene a dónde enviar abonos.") }
        let number = state.withLockedValue { state in state.nextDeposit += 1; return state.nextDeposit }
        let now = clock()
        let date = now.calendarDate(utcOffsetSeconds: MexicoCityTime.offsetSeconds)
        let key = trackingKey.map { STPText.ascii($0, limit: 30) } ?? "SBX\(date.text.replacingOccurrences(of: "-", with: ""))\(String(format: "%06d", number))"
        let body = DepositBody(
            id: 9_000_000 + number, fechaOperacion: Int(date.text.replacingOccurrences(of: "-", with: "")) ?? 0,
            institucionOrdenante: Int(BankCatalog.bundled.participant(forPrefix: payerAccount.prefix(3))?.speiCode ?? "40012") ?? 40012,
            claveRastreo: key, monto: Decimal(money.minorUnits) / 100, nombreOrdenante: STPText.ascii(payer, limit: 39), cuentaOrdenante: payerAccount,
            nombreBeneficiario: "CARTERA", cuentaBeneficiario: account, conceptoPago: STPText.ascii(concept, limit: 39),
            referenciaNumerica: reference.flatMap { Int($0) } ?? Int(date.text.suffix(2) + date.text.dropFirst(5).prefix(2) + date.text.dropFirst(2).prefix(2)) ?? 1,
            tsLiquidacion: now.millisecondsSince1970
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(body)) ?? Data()
        state.withLockedValue { $0.deposits.append(Deposit(trackingKey: key, amount: money.minorUnits, account: account, payer: payer, answer: "enviado")) }
        let answer = await deliver(Array(data), to: depositURL())
        state.withLockedValue { state in
            if let index = state.deposits.lastIndex(where: { $0.trackingKey == key }) { state.deposits[index].answer = answer }
        }
        return key
    }

    /// How the lender answered the deposit with `trackingKey` (`confirmado`, `devuelto: …`, `sin respuesta`).
    public func answer(toDeposit trackingKey: String) -> String? {
        state.withLockedValue { $0.deposits.last { $0.trackingKey == trackingKey }?.answer }
    }

    /// Posts a callback until the receiver answers (as STP retries), and tells how it answered.
    func deliver(_ body: [UInt8], to url: String) async -> String {
        for attempt in 0..<5 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 << attempt)) }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            guard let response = try? await http.execute(request, timeout: .seconds(10)) else { continue }
            let answer = (try? await response.body.collect(upTo: 16 * 1024)).map { String(buffer: $0) } ?? ""
            if (200..<300).contains(Int(response.status.code)) { return "confirmado" }
            if (400..<500).contains(Int(response.status.code)) { return "devuelto: \(answer.prefix(120))" }
        }
        return "sin respuesta"
    }

    // MARK: Page

    func page(prefix: String) -> String {
        let (orders, deposits) = state.withLockedValue { ($0.orders, $0.deposits) }
        var rows = ""
        for order in orders.reversed() {
            let name = switch order.state { case "LQ": "Liquidada"; case "D": "Devuelta (causa \(order.cause ?? 0))"; default: "Enviada" }
            var actions = ""
            if order.state == "E" {
                for action in ["liquidar", "devolver"] {
                    actions += "<form method=\"post\" action=\"\(prefix)/_sandbox/ordenes/\(order.id)/\(action)\"><button>\(action == "liquidar" ? "Liquidar" : "Devolver")</button></form>"
                }
            }
            rows += "<tr><td>\(order.id)</td><td>\(SandboxPage.escape(order.trackingKey))</td><td>\(SandboxPage.escape(order.beneficiaryName))</td>"
                + "<td>\(SandboxPage.escape(order.beneficiaryAccount))</td><td>\(SandboxPage.pesos(order.amount))</td><td>\(name)</td><td>\(actions)</td></tr>"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"7\">Aún no hay órdenes.</td></tr>" }
        var depositRows = ""
        for deposit in deposits.reversed() {
            depositRows += "<tr><td>\(SandboxPage.escape(deposit.trackingKey))</td><td>\(SandboxPage.escape(deposit.payer))</td><td>\(SandboxPage.escape(deposit.account))</td>"
                + "<td>\(SandboxPage.pesos(deposit.amount))</td><td>\(SandboxPage.escape(deposit.answer))</td></tr>"
        }
        if depositRows.isEmpty { depositRows = "<tr><td colspan=\"5\">Aún no hay abonos.</td></tr>" }
        return """
            <h1>Sandbox STP (SPEI)</h1><p>Órdenes de dispersión recibidas por <code>PUT /speiws/rest/ordenPago/registra</code>. Cada orden se
            liquida sola a los pocos segundos; una CLABE cuyo número de cuenta empieza con 999 se devuelve (causa 1, cuenta inexistente) y un
            beneficiario llamado «RECHAZO PLD» se rechaza al enviarse.</p>
            <table><thead><tr><th>Id</th><th>Clave de rastreo</th><th>Beneficiario</th><th>CLABE</th><th>Monto</th><th>Estado</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <h2>Enviar un abono</h2><form method="post" action="\(prefix)/_sandbox/abonos"><p><label>CLABE destino <input name="cuenta" required></label>
            <label>Monto <input name="monto" required placeholder="1250.00"></label> <label>Ordenante <input name="ordenante" value="PAGADOR SANDBOX"></label>
            <label>Concepto <input name="concepto" value="PAGO CREDITO"></label> <button>Enviar abono</button></p></form>
            <table><thead><tr><th>Clave de rastreo</th><th>Ordenante</th><th>CLABE destino</th><th>Monto</th><th>Respuesta de Cartera</th></tr></thead>
            <tbody>\(depositRows)</tbody></table>
            """
    }

    static func json(_ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Input to a sandbox control that cannot be used, with what to write instead.
struct SandboxInputError: Error {
    let message: String
}

/// A sandbox control's fields: from the query and a urlencoded form body (the faults control and the STP and bank pages).
enum SandboxForm {
    static func read(_ request: Request) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { fields[String(key)] = String(value) }
        let body = String(buffer: try await request.body.collect(upTo: 16 * 1024))
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
