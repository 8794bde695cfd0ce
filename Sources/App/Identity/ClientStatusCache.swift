import CarteraCore
import SQLKit
import Store

/// Whether API clients are still active, read from the database at most once every few seconds per client.
///
/// Access tokens are self-contained JWTs, so without this a deactivated client's token would work until it expired;
/// with it, the token stops working within `maximumAgeSeconds` on every app instance, at the cost of one small query
/// per client per interval.
actor ClientStatusCache {
    static let maximumAgeSeconds: Int64 = 5

    private let database: Database
    private let clock: @Sendable () -> Timestamp
    private var known: [String: (active: Bool, checkedAt: Timestamp)] = [:]

    init(database: Database, clock: @escaping @Sendable () -> Timestamp) {
        self.database = database
        self.clock = clock
    }

    func isActive(_ clientID: String) async throws -> Bool {
        let now = clock()
        if let entry = known[clientID], now < entry.checkedAt.adding(seconds: Self.maximumAgeSeconds) { return entry.active }
        let active = try await database.withConnection { db in
            try await db.raw("SELECT active FROM api_clients WHERE id = \(bind: clientID)").first(decodingColumn: "active", as: Bool.self)
        } ?? false
        known[clientID] = (active, now)
        return active
    }
}
