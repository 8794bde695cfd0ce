import CarteraCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOConcurrencyHelpers
import Sandbox
import Testing

@Suite("Bank API: OAuth2 token cache, paging, retries, circuit breaker, against the bank sandbox")
struct BankAPITests {
    final class Clock: Sendable {
        let now = NIOLockedValueBox(Timestamp(millisecondsSince1970: 1_795_000_000_000))
        func read() -> Timestamp { now.withLockedValue { $0 } }
        func advance(_ seconds: Int64) { now.withLockedValue { $0 = $0.adding(seconds: seconds) } }
    }

    @Test("The token cache: one fetch for concurrent callers, a new one at 80 % of the lifetime, a refused token dropped only if still current")
    func tokenCache() async throws {
        let clock = Clock()
        let counter = NIOLockedValueBox(0)
        let cache = OAuth2TokenCache(clock: { clock.read() }) {
            let n = counter.withLockedValue { $0 += 1; return $0 }
            try await Task.sleep(for: .milliseconds(30))
            return ("t\(n)", 1000)
        }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.token() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(tokens) == ["t1"] && counter.withLockedValue { $0 } == 1)
        clock.advance(799)
        #expect(try await cache.token() == "t1")
        clock.advance(1)  // 800 s of 1,000: replaced before it expires
        #expect(try await cache.token() == "t2")
        await cache.invalidate("t1")  // an older token refused: the current one stays
        #expect(try await cache.token() == "t2" && counter.withLockedValue { $0 } == 2)
        await cache.invalidate("t2")
        #expect(try await cache.token() == "t3")
        #expect(OAuth2TokenCache.refreshTime(issued: Timestamp(millisecondsSince1970: 0), lifetimeSeconds: 3600).millisecondsSince1970 == 2_880_000)
        #expect(OAuth2TokenCache.refreshTime(issued: Timestamp(millisecondsSince1970: 0), lifetimeSeconds: 240).millisecondsSince1970 == 180_000)  // a minute before
        #expect(OAuth2TokenCache.refreshTime(issued: Timestamp(millisecondsSince1970: 0), lifetimeSeconds: 10).millisecondsSince1970 == 8_000)
    }

    static func withSandbox(lifetime: Int64 = 300, clock: Clock, _ body: @escaping @Sendable (BankSandbox, String) async throws -> Void) async throws {
        let sandbox = BankSandbox(tokenLifetime: lifetime, clock: { clock.read() })
        let router = Router()
        sandbox.add(to: router, prefix: "/bank")
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await body(sandbox, "http://127.0.0.1:\(client.port!)/bank")
        }
    }

    static func connector(_ base: String, clock: Clock, secret: String = BankSandbox.clientSecret, pageSize: Int = 200, threshold: Int = 50) -> RESTBankConnector {
        RESTBankConnector(
            bankName: "Banco sandbox",
            http: ResilientHTTPClient(
                resolveBaseURL: { base }, policy: RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20)),
                breaker: CircuitBreaker(failureThreshold: threshold, openForSeconds: 30, clock: { clock.read() }), timeout: .seconds(5)
            ),
            clientID: BankSandbox.clientID, clientSecret: secret, pageSize: pageSize, clock: { clock.read() }
        )
    }

    @Test("Movements page by page, balances, a token that expired at the bank is replaced after one 401, bad credentials are clear")
    func movementsAndTokens() async throws {
        let clock = Clock()
        try await Self.withSandbox(lifetime: 300, clock: clock) { sandbox, base in
            let day = clock.read().calendarDate(utcOffsetSeconds: -6 * 3600)
            for n in 1...7 {
                sandbox.addMovement(amount: .mxn(centavos: Int64(n) * 10_000), date: day, description: "DEPOSITO \(n)", trackingKey: "TK\(n)", counterpartyName: "PAGADOR \(n)")
            }
            sandbox.addMovement(amount: .mxn(centavos: -5_000), date: day, description: "COMISION")
            sandbox.addMovement(amount: .mxn(centavos: 99_999), date: day.adding(days: -10), description: "FUERA DEL RANGO")
            let bank = Self.connector(base, clock: clock, pageSize: 3)
            var movements: [BankMovement] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await bank.movements(account: BankSandbox.lenderAccount, from: day.adding(days: -1), to: day, cursor: cursor)
                movements += page.movements
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil
            #expect(pages == 3 && movements.count == 8)
            #expect(movements.map(\.amount).reduce(0, +) == 280_000 - 5_000)
            #expect(movements[0].trackingKey == "TK1" && movements[0].counterpartyName == "PAGADOR 1" && movements[7].amount == -5_000)
            #expect(await bank.tokensFetched == 1 && sandbox.tokensIssued == 1)
            let balances = try await bank.balances(account: BankSandbox.lenderAccount)
            #expect(balances.booked == 99_999 + 275_000 && balances.currency == "MXN")
            // The bank's clock runs past the token's life while Cartera's does not notice (a revoked token): one 401, one new token.
            sandbox.expireTokens()
            _ = try await bank.balances(account: BankSandbox.lenderAccount)
            #expect(await bank.tokensFetched == 2)
            // Refreshed ahead of expiry, without a 401.
            clock.advance(241)
            _ = try await bank.balances(account: BankSandbox.lenderAccount)
            #expect(await bank.tokensFetched == 3 && sandbox.tokensIssued == 3)
            let wrong = Self.connector(base, clock: clock, secret: "otro")
            await #expect(throws: BankAPIError.credentialsRejected(bank: "Banco sandbox")) { try await wrong.balances(account: BankSandbox.lenderAccount) }
            let missing = await #expect(throws: BankAPIError.self) { try await bank.balances(account: "000000000000000000") }
            #expect(missing?.code == "bank_refused")
        }
    }

    @Test("A bank that fails is retried, then reported down; the circuit breaker stops calling it; transfers repeat safely by idempotency key")
    func failuresAndTransfers() async throws {
        let clock = Clock()
        try await Self.withSandbox(clock: clock) { sandbox, base in
            let day = clock.read().calendarDate(utcOffsetSeconds: -6 * 3600)
            sandbox.addMovement(amount: .mxn(centavos: 1_000_000), date: day, description: "FONDEO")
            let bank = Self.connector(base, clock: clock, threshold: 4)
            _ = try await bank.balances(account: BankSandbox.lenderAccount)
            sandbox.faults.set(.status(503), count: 2)
            #expect(try await bank.balances(account: BankSandbox.lenderAccount).booked == 1_000_000)  // two 503s, then it answers
            sandbox.faults.set(.status(500))
            let down = await #expect(throws: BankAPIError.self) { try await bank.balances(account: BankSandbox.lenderAccount) }
            #expect(down?.code == "bank_unavailable")
            let open = await #expect(throws: BankAPIError.self) { try await bank.balances(account: BankSandbox.lenderAccount) }
            #expect(open?.code == "bank_circuit_open" && open?.message.contains("importe el estado de cuenta en archivo") == true)
            sandbox.faults.clear()
            clock.advance(31)  // half-open: one probe passes and closes it
            #expect(try await bank.balances(account: BankSandbox.lenderAccount).booked == 1_000_000)

            let clabe = CLABE.make(bankPrefix: "012", plaza: "180", account: "00123456789")!
            let request = BankTransferRequest(fromAccount: BankSandbox.lenderAccount, toAccount: clabe, beneficiaryName: "Ana López", amount: .mxn(centavos: 250_000), concept: "DISPOSICION", reference: "ln_1")
            let first = try await bank.transfer(request, idempotencyKey: "k-1")
            let again = try await bank.transfer(request, idempotencyKey: "k-1")
            #expect(first == again && first.status == "accepted" && first.trackingKey != nil)
            #expect(try await bank.balances(account: BankSandbox.lenderAccount).booked == 750_000)  // one transfer, not two
            let poor = await #expect(throws: BankAPIError.self) {
                try await bank.transfer(.init(fromAccount: BankSandbox.lenderAccount, toAccount: clabe, beneficiaryName: "X", amount: .mxn(centavos: 5_000_000), concept: "X", reference: nil), idempotencyKey: "k-2")
            }
            if case .refused(_, 422, "insufficient_funds", _) = poor {} else { Issue.record("\(String(describing: poor))") }

            sandbox.register(holder: "Ana López Pérez", of: clabe)
            #expect(try await bank.validateHolder(account: clabe, name: "ANA LOPEZ PEREZ", rfc: nil) == AccountHolderCheck(result: .match, holderName: "A** L**** P****"))
            #expect(try await bank.validateHolder(account: clabe, name: "Ana Torres", rfc: nil).result == .partialMatch)
            #expect(try await bank.validateHolder(account: clabe, name: "Luis Gómez", rfc: nil).result == .noMatch)
            #expect(try await bank.validateHolder(account: BankSandbox.lenderAccount, name: "X", rfc: nil).result == .accountNotFound)
        }
    }
}
