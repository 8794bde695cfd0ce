import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// A local bank API under `/bank`, in the OAuth2 REST shape `RESTBankConnector` speaks (see `docs/bank-api.md`):
/// client-credentials tokens that expire (`tokenLifetime`), balances, movements paged by an opaque cursor, transfers
/// replayed by `Idempotency-Key`, account-holder checks — and failures on demand (`/_sandbox/faults`). Its page lists the
/// accounts and adds movements (deposits) to them.
public final class BankSandbox: Sendable {
    public static let clientID = "cartera-bank-client"
    public static let clientSecret = "cartera-bank-secret"
    /// The account the sandbox opens for the lender.
    public static let lenderAccount = CLABE.make(bankPrefix: "072", plaza: "180", account: "00987654321") ?? ""

    struct Movement: Sendable {
        let id: String
        var status: String
        let date: CalendarDate
        let amount: Int64
        let description: String
        let reference: String?
        let trackingKey: String?
        let counterpartyName: String?
        let counterpartyAccount: String?
    }

    private struct State {
        var tokens: [String: Timestamp] = [:]
        var issued = 0
        var movements: [String: [Movement]] = [:]
        var holders: [String: String] = [:]
        var transfers: [String: (id: String, body: String, answer: [String: any Sendable])] = [:]
        var next = 1
    }

    private let state = NIOLockedValueBox(State())
    let clock: @Sendable () -> Timestamp
    let tokenLifetime: Int64
    public let faults = SandboxFaults()

    public init(tokenLifetime: Int64 = 300, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.tokenLifetime = tokenLifetime
        self.clock = clock
        state.withLockedValue { $0.movements[Self.lenderAccount] = [] }
    }

    /// The settings that point Cartera at this sandbox served at `base`.
    public static func environment(base: String) -> [(String, String)] {
        [("CARTERA_BANK_API_BASE", base + "/bank"), ("CARTERA_BANK_CLIENT_ID", clientID), ("CARTERA_BANK_CLIENT_SECRET", clientSecret), ("CARTERA_BANK_NAME", "Banco sandbox")]
    }

    /// How many tokens were issued.
    public var tokensIssued: Int { state.withLockedValue { $0.issued } }

    /// Revokes every token issued (as a bank does on a key rotation): the next call with one is answered 401.
    public func expireTokens() { state.withLockedValue { $0.tokens.removeAll() } }

    /// Registers who holds `account` (for account-holder checks).
    public func register(holder: String, of account: String) { state.withLockedValue { $0.holders[account] = holder } }

    /// Adds a movement to `account` (positive money in) and returns its id.
    @discardableResult
    public func addMovement(
        account: String = lenderAccount, amount: Money, date: CalendarDate, description: String, reference: String? = nil, trackingKey: String? = nil,
        counterpartyName: String? = nil, counterpartyAccount: String? = nil, pending: Bool = false
    ) -> String {
        state.withLockedValue { state in
            state.next += 1
            let id = "mov_\(String(format: "%08d", state.next))"
            state.movements[account, default: []].append(Movement(
                id: id, status: pending ? "pending" : "booked", date: date, amount: amount.minorUnits, description: description, reference: reference,
                trackingKey: trackingKey, counterpartyName: counterpartyName, counterpartyAccount: counterpartyAccount
            ))
            return id
        }
    }

    /// Books a pending movement.
    public func book(_ id: String) {
        state.withLockedValue { state in
            for (account, list) in state.movements {
                if let index = list.firstIndex(where: { $0.id == id }) { state.movements[account]![index].status = "booked" }
            }
        }
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String) {
        router.post(RouterPath(prefix + "/oauth/token")) { request, _ -> Response in
            if let trouble = await self.faults.intercept() { return trouble }
            let expected = "Basic " + Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
            let form = String(buffer: try await request.body.collect(upTo: 4096))
            guard request.headers[.authorization] == expected else { return Self.json(401, ["error": "invalid_client", "error_description": "credenciales inválidas"]) }
            guard form.contains("grant_type=client_credentials") else { return Self.json(400, ["error": "unsupported_grant_type"]) }
            let token = "bkt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let expires = self.clock().adding(seconds: self.tokenLifetime)
            self.state.withLockedValue { $0.tokens[token] = expires; $0.issued += 1 }
            return Self.json(200, ["access_token": token, "token_type": "Bearer", "expires_in": self.tokenLifetime])
        }
        router.get(RouterPath(prefix + "/accounts/:account/balances")) { request, context -> Response in
            if let refusal = await self.check(request) { return refusal }
            guard let account = context.parameters.get("account"), let list = self.state.withLockedValue({ $0.movements[account] }) else {
                return Self.json(404, ["error": "account_not_found", "message": "La cuenta no existe."])
            }
            let booked = list.filter { $0.status == "booked" }.reduce(Int64(0)) { $0 + $1.amount }
            let today = self.clock().calendarDate(utcOffsetSeconds: -6 * 3600).text
            return Self.json(200, [
                "account": account, "currency": "MXN",
                "balances": [["type": "booked", "amount": Self.decimal(booked), "date": today], ["type": "available", "amount": Self.decimal(booked), "date": today]]
                    as [[String: any Sendable]],
            ])
        }
        router.get(RouterPath(prefix + "/accounts/:account/transactions")) { request, context -> Response in
            if let refusal = await self.check(request) { return refusal }
            guard let account = context.parameters.get("account"), let list = self.state.withLockedValue({ $0.movements[account] }) else {
                return Self.json(404, ["error": "account_not_found", "message": "La cuenta no existe."])
            }
            let query = request.uri.queryParameters
            guard let from = query["from_date"].flatMap({ CalendarDate(text: String($0)) }), let to = query["to_date"].flatMap({ CalendarDate(text: String($0)) }), from <= to else {
                return Self.json(400, ["error": "invalid_dates", "message": "from_date y to_date (AAAA-MM-DD) son obligatorias."])
            }
            let limit = min(max(query["limit"].flatMap { Int(String($0)) } ?? 50, 1), 500)
            let offset = query["cursor"].flatMap { Data(base64Encoded: String($0)) }.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            let chosen = list.filter { $0.date >= from && $0.date <= to }
            let page = chosen.dropFirst(offset).prefix(limit)
            var items: [[String: any Sendable]] = []
            for movement in page {
                var item: [String: any Sendable] = [
                    "id": movement.id, "status": movement.status, "booking_date": movement.date.text, "value_date": movement.date.text,
                    "amount": Self.decimal(abs(movement.amount)), "currency": "MXN", "credit_debit": movement.amount >= 0 ? "credit" : "debit",
                    "description": movement.description,
                ]
                item["reference"] = movement.reference
                item["tracking_key"] = movement.trackingKey
                var counterparty: [String: any Sendable] = [:]
                counterparty["name"] = movement.counterpartyName
                counterparty["account"] = movement.counterpartyAccount
                if !counterparty.isEmpty { item["counterparty"] = counterparty }
                items.append(item)
            }
            var answer: [String: any Sendable] = ["transactions": items]
            if offset + page.count < chosen.count { answer["next_cursor"] = Data(String(offset + page.count).utf8).base64EncodedString() }
            return Self.json(200, answer)
        }
        router.post(RouterPath(prefix + "/transfers")) { request, _ -> Response in
            if let refusal = await self.check(request) { return refusal }
            guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else {
                return Self.json(400, ["error": "idempotency_key_required", "message": "Falta Idempotency-Key."])
            }
            let body = String(buffer: try await request.body.collect(upTo: 16 * 1024))
            return self.transfer(body, key: key)
        }
        router.post(RouterPath(prefix + "/account-holder-validations")) { request, _ -> Response in
            if let refusal = await self.check(request) { return refusal }
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any], let account = object["account"] as? String else {
                return Self.json(400, ["error": "invalid_request", "message": "Falta account."])
            }
            guard let holder = self.state.withLockedValue({ $0.holders[account] }) else { return Self.json(200, ["account": account, "result": "account_not_found"]) }
            let fold = { (text: String) in text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased().split(separator: " ").map(String.init) }
            let given = fold(object["name"] as? String ?? "")
            let known = fold(holder)
            let result = given == known ? "match" : (!Set(given).intersection(known).isEmpty ? "partial_match" : "no_match")
            let masked = known.map { String($0.prefix(1)) + String(repeating: "*", count: max(0, $0.count - 1)) }.joined(separator: " ")
            return Self.json(200, ["account": account, "result": result, "holder_name": masked])
        }
        faults.add(to: router, path: prefix + "/_sandbox/faults")
        router.get(RouterPath(prefix + "/_sandbox")) { _, _ in SandboxPage.html(self.page(prefix: prefix), title: "Sandbox bancario — Cartera") }
        router.post(RouterPath(prefix + "/_sandbox/movimientos")) { request, _ -> Response in
            let form = try await SandboxForm.read(request)
            guard let amount = form["monto"].flatMap({ try? Money(parsing: $0) }), !amount.isZero else {
                return SandboxPage.html("<p>El monto se escribe como 1250.00 (negativo para un cargo).</p>", status: .badRequest)
            }
            let id = self.addMovement(
                account: form["cuenta"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.lenderAccount, amount: amount,
                date: self.clock().calendarDate(utcOffsetSeconds: -6 * 3600), description: form["concepto"] ?? "DEPOSITO",
                reference: form["referencia"].flatMap { $0.isEmpty ? nil : $0 }, counterpartyName: form["ordenante"], counterpartyAccount: form["cuentaOrdenante"]
            )
            return SandboxPage.html("<p>Movimiento \(id) agregado.</p><p><a href=\"\(prefix)/_sandbox\">Volver</a></p>")
        }
    }

    /// A refusal for a call without a live token (or with trouble on demand), nil to let it through.
    func check(_ request: Request) async -> Response? {
        if let trouble = await faults.intercept() { return trouble }
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer ") else { return Self.json(401, ["error": "invalid_token", "message": "Falta el token."]) }
        let token = String(header.dropFirst(7))
        let now = clock()
        guard let expires = state.withLockedValue({ $0.tokens[token] }), now < expires else {
            return Self.json(401, ["error": "invalid_token", "message": "El token expiró o no existe."])
        }
        return nil
    }

    func transfer(_ body: String, key: String) -> Response {
        if let known = state.withLockedValue({ $0.transfers[key] }) {
            guard known.body == body else { return Self.json(422, ["error": "idempotency_key_reused", "message": "La Idempotency-Key ya se usó con otra solicitud."]) }
            return Self.json(201, known.answer)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
              let from = object["debtor_account"] as? String, let to = object["creditor_account"] as? String,
              let amount = (object["amount"] as? String).flatMap({ try? Money(parsing: $0) }), amount.isPositive
        else {
            return Self.json(400, ["error": "invalid_request", "message": "debtor_account, creditor_account y amount son obligatorios."])
        }
        guard CLABE.validate(to).isValid else { return Self.json(422, ["error": "invalid_account", "message": "La CLABE del beneficiario no es válida."]) }
        let answer: [String: any Sendable]? = state.withLockedValue { state in
            guard let list = state.movements[from] else { return nil }
            let balance = list.filter { $0.status == "booked" }.reduce(Int64(0)) { $0 + $1.amount }
            guard balance >= amount.minorUnits else { return ["error": "insufficient_funds"] }
            state.next += 1
            let id = "trf_\(String(format: "%08d", state.next))"
            let tracking = "BNK\(String(format: "%010d", state.next))"
            state.movements[from, default: []].append(Movement(
                id: "mov_\(String(format: "%08d", state.next))", status: "booked", date: clock().calendarDate(utcOffsetSeconds: -6 * 3600), amount: -amount.minorUnits,
                description: "SPEI ENVIADO \(object["concept"] as? String ?? "")", reference: object["reference"] as? String, trackingKey: tracking,
                counterpartyName: object["creditor_name"] as? String, counterpartyAccount: to
            ))
            let answer: [String: any Sendable] = ["id": id, "status": "accepted", "tracking_key": tracking]
            state.transfers[key] = (id, body, answer)
            return answer
        }
        guard let answer else { return Self.json(404, ["error": "account_not_found", "message": "La cuenta de cargo no existe."]) }
        if answer["error"] != nil { return Self.json(422, ["error": "insufficient_funds", "message": "Saldo insuficiente."]) }
        return Self.json(201, answer)
    }

    func page(prefix: String) -> String {
        let movements = state.withLockedValue { $0.movements }
        var rows = ""
        for (account, list) in movements.sorted(by: { $0.key < $1.key }) {
            for movement in list.reversed() {
                rows += "<tr><td>\(SandboxPage.escape(account))</td><td>\(movement.id)</td><td>\(movement.date.text)</td><td>\(SandboxPage.escape(movement.description))</td>"
                    + "<td>\(SandboxPage.pesos(movement.amount))</td><td>\(movement.status == "booked" ? "Registrado" : "Pendiente")</td></tr>"
            }
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">Aún no hay movimientos.</td></tr>" }
        return """
            <h1>Sandbox bancario</h1><p>API bancaria con OAuth2 (client credentials, tokens que expiran), saldos, movimientos paginados, transferencias
            con Idempotency-Key y validación del titular. Cuenta de la financiera: <strong>\(Self.lenderAccount)</strong>.</p>
            <form method="post" action="\(prefix)/_sandbox/movimientos"><p><label>Monto <input name="monto" required placeholder="1250.00"></label>
            <label>Concepto <input name="concepto" value="DEPOSITO SPEI"></label> <label>Referencia <input name="referencia"></label>
            <label>Ordenante <input name="ordenante"></label> <button>Agregar movimiento</button></p></form>
            <table><thead><tr><th>Cuenta</th><th>Movimiento</th><th>Fecha</th><th>Concepto</th><th>Monto</th><th>Estado</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func decimal(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: .mxn).decimalText }

    static func json(_ status: Int, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
