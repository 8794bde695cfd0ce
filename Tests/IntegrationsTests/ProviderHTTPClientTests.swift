import CarteraCore
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOConcurrencyHelpers
import NIOHTTP1
import Testing

/// The resilient client against a real local HTTP server that fails on purpose.
@Suite("Provider calls over HTTP")
struct ProviderHTTPClientTests {
    /// A server whose `/flaky/N` answers 503 N times then 200, `/limited` 429 once (Retry-After: 0) then 200,
    /// `/declined` 402, `/down` always 500, and `/slow` answers after 3 s. `hits` counts calls per path.
    static func withServer(_ body: @escaping @Sendable (Int, NIOLockedValueBox<[String: Int]>) async throws -> Void) async throws {
        let hits = NIOLockedValueBox<[String: Int]>([:])
        let router = Router()
        @Sendable func count(_ path: String) -> Int { hits.withLockedValue { $0[path, default: 0] += 1; return $0[path]! } }
        router.post("/flaky/:n") { _, context -> Response in
            let n = Int(context.parameters.get("n") ?? "0") ?? 0
            let hit = count("flaky")
            return Response(status: hit <= n ? .serviceUnavailable : .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"hit\":\(hit)}")))
        }
        router.post("/limited") { _, _ -> Response in
            count("limited") == 1 ? Response(status: .tooManyRequests, headers: [.retryAfter: "0"]) : Response(status: .ok)
        }
        router.post("/declined") { _, _ -> Response in
            _ = count("declined")
            return Response(status: .init(code: 402), body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"card_declined"}}"#)))
        }
        router.post("/down") { _, _ -> Response in
            _ = count("down")
            return Response(status: .internalServerError)
        }
        router.get("/slow") { _, _ -> Response in
            _ = count("slow")
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(client.port!, hits)
        }
    }

    static func client(_ port: Int, attempts: Int = 4, threshold: Int = 10, timeout: Duration = .seconds(5)) -> ProviderHTTPClient {
        ProviderHTTPClient(
            provider: .stripe, baseURL: "http://127.0.0.1:\(port)", policy: RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(50)),
            breaker: CircuitBreaker(failureThreshold: threshold, openForSeconds: 30), timeout: timeout
        )
    }

    @Test func retriesServerErrorsAndRateLimitsOnlyWhenRepeatingIsSafe() async throws {
        try await Self.withServer { port, hits in
            let client = Self.client(port)
            let answer = try await client.send(.init(method: .POST, path: "/flaky/2", idempotent: true))
            #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self) == #"{"hit":3}"#)
            #expect(try await client.send(.init(method: .POST, path: "/limited", idempotent: false)).status == 200)  // 429: not taken, safe to repeat
            #expect(hits.withLockedValue { $0 } == ["flaky": 3, "limited": 2])
            // A 5xx to a charge that cannot be repeated safely: the outcome is unknown, and it is not sent again.
            await #expect(throws: GatewayError.outcomeUnknown(provider: .stripe, detail: "HTTP 503")) {
                try await Self.client(port).send(.init(method: .POST, path: "/flaky/5", idempotent: false))
            }
            #expect(hits.withLockedValue { $0["flaky"] } == 4)
        }
    }

    @Test func aRefusalIsReturnedAtOnceAndRetriesStopAfterTheLastAttempt() async throws {
        try await Self.withServer { port, hits in
            let declined = try await Self.client(port).send(.init(method: .POST, path: "/declined", idempotent: true))
            #expect(declined.status == 402 && hits.withLockedValue { $0["declined"] } == 1)
            await #expect(throws: GatewayError.unavailable(provider: .stripe, detail: "HTTP 500 tras 3 intentos")) {
                try await Self.client(port, attempts: 3).send(.init(method: .POST, path: "/down", idempotent: true))
            }
            #expect(hits.withLockedValue { $0["down"] } == 3)
        }
    }

    @Test func theBreakerOpensAndStopsCallingAFailingProvider() async throws {
        try await Self.withServer { port, hits in
            let client = Self.client(port, attempts: 2, threshold: 4)
            for _ in 0..<2 {
                await #expect(throws: GatewayError.self) { try await client.send(.init(method: .POST, path: "/down", idempotent: true)) }
            }
            #expect(hits.withLockedValue { $0["down"] } == 4)
            let refused = await #expect(throws: GatewayError.self) { try await client.send(.init(method: .POST, path: "/down", idempotent: true)) }
            #expect(refused?.code == "gateway_circuit_open")
            #expect(hits.withLockedValue { $0["down"] } == 4)  // not called while open
        }
    }

    @Test func aTryThatTakesTooLongCountsAsNoAnswer() async throws {
        try await Self.withServer { port, hits in
            let client = Self.client(port, attempts: 2, timeout: .seconds(1))
            let error = await #expect(throws: GatewayError.self) { try await client.send(.init(method: .GET, path: "/slow", idempotent: true)) }
            #expect(error?.code == "gateway_unavailable")
            // Both tries were made; under load the second may time out before the server has even counted it.
            if case .unavailable(_, let detail) = error { #expect(detail.hasSuffix("tras 2 intentos")) } else { Issue.record("not unavailable: \(String(describing: error))") }
            #expect((1...2).contains(hits.withLockedValue { $0["slow"] ?? 0 }))
        }
    }
}
