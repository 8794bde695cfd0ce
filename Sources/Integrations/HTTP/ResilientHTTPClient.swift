import AsyncHTTPClient
import CarteraCore
import Foundation
import NIOCore
import NIOHTTP1

/// An outside service's HTTP calls, made resilient: a timeout per try, retries by `RetryPolicy` (only for answers
/// that say nothing about the request: no answer, 429, 5xx), and the service's `CircuitBreaker`.
///
/// A request marked not idempotent is never repeated after a try that may have reached the service: the caller gets
/// `outcomeUnknown` and asks the service later. Payment gateways (`ProviderHTTPClient`), SPEI participants and banks
/// all call out through one of these.
public final class ResilientHTTPClient: Sendable {
    public struct Request: Sendable {
        public var method: HTTPMethod
        /// Appended to the base URL: `/v1/payment_intents`.
        public var path: String
        public var headers: [(String, String)]
        public var body: [UInt8]?
        /// Whether repeating it cannot do anything twice: a read, or a write with an idempotency key the service honours.
        public var idempotent: Bool

        public init(method: HTTPMethod, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, idempotent: Bool) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
            self.idempotent = idempotent
        }
    }

    public struct Response: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]

        public init(status: Int, headers: [(String, String)], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The value of header `name`, whatever its case.
        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    /// Why a call did not get an answer worth reading.
    public enum Failure: Error, Sendable, Equatable {
        /// No good answer after every try (network errors, 5xx, 429): nothing was done.
        case unavailable(detail: String)
        /// The service failed so often lately that calls are refused until `retryAt`.
        case circuitOpen(retryAt: Timestamp)
        /// A request that cannot safely be repeated got no answer: it may or may not have been done.
        case outcomeUnknown(detail: String)
    }

    /// Where the service is (read on each request, so a sandbox served by the same process can be found once it listens).
    let resolveBaseURL: @Sendable () -> String
    public var baseURL: String {
        let url = resolveBaseURL()
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }
    public let breaker: CircuitBreaker
    let policy: RetryPolicy
    let timeout: Duration
    let http: HTTPClient
    /// Largest answer read, in bytes.
    static let maximumBody = 4 * 1024 * 1024

    public init(
        resolveBaseURL: @escaping @Sendable () -> String, http: HTTPClient = .shared, policy: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker = CircuitBreaker(), timeout: Duration = .seconds(20)
    ) {
        self.resolveBaseURL = resolveBaseURL
        self.http = http
        self.policy = policy
        self.breaker = breaker
        self.timeout = timeout
    }

    /// Sends `request`, trying again while that is safe and useful. Answers other than 429/5xx, 4xx included, are
    /// returned for the caller to read.
    public func send(_ request: Request) async throws(Failure) -> Response {
        var random = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            do {
                try breaker.permit()
            } catch {
                throw .circuitOpen(retryAt: error.retryAt)
            }
            var failure = ""
            var retryAfter: Duration?
            do {
                let response = try await execute(request)
                guard RetryPolicy.isRetryable(status: response.status) else {
                    breaker.recordSuccess()
                    return response
                }
                breaker.recordFailure()
                failure = "HTTP \(response.status)"
                retryAfter = RetryPolicy.retryAfter(response.header("Retry-After"), now: Date())
                // A 5xx may come after the service acted; only 429 says the request was not taken.
                if !request.idempotent && response.status != 429 {
                    throw Failure.outcomeUnknown(detail: failure)
                }
            } catch let error as Failure {
                throw error
            } catch {
                breaker.recordFailure()
                if !request.idempotent { throw .outcomeUnknown(detail: Self.describe(error)) }
                failure = Self.describe(error)
            }
            attempt += 1
            guard let wait = policy.delay(beforeAttempt: attempt, retryAfter: retryAfter, using: &random) else {
                throw .unavailable(detail: "\(failure) tras \(attempt - 1) intentos")
            }
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw .unavailable(detail: "\(failure); se canceló la espera para reintentar")
            }
        }
    }

    private func execute(_ request: Request) async throws -> Response {
        var outgoing = HTTPClientRequest(url: baseURL + request.path)
        outgoing.method = request.method
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = timeout.components.seconds
        let response = try await http.execute(outgoing, timeout: .seconds(max(1, seconds)))
        let body = try await response.body.collect(upTo: Self.maximumBody)
        return Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(body.readableBytesView))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "sin respuesta (\(error))" }
        return "sin respuesta (\(String(describing: error).prefix(120)))"
    }
}
