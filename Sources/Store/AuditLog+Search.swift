import CarteraCore
import CarteraSecurity
import SQLKit

extension AuditLog {
    /// Filters for reading the log; every field is optional and they combine with AND.
    public struct Filter: Sendable, Equatable {
        /// Entries at or after this instant.
        public var from: Timestamp?
        /// Entries before this instant.
        public var until: Timestamp?
        /// Entries whose actor id is one of these (a user's id and name, say).
        public var actorIDs: [String]
        /// Entries whose action is this one or starts with it followed by a dot (`auth` matches `auth.login`).
        public var action: String?
        public var outcome: AuditEntry.Outcome?
        /// Entries with a sequence below this (the next page of a newest-first listing).
        public var before: Int64?
        /// Actions left out, each as `action` is matched (itself, or as a prefix followed by a dot).
        public var excludedActions: [String] = []

        public init(from: Timestamp? = nil, until: Timestamp? = nil, actorIDs: [String] = [], action: String? = nil,
                    outcome: AuditEntry.Outcome? = nil, before: Int64? = nil) {
            self.from = from
            self.until = until
            self.actorIDs = actorIDs
            self.action = action
            self.outcome = outcome
            self.before = before
        }
    }

    /// Up to `limit` entries matching `filter`, newest first.
    public static func search(_ filter: Filter, limit: Int, on db: any SQLDatabase) async throws -> [AuditEntry] {
        var query = db.select().column("*").from("audit_log")
        if let from = filter.from { query = query.where("occurred_at", .greaterThanOrEqual, from.text) }
        if let until = filter.until { query = query.where("occurred_at", .lessThan, until.text) }
        if !filter.actorIDs.isEmpty { query = query.where("actor_id", .in, filter.actorIDs) }
        if let action = filter.action {
            query = query.where { group in
                group.where("action", .equal, action)
                    .orWhere(SQLFunction("substr", args: SQLIdentifier("action"), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(action.count + 1)")), .equal, SQLBind(action + "."))
            }
        }
        if let outcome = filter.outcome { query = query.where("outcome", .equal, outcome.rawValue) }
        if let before = filter.before { query = query.where("sequence", .lessThan, before) }
        for excluded in filter.excludedActions {
            query = query.where("action", .notEqual, excluded)
                .where(SQLFunction("substr", args: SQLIdentifier("action"), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(excluded.count + 1)")), .notEqual, SQLBind(excluded + "."))
        }
        return try await query.orderBy("sequence", .descending).limit(limit).all().map(decode)
    }
}
