import CarteraCore
import Foundation
import Lending
import SQLKit
import Store

/// Re-stores loan terms written before the compact schedule format (`LoanTerms+Storage`): those are still read, but
/// through `JSONDecoder`, several times slower in the end-of-day close. Each loan's terms are decoded, written again in
/// the current format and read back; they are stored only when they read back exactly the same, and only while the
/// loan is still at the version that was read (a loan changed meanwhile is left for the next run). Each chunk is one
/// transaction that moves the loans' versions; the run is audited. Safe to stop and run again: stored compact terms
/// are skipped.
public struct LoanTermsCompaction: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp
    let chunkSize: Int

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }, chunkSize: Int = 1_000) {
        self.database = database
        self.clock = clock
        self.chunkSize = max(1, chunkSize)
    }

    /// What a run found and did.
    public struct Summary: Sendable, Encodable, Equatable {
        public var dryRun: Bool
        /// Loans with terms (disbursed at some point).
        public var loans = 0
        /// Already in the compact format.
        public var compact = 0
        /// Re-stored (or, in a dry run, that would be).
        public var restored = 0
        /// Changed by someone else between reading and writing: left as they were.
        public var skipped = 0
        /// Loans whose terms could not be read, or would not read back the same: left as they were.
        public var unreadable: [String] = []
    }

    /// Re-stores every loan's terms that are not in the compact format yet (only counts them when `dryRun`).
    public func run(dryRun: Bool, actor: Administration.Actor, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Summary {
        let products = ProductCache()
        var summary = Summary(dryRun: dryRun)
        let total = try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM loans WHERE terms IS NOT NULL").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        var cursor = ""
        while true {
            let after = cursor
            let rows = try await database.withConnection { db in
                try await db.raw(
                    "SELECT id, terms, row_version FROM loans WHERE terms IS NOT NULL AND id > \(bind: after) ORDER BY id LIMIT \(bind: chunkSize)"
                ).all().map {
                    (id: try $0.decode(column: "id", as: String.self), text: try $0.decode(column: "terms", as: String.self),
                     version: try $0.decode(column: "row_version", as: Int64.self))
                }
            }
            guard let last = rows.last else { break }
            cursor = last.id
            summary.loans += rows.count
            var changes: [(id: String, text: String, version: Int64)] = []
            for row in rows {
                if LoanTerms.stored(row.text, product: products.product(text:)) != nil {
                    summary.compact += 1
                    continue
                }
                guard let terms = try? JSONDecoder().decode(LoanTerms.self, from: Data(row.text.utf8)),
                    let data = try? TermsCache.encoder.encode(terms), case let text = String(decoding: data, as: UTF8.self)
                else {
                    summary.unreadable.append(row.id)
                    continue
                }
                if text == row.text {
                    // Already as the current encoder writes it (a schedule in several currencies keeps the long form).
                    summary.compact += 1
                    continue
                }
                guard LoanTerms.stored(text, product: products.product(text:)) == terms else {
                    summary.unreadable.append(row.id)
                    continue
                }
                changes.append((row.id, text, row.version))
            }
            if dryRun {
                summary.restored += changes.count
            } else if !changes.isEmpty {
                let now = clock()
                let changes = changes
                let written = try await database.transaction { db in
                    var written = 0
                    for change in changes {
                        written += try await db.raw(
                            """
                            UPDATE loans SET terms = \(bind: change.text), row_version = row_version + 1, updated_at = \(bind: now.text)
                            WHERE id = \(bind: change.id) AND row_version = \(bind: change.version) RETURNING id
                            """
                        ).all().count
                    }
                    return written
                }
                summary.restored += written
                summary.skipped += changes.count - written
            }
            progress?(summary.loans, total)
        }
        if !dryRun {
            let result = summary
            try await database.transaction { db in
                try await AuditLog.append(
                    Administration.entry(
                        actor: actor, action: "loans.terms_restored", objectType: "loans", objectID: "*", at: clock(),
                        change: "\(result.loans) \(result.compact) \(result.restored) \(result.skipped) \(result.unreadable.joined(separator: ","))"
                    ),
                    on: db
                )
            }
        }
        return summary
    }
}
