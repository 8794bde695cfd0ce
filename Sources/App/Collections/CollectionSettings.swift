import CarteraCore
import CarteraSecurity
import Foundation
import LoanCollections
import SQLKit
import Store

/// Each lender's collections settings: the delinquency buckets its snapshots and reports use (the standard ranges
/// until it sets its own).
public enum CollectionSettings {
    /// The lender's buckets, read in the caller's transaction.
    static func buckets(lenderID: String, on db: any SQLDatabase) async throws -> DelinquencyBuckets {
        guard let text = try await db.raw("SELECT buckets FROM collection_settings WHERE lender_id = \(bind: lenderID)").first(decodingColumn: "buckets", as: String.self) else {
            return .standard
        }
        return try JSONDecoder().decode(DelinquencyBuckets.self, from: Data(text.utf8))
    }

    /// Sets the lender's buckets (audited). They apply to the days closed from then on; snapshots already written keep
    /// the bucket they were given.
    public static func setBuckets(_ buckets: DelinquencyBuckets, lenderID: String, actor: Administration.Actor, database: Database, now: Timestamp) async throws {
        let json = String(decoding: try JSONEncoder().encode(buckets), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO collection_settings (lender_id, buckets, updated_at, updated_by) VALUES (\(bind: lenderID), \(bind: json), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (lender_id) DO UPDATE SET buckets = excluded.buckets, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "collections.buckets", objectType: "lender", objectID: lenderID, at: now, change: json), on: db
            )
        }
    }
}
