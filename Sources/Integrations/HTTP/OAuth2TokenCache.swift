import CarteraCore

/// OAuth2 client-credentials access tokens for one service, shared by every caller in the process.
///
/// RFC 6749 §4.4.3: a client-credentials grant gives no refresh token, so a new token is asked for with the same
/// credentials. The cache keeps one token and asks for the next one once 80 % of its life has passed (or a minute before
/// it expires, whichever is earlier), so callers never present a token about to die. Only one request for a token is in
/// flight at a time: callers arriving while it runs wait for it (single flight). When the service answers 401 to a token,
/// `invalidate(_:)` drops that token only — a newer one fetched meanwhile by another caller stays.
public actor OAuth2TokenCache {
    /// Asks the service for a token: its value and lifetime in seconds (`expires_in`).
    public typealias Fetch = @Sendable () async throws -> (token: String, lifetimeSeconds: Int64)

    let fetch: Fetch
    let clock: @Sendable () -> Timestamp
    private var current: (token: String, refreshAt: Timestamp)?
    private var fetching: Task<(String, Int64), any Error>?
    /// How many tokens were asked for (for tests and metrics).
    public private(set) var fetched = 0

    public init(clock: @escaping @Sendable () -> Timestamp = { .now }, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.clock = clock
    }

    /// When a token that lives `lifetime` seconds from `issued` should be replaced.
    public static func refreshTime(issued: Timestamp, lifetimeSeconds lifetime: Int64) -> Timestamp {
        let fourFifths = lifetime / 5 * 4 + lifetime % 5 * 4 / 5
        let after = lifetime > 60 ? min(fourFifths, lifetime - 60) : fourFifths
        return issued.adding(seconds: max(0, after))
    }

    /// A token that is not about to expire. Errors are the fetch's own.
    public func token() async throws -> String {
        if let current, clock() < current.refreshAt { return current.token }
        let task: Task<(String, Int64), any Error>
        if let fetching {
            task = fetching
        } else {
            fetched += 1
            let fetch = self.fetch
            task = Task { let answer = try await fetch(); return (answer.token, answer.lifetimeSeconds) }
            fetching = task
        }
        let issued = clock()
        do {
            let (token, lifetime) = try await task.value
            if fetching == task {
                current = (token, Self.refreshTime(issued: issued, lifetimeSeconds: lifetime))
                fetching = nil
            }
            return token
        } catch {
            if fetching == task { fetching = nil }
            throw error
        }
    }

    /// Forgets `token` (the service refused it) unless a newer one already replaced it.
    public func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    /// Forgets whatever token is kept.
    public func invalidate() { current = nil }
}
