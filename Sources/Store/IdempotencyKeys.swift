import CarteraCore
import Foundation
import SQLKit

/// The idempotency-key table: makes a repeated external request (same scope and key) return the first answer instead
/// of acting twice.
///
/// Use it inside the same transaction as the work it protects:
/// 1. `begin` — `.started` means "do the work"; `.replay` returns the stored response; `.inProgress` means another
///    request with this key is still running; `.mismatch` means the key was used for a different request.
/// 2. `complete` — stores the response in the same transaction as the work, so both commit or neither does.
public enum IdempotencyKeys {
    /// What `begin` found.
    public enum Outcome: Sendable, Equatable {
        /// The key is new (or its previous use expired): do the work, then call `complete`.
        case started
        /// The key was already completed: answer with this response, do nothing else.
        case replay(status: Int, body: Data)
        /// A request with this key has started and not finished.
        case inProgress
        /// The key was used before with a different request.
        case mismatch
    }

    /// A key that cannot be used.
    public struct InvalidKey: CarteraError {
        public var code: String { "idempotency_key_invalid" }
        public var message: String {
            "La clave de idempotencia debe tener entre 1 y 255 caracteres visibles (letras, dígitos y signos ASCII)."
        }
    }

    /// How long a completed key is remembered by default (24 hours, as most payment APIs do).
    public static let defaultLifetimeSeconds: Int64 = 24 * 60 * 60

    /// Validates a client-supplied key.
    public static func validate(key: String) throws(InvalidKey) {
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E })
        else { throw InvalidKey() }
    }

    /// Claims a key for a request whose fingerprint is `requestHash`. With `staleAfterSeconds`, a claim still in
    /// progress after that long is considered abandoned (its process died) and may be taken over.
    public static func begin(
        scope: String,
        key: String,
        requestHash: String,
        now: Timestamp,
        lifetimeSeconds: Int64 = defaultLifetimeSeconds,
        staleAfterSeconds: Int64? = nil,
        on db: any SQLDatabase
    ) async throws -> Outcome {
        try validate(key: key)
        // A key whose lifetime has ended may be reused.
        try await db.raw(
            "DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key) AND expires_at <= \(bind: now.text)"
        ).run()
        // A claim left in progress by a process that died may be taken over once it is stale.
        if let staleAfterSeconds {
            try await db.raw(
                """
                DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key) AND state = 'in_progress'
                    AND created_at <= \(bind: now.adding(seconds: -staleAfterSeconds).text)
                """
            ).run()
        }
        let inserted = try await db.raw(
            """
            INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at, expires_at)
            VALUES (\(bind: scope), \(bind: key), \(bind: requestHash), 'in_progress', \(bind: now.text), \(bind: now.adding(seconds: lifetimeSeconds).text))
            ON CONFLICT (scope, key) DO NOTHING
            RETURNING key
            """
        ).first()
        if inserted != nil { return .started }

        guard let row = try await db.raw(
            "SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)"
        ).first() else {
            return .inProgress  // deleted between the two statements by a concurrent expiry: treat as busy
        }
        let storedHash = try row.decode(column: "request_hash", as: String.self)
        guard storedHash == requestHash else { return .mismatch }
        let state = try row.decode(column: "state", as: String.self)
        guard state == "completed" else { return .inProgress }
        let status = try row.decode(column: "response_status", as: Int.self)
        let body = try row.decode(column: "response_body", as: Data?.self) ?? Data()
        return .replay(status: status, body: body)
    }

    /// Records the response for a started key.
    public static func complete(
        scope: String,
        key: String,
        status: Int,
        body: Data,
        now: Timestamp,
        on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            UPDATE idempotency_keys SET state = 'completed', response_status = \(bind: status), response_body = \(bind: body),
                completed_at = \(bind: now.text)
            WHERE scope = \(bind: scope) AND key = \(bind: key)
            """
        ).run()
    }

    /// Forgets a started key whose work failed, so the client may retry with the same key.
    public static func abandon(scope: String, key: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            "DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key) AND state = 'in_progress'"
        ).run()
    }

    /// Deletes keys whose lifetime has ended; returns how many.
    @discardableResult
    public static func purgeExpired(now: Timestamp, on db: any SQLDatabase) async throws -> Int {
        let rows = try await db.raw("DELETE FROM idempotency_keys WHERE expires_at <= \(bind: now.text) RETURNING key").all()
        return rows.count
    }
}
