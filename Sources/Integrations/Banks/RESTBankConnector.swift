import CarteraCore
import Foundation
import NIOHTTP1

/// A bank API in the OAuth2 REST shape described in `docs/bank-api.md` (the bank sandbox's):
/// `POST /oauth/token` (client credentials, HTTP Basic), `GET /accounts/{id}/balances`,
/// `GET /accounts/{id}/transactions?from_date&to_date&limit&cursor`, `POST /transfers` (with `Idempotency-Key`) and
/// `POST /account-holder-validations`; amounts as decimal text.
///
/// Tokens come from an `OAuth2TokenCache` shared by every caller of this connector (refreshed before they expire, one
/// request for a token at a time); an API call answered 401 drops that token and is tried once more with a new one.
/// Calls go through a `ResilientHTTPClient`: reads and idempotent transfers are retried with backoff, and the circuit
/// breaker stops calling a bank that keeps failing.
public final class RESTBankConnector: BankAPI {
    public let bankName: String
    let http: ResilientHTTPClient
    let tokens: OAuth2TokenCache
    /// Movements asked for per page.
    let pageSize: Int

    public init(bankName: String, http: ResilientHTTPClient, clientID: String, clientSecret: String, pageSize: Int = 200, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.bankName = bankName
        self.http = http
        self.pageSize = pageSize
        tokens = OAuth2TokenCache(clock: clock) { try await Self.fetchToken(http: http, bank: bankName, clientID: clientID, secret: clientSecret) }
    }

    /// How many tokens were asked for.
    public var tokensFetched: Int { get async { await tokens.fetched } }

    static func fetchToken(http: ResilientHTTPClient, bank: String, clientID: String, secret: String) async throws(BankAPIError) -> (token: String, lifetimeSeconds: Int64) {
        let credentials = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let response = try await send(http, bank: bank, .init(
            method: .POST, path: "/oauth/token",
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array("grant_type=client_credentials".utf8), idempotent: true
        ))
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        if response.status == 401 || JSONFields.text(object, "error") == "invalid_client" { throw .credentialsRejected(bank: bank) }
        guard response.status == 200, let token = JSONFields.text(object, "access_token"), let lifetime = JSONFields.integer(object, "expires_in"), lifetime > 0 else {
            throw .invalidResponse(bank: bank, detail: "HTTP \(response.status) sin token")
        }
        return (token, lifetime)
    }

    static func send(_ http: ResilientHTTPClient, bank: String, _ request: ResilientHTTPClient.Request) async throws(BankAPIError) -> ResilientHTTPClient.Response {
        do {
            return try await http.send(request)
        } catch {
            switch error {
            case .unavailable(let detail), .outcomeUnknown(let detail): throw .unavailable(bank: bank, detail: detail)
            case .circuitOpen(let retryAt): throw .circuitOpen(bank: bank, retryAt: retryAt)
            }
        }
    }

    /// An authorised JSON call: the token, one more try with a new token after a 401, the answer's JSON object.
    func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil, headers: [(String, String)] = [], idempotent: Bool) async throws(BankAPIError) -> (Int, [String: Any]) {
        var bytes: [UInt8]?
        if let body { bytes = Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()) }
        for attempt in 0..<2 {
            let token: String
            do { token = try await tokens.token() } catch {
                throw (error as? BankAPIError) ?? .invalidResponse(bank: bankName, detail: "\(error)")
            }
            var all = headers + [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
            if bytes != nil { all.append(("Content-Type", "application/json")) }
            let response = try await Self.send(http, bank: bankName, .init(method: method, path: path, headers: all, body: bytes, idempotent: idempotent))
            if response.status == 401, attempt == 0 {
                await tokens.invalidate(token)
                continue
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
                throw .invalidResponse(bank: bankName, detail: "HTTP \(response.status) sin JSON")
            }
            guard (200..<300).contains(response.status) else {
                throw .refused(
                    bank: bankName, status: response.status, code: JSONFields.text(object, "error"),
                    detail: JSONFields.text(object, "message") ?? JSONFields.text(object, "error_description") ?? "HTTP \(response.status)"
                )
            }
            return (response.status, object)
        }
        throw .refused(bank: bankName, status: 401, code: "invalid_token", detail: "el banco rechazó un token recién emitido")
    }

    static func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    public func balances(account: String) async throws(BankAPIError) -> BankBalances {
        let (_, object) = try await call(.GET, "/accounts/\(Self.escape(account))/balances", idempotent: true)
        let currency = JSONFields.text(object, "currency") ?? "MXN"
        var booked: Int64?
        var available: Int64?
        var date: CalendarDate?
        for balance in object["balances"] as? [[String: Any]] ?? [] {
            guard let text = JSONFields.text(balance, "amount"), let amount = try? Money(parsing: text) else { continue }
            switch JSONFields.text(balance, "type") {
            case "booked": booked = amount.minorUnits; date = JSONFields.text(balance, "date").flatMap(CalendarDate.init(text:))
            case "available": available = amount.minorUnits
            default: break
            }
        }
        guard let booked else { throw .invalidResponse(bank: bankName, detail: "sin saldo contable") }
        return BankBalances(account: account, currency: currency, booked: booked, available: available, date: date)
    }

    public func movements(account: String, from: CalendarDate, to: CalendarDate, cursor: String?) async throws(BankAPIError) -> BankMovementsPage {
        var path = "/accounts/\(Self.escape(account))/transactions?from_date=\(from.text)&to_date=\(to.text)&limit=\(pageSize)"
        if let cursor { path += "&cursor=\(Self.escape(cursor))" }
        let (_, object) = try await call(.GET, path, idempotent: true)
        guard let items = object["transactions"] as? [[String: Any]] else { throw .invalidResponse(bank: bankName, detail: "sin transactions") }
        var movements: [BankMovement] = []
        for item in items {
            guard let id = JSONFields.text(item, "id"), !id.isEmpty,
                  let date = JSONFields.text(item, "booking_date").flatMap(CalendarDate.init(text:)),
                  let amountText = JSONFields.text(item, "amount"), let amount = try? Money(parsing: amountText), !amount.isNegative,
                  let direction = JSONFields.text(item, "credit_debit"), ["credit", "debit"].contains(direction)
            else {
                throw .invalidResponse(bank: bankName, detail: "movimiento ilegible: \(String(describing: item["id"] ?? "sin id"))")
            }
            let counterparty = item["counterparty"] as? [String: Any] ?? [:]
            movements.append(BankMovement(
                id: id, status: JSONFields.text(item, "status") == "pending" ? .pending : .booked, bookingDate: date,
                valueDate: JSONFields.text(item, "value_date").flatMap(CalendarDate.init(text:)),
                amount: direction == "credit" ? amount.minorUnits : -amount.minorUnits, currency: JSONFields.text(item, "currency") ?? "MXN",
                description: JSONFields.text(item, "description"), reference: JSONFields.text(item, "reference"),
                trackingKey: JSONFields.text(item, "tracking_key"), counterpartyName: JSONFields.text(counterparty, "name"),
                counterpartyAccount: JSONFields.text(counterparty, "account"), remittance: JSONFields.text(item, "remittance")
            ))
        }
        let next = JSONFields.text(object, "next_cursor").flatMap { $0.isEmpty ? nil : $0 }
        return BankMovementsPage(movements: movements, nextCursor: next)
    }

    public func transfer(_ request: BankTransferRequest, idempotencyKey: String) async throws(BankAPIError) -> BankTransfer {
        var body: [String: Any] = [
            "debtor_account": request.fromAccount, "creditor_account": request.toAccount, "creditor_name": request.beneficiaryName,
            "amount": request.amount.decimalText, "currency": request.amount.currency.code, "concept": request.concept,
        ]
        body["reference"] = request.reference
        let (_, object) = try await call(.POST, "/transfers", body: body, headers: [("Idempotency-Key", idempotencyKey)], idempotent: true)
        guard let id = JSONFields.text(object, "id"), let status = JSONFields.text(object, "status") else {
            throw .invalidResponse(bank: bankName, detail: "transferencia sin id")
        }
        return BankTransfer(id: id, status: status, trackingKey: JSONFields.text(object, "tracking_key"))
    }

    public func validateHolder(account: String, name: String?, rfc: String?) async throws(BankAPIError) -> AccountHolderCheck {
        var body: [String: Any] = ["account": account]
        body["name"] = name
        body["rfc"] = rfc
        let (_, object) = try await call(.POST, "/account-holder-validations", body: body, idempotent: true)
        guard let result = JSONFields.text(object, "result").flatMap(AccountHolderCheck.Result.init(rawValue:)) else {
            throw .invalidResponse(bank: bankName, detail: "validación sin resultado")
        }
        return AccountHolderCheck(result: result, holderName: JSONFields.text(object, "holder_name"))
    }
}
