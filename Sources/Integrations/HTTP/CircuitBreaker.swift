import CarteraCore
import NIOConcurrencyHelpers

/// Stops calling a provider that keeps failing, so that requests fail at once with a clear message instead of each
/// waiting out its timeouts, and lets one request through now and then to see whether it is back.
///
/// Closed: requests pass; `failureThreshold` failures in a row open it. Open: requests are refused until `openFor` has
/// passed, then it is half-open. Half-open: one request passes as a probe; success closes it, failure opens it again.
public final class CircuitBreaker: Sendable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Timestamp)
        case halfOpen
    }

    /// A request refused without calling the provider.
    public struct Open: Error, Sendable, Equatable {
        public let retryAt: Timestamp

        public init(retryAt: Timestamp) { self.retryAt = retryAt }
    }

    private struct Inner: Sendable {
        var state: State = .closed
        var failures = 0
        var probing = false
    }

    public let failureThreshold: Int
    public let openForSeconds: Int64
    private let clock: @Sendable () -> Timestamp
    private let inner = NIOLockedValueBox(Inner())

    public init(failureThreshold: Int = 5, openForSeconds: Int64 = 30, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.failureThreshold = max(1, failureThreshold)
        self.openForSeconds = openForSeconds
        self.clock = clock
    }

    public var state: State { inner.withLockedValue { $0.state } }

    /// Lets a request through, or refuses it while the breaker is open (or a probe is already out).
    public func permit() throws(Open) {
        let now = clock()
        let refusal: Timestamp? = inner.withLockedValue { inner in
            switch inner.state {
            case .closed:
                return nil
            case .open(let until):
                guard now >= until else { return until }
                inner.state = .halfOpen
                inner.probing = true
                return nil
            case .halfOpen:
                if inner.probing { return now.adding(seconds: 1) }
                inner.probing = true
                return nil
            }
        }
        if let refusal { throw Open(retryAt: refusal) }
    }

    /// The provider answered as a working service would (any answer that is not a 5xx or 429).
    public func recordSuccess() {
        inner.withLockedValue { inner in
            inner.state = .closed
            inner.failures = 0
            inner.probing = false
        }
    }

    /// The provider did not answer, or answered 5xx/429.
    public func recordFailure() {
        let now = clock()
        inner.withLockedValue { inner in
            inner.probing = false
            switch inner.state {
            case .halfOpen:
                inner.state = .open(until: now.adding(seconds: openForSeconds))
            case .closed:
                inner.failures += 1
                if inner.failures >= failureThreshold { inner.state = .open(until: now.adding(seconds: openForSeconds)) }
            case .open:
                break
            }
        }
    }
}
