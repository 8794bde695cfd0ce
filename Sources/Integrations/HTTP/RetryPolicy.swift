import Foundation

/// When a request to a provider is tried again, and after how long.
///
/// Only outcomes that say nothing about the request itself are retried: a network error (no answer), 429 (too many
/// requests) and 5xx. A 4xx answer — a declined card, a bad request, a wrong key — is final. Waits grow exponentially
/// with full jitter (a random wait between zero and the exponential bound, so that many clients retrying together
/// spread out), and a provider's `Retry-After` is honoured when it asks for longer, up to `maximumDelay`.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included.
    public var maximumAttempts: Int
    public var baseDelay: Duration
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 4, baseDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(8)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// No retries.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// Whether an outcome may be retried: `status` nil means the request got no answer.
    public static func isRetryable(status: Int?) -> Bool {
        guard let status else { return true }
        return status == 429 || (500...599).contains(status)
    }

    /// The wait before try number `attempt` (2 for the first retry), or nil when no try is left.
    public func delay(beforeAttempt attempt: Int, retryAfter: Duration? = nil, using random: inout some RandomNumberGenerator) -> Duration? {
        guard attempt >= 2, attempt <= maximumAttempts else { return nil }
        let exponent = min(attempt - 2, 20)
        let bound = min(baseDelay * (1 << exponent), maximumDelay)
        let boundMilliseconds = max(1, Int64(bound.components.seconds * 1000 + bound.components.attoseconds / 1_000_000_000_000_000))
        var wait = Duration.milliseconds(Int64.random(in: 0...boundMilliseconds, using: &random))
        if let retryAfter, retryAfter > wait { wait = retryAfter }
        return min(wait, maximumDelay)
    }

    /// A `Retry-After` header: seconds, or an HTTP date (RFC 9110).
    public static func retryAfter(_ header: String?, now: Date) -> Duration? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Int64(header) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        let milliseconds = Int64((date.timeIntervalSince(now) * 1000).rounded())
        return .milliseconds(max(0, milliseconds))
    }
}
