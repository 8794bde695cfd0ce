import CarteraCore
import CarteraTestSupport
import Foundation
import Integrations
import NIOConcurrencyHelpers
import Testing

@Suite("Provider calls: retries and circuit breaker")
struct ResilienceTests {
    @Test func onlyOutcomesThatSayNothingAboutTheRequestAreRetried() {
        #expect(RetryPolicy.isRetryable(status: nil))
        #expect(RetryPolicy.isRetryable(status: 429))
        #expect([500, 502, 503, 504].allSatisfy { RetryPolicy.isRetryable(status: $0) })
        // A declined card (402), a bad request, a wrong key or a conflict is final.
        #expect(![200, 201, 400, 401, 402, 403, 404, 409, 422].contains { RetryPolicy.isRetryable(status: $0) })
    }

    @Test func waitsGrowExponentiallyWithJitterWithinTheBoundsAndStopAfterTheLastAttempt() {
        let policy = RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(250), maximumDelay: .seconds(8))
        var random = SeededRandom(seed: 3)
        for _ in 0..<500 {
            #expect(policy.delay(beforeAttempt: 2, using: &random)! <= .milliseconds(250))
            #expect(policy.delay(beforeAttempt: 3, using: &random)! <= .milliseconds(500))
            #expect(policy.delay(beforeAttempt: 4, using: &random)! <= .milliseconds(1000))
        }
        // Full jitter: the waits spread over the whole range rather than bunching at the bound.
        let waits = (0..<1000).map { _ in policy.delay(beforeAttempt: 4, using: &random)! }
        #expect(waits.contains { $0 < .milliseconds(200) } && waits.contains { $0 > .milliseconds(800) })
        #expect(policy.delay(beforeAttempt: 5, using: &random) == nil)
        #expect(policy.delay(beforeAttempt: 1, using: &random) == nil)
        #expect(RetryPolicy.never.delay(beforeAttempt: 2, using: &random) == nil)
        // Retry-After is honoured when longer, up to the maximum.
        #expect(policy.delay(beforeAttempt: 2, retryAfter: .seconds(3), using: &random) == .seconds(3))
        #expect(policy.delay(beforeAttempt: 2, retryAfter: .seconds(60), using: &random) == .seconds(8))
        // Large attempt numbers do not overflow the exponential bound.
        #expect(RetryPolicy(maximumAttempts: 100).delay(beforeAttempt: 99, using: &random)! <= .seconds(8))
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_795_762_800)
        #expect(RetryPolicy.retryAfter("120", now: now) == .seconds(120))
        #expect(RetryPolicy.retryAfter(" 0 ", now: now) == .seconds(0))
        // 1_795_762_800 is Fri, 27 Nov 2026 07:00:00 GMT.
        #expect(RetryPolicy.retryAfter("Fri, 27 Nov 2026 07:00:30 GMT", now: now) == .milliseconds(30_000))
        #expect(RetryPolicy.retryAfter("Fri, 27 Nov 2026 06:00:00 GMT", now: now) == .seconds(0))
        #expect(RetryPolicy.retryAfter("pronto", now: now) == nil)
        #expect(RetryPolicy.retryAfter(nil, now: now) == nil)
        #expect(RetryPolicy.retryAfter("-5", now: now) == nil)
    }

    @Test func theBreakerOpensAfterFailuresInARowProbesOnceAndClosesOnSuccess() throws {
        let clock = NIOLockedValueBox(Timestamp(millisecondsSince1970: 1_795_762_800_000))
        let breaker = CircuitBreaker(failureThreshold: 3, openForSeconds: 30, clock: { clock.withLockedValue { $0 } })
        try breaker.permit()
        breaker.recordFailure()
        breaker.recordFailure()
        breaker.recordSuccess()  // a success in between starts the count again
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
        breaker.recordFailure()
        let reopensAt = Timestamp(millisecondsSince1970: 1_795_762_830_000)
        #expect(breaker.state == .open(until: reopensAt))
        #expect(throws: CircuitBreaker.Open(retryAt: reopensAt)) { try breaker.permit() }
        // After the pause one probe goes out; others wait for it.
        clock.withLockedValue { $0 = $0.adding(seconds: 30) }
        try breaker.permit()
        #expect(breaker.state == .halfOpen)
        #expect(throws: CircuitBreaker.Open.self) { try breaker.permit() }
        // A failed probe opens it again for another pause; a successful one closes it.
        breaker.recordFailure()
        #expect(breaker.state == .open(until: reopensAt.adding(seconds: 30)))
        clock.withLockedValue { $0 = $0.adding(seconds: 31) }
        try breaker.permit()
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        try breaker.permit()
        try breaker.permit()
    }
}
