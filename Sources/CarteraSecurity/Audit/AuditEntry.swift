import CarteraCore

/// One line of the audit log: who did what to which object, from where, with what outcome.
///
/// Entries are chained: each stores the hash of the entry before it and its own hash, computed by `AuditChain` over
/// the previous hash and a canonical encoding of every field. Changing, removing or reordering a stored entry breaks
/// the chain at that entry.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// Who acted.
    public enum ActorKind: String, Sendable, Hashable, Codable {
        case user
        case apiClient = "api_client"
        case system
        /// Someone not (yet) authenticated, e.g. a failed login.
        case anonymous
    }

    /// How the action ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case success
        case failure
        /// Refused by an authorization policy.
        case denied
        /// A server error.
        case error
    }

    /// Position in the log, starting at 1, without gaps.
    public var sequence: Int64
    public var occurredAt: Timestamp
    public var actorKind: ActorKind
    /// The user id, API client id, or the name given at a failed login; empty for `system`.
    public var actorID: String
    /// The client's IP address, when the action came through HTTP.
    public var ipAddress: String
    /// What was done, as `area.verb`, e.g. `auth.login`, `loan.disburse`, `config.update`.
    public var action: String
    /// The kind of object acted on, e.g. `user`, `loan`; empty when there is none.
    public var objectType: String
    public var objectID: String
    public var outcome: Outcome
    /// SHA-256 (hex) of the canonical before/after state, or empty; the state itself is kept elsewhere.
    public var changeDigest: String
    /// The request id that ties the entry to the logs.
    public var requestID: String
    /// The previous entry's `hash` (64 zeros for the first entry).
    public var previousHash: String
    /// SHA-256 (hex) over `previousHash` and the canonical encoding of the other fields.
    public var hash: String

    /// A new entry to append: its `sequence` and hashes are set by `AuditChain.seal` when it is written.
    public static func draft(
        at occurredAt: Timestamp,
        actorKind: ActorKind,
        actorID: String,
        ipAddress: String = "",
        action: String,
        objectType: String = "",
        objectID: String = "",
        outcome: Outcome,
        changeDigest: String = "",
        requestID: String = ""
    ) -> AuditEntry {
        AuditEntry(
            sequence: 0, occurredAt: occurredAt, actorKind: actorKind, actorID: actorID, ipAddress: ipAddress, action: action,
            objectType: objectType, objectID: objectID, outcome: outcome, changeDigest: changeDigest, requestID: requestID,
            previousHash: "", hash: ""
        )
    }

    public init(
        sequence: Int64,
        occurredAt: Timestamp,
        actorKind: ActorKind,
        actorID: String,
        ipAddress: String,
        action: String,
        objectType: String,
        objectID: String,
        outcome: Outcome,
        changeDigest: String,
        requestID: String,
        previousHash: String,
        hash: String
    ) {
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.actorKind = actorKind
        self.actorID = actorID
        self.ipAddress = ipAddress
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.outcome = outcome
        self.changeDigest = changeDigest
        self.requestID = requestID
        self.previousHash = previousHash
        self.hash = hash
    }
}
