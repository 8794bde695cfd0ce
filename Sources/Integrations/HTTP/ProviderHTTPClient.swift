import AsyncHTTPClient
import CarteraCore
import Foundation
import NIOHTTP1

/// A payment gateway's HTTP calls: a `ResilientHTTPClient` (timeouts, retries, circuit breaker) whose failures are
/// told as `GatewayError`s naming the provider.
public final class ProviderHTTPClient: Sendable {
    public typealias Request = ResilientHTTPClient.Request
    public typealias Response = ResilientHTTPClient.Response

    public let provider: GatewayProvider
    let core: ResilientHTTPClient
    public var baseURL: String { core.baseURL }
    public var breaker: CircuitBreaker { core.breaker }

    public convenience init(
        provider: GatewayProvider, baseURL: String, http: HTTPClient = .shared, policy: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker = CircuitBreaker(), timeout: Duration = .seconds(20)
    ) {
        self.init(provider: provider, resolveBaseURL: { baseURL }, http: http, policy: policy, breaker: breaker, timeout: timeout)
    }

    public init(
        provider: GatewayProvider, resolveBaseURL: @escaping @Sendable () -> String, http: HTTPClient = .shared, policy: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker = CircuitBreaker(), timeout: Duration = .seconds(20)
    ) {
        self.provider = provider
        core = ResilientHTTPClient(resolveBaseURL: resolveBaseURL, http: http, policy: policy, breaker: breaker, timeout: timeout)
    }

    /// Sends `request`, trying again while that is safe and useful. Answers other than 429/5xx, 4xx included, are
    /// returned for the connector to read.
    public func send(_ request: Request) async throws(GatewayError) -> Response {
        do {
            return try await core.send(request)
        } catch {
            switch error {
            case .unavailable(let detail): throw .unavailable(provider: provider, detail: detail)
            case .circuitOpen(let retryAt): throw .circuitOpen(provider: provider, retryAt: retryAt)
            case .outcomeUnknown(let detail): throw .outcomeUnknown(provider: provider, detail: detail)
            }
        }
    }
}
