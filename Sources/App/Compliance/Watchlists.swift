import CarteraCore
import CarteraSecurity
import Compliance
import Crypto
import Foundation
import SQLKit
import Store

/// The sanctions, blocked-persons and PEP lists screening uses, as last imported.
public struct Watchlists: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    /// What an import did.
    public struct ImportSummary: Sendable, Codable, Equatable {
        public let list: String
        public let format: String
        public let purpose: ListPurpose
        public let entries: Int
        public let added: Int
        public let removed: Int
        public let changed: Int
        /// The same files were imported before: nothing was written.
        public let unchanged: Bool
        public let sourceSha256: String
    }

    /// A list as imported.
    public struct ListSummary: Sendable, Codable, Equatable {
        public let list: String
        public let format: String
        public let purpose: ListPurpose
        public let entries: Int
        public let importedAt: String
        public let importedBy: String
    }

    /// Replaces `list`'s entries with `entries` in one transaction, audited; `files` are the bytes they were read from
    /// (their SHA-256 tells a repeated import, which changes nothing). `purpose` says what a confirmed match means.
    public func importList(
        _ entries: [ListEntry], list: String, format: String, purpose: ListPurpose, files: [[UInt8]], actor: Administration.Actor
    ) async throws -> ImportSummary {
        var hasher = SHA256()
        for file in files {
            hasher.update(data: withUnsafeBytes(of: UInt64(file.count).bigEndian) { Array($0) })
            hasher.update(data: file)
        }
        let digest = ByteEncoding.hex(Array(hasher.finalize()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var encoded: [String: String] = [:]
        for entry in entries { encoded[entry.id] = String(decoding: try encoder.encode(entry), as: UTF8.self) }
        let documents = encoded
        let now = clock()
        return try await database.transaction { db in
            let previous = try await db.raw("SELECT source_sha256, purpose FROM watchlists WHERE list = \(bind: list)").first()
            if try previous?.decode(column: "source_sha256", as: String.self) == digest, try previous?.decode(column: "purpose", as: String.self) == purpose.rawValue {
                return ImportSummary(
                    list: list, format: format, purpose: purpose, entries: documents.count, added: 0, removed: 0, changed: 0, unchanged: true, sourceSha256: digest
                )
            }
            var before: [String: String] = [:]
            for row in try await db.raw("SELECT id, entry FROM watchlist_entries WHERE list = \(bind: list)").all() {
                before[try row.decode(column: "id", as: String.self)] = try row.decode(column: "entry", as: String.self)
            }
            try await db.raw(
                """
                INSERT INTO watchlists (list, format, purpose, entries, source_sha256, imported_at, imported_by)
                VALUES (\(bind: list), \(bind: format), \(bind: purpose.rawValue), \(bind: documents.count), \(bind: digest), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (list) DO UPDATE SET format = excluded.format, purpose = excluded.purpose, entries = excluded.entries,
                    source_sha256 = excluded.source_sha256, imported_at = excluded.imported_at, imported_by = excluded.imported_by
                """
            ).run()
            try await db.raw("DELETE FROM watchlist_entries WHERE list = \(bind: list)").run()
            let ids = documents.keys.sorted()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let rows = ids[start..<min(start + 500, ids.count)].map { "(\(bind: list), \(bind: $0), \(bind: documents[$0]!))" as SQLQueryString }
                try await db.raw("INSERT INTO watchlist_entries (list, id, entry) VALUES \(rows.joined(separator: ", "))").run()
            }
            let added = ids.filter { before[$0] == nil }.count
            let removed = before.keys.filter { documents[$0] == nil }.count
            let changed = ids.filter { before[$0] != nil && before[$0] != documents[$0] }.count
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "compliance.list_imported", objectType: "watchlist", objectID: list, at: now,
                    change: "{\"format\":\"\(format)\",\"purpose\":\"\(purpose.rawValue)\",\"entries\":\(ids.count),\"added\":\(added),\"removed\":\(removed),\"changed\":\(changed),\"sha256\":\"\(digest)\"}"
                ),
                on: db
            )
            return ImportSummary(list: list, format: format, purpose: purpose, entries: ids.count, added: added, removed: removed, changed: changed, unchanged: false, sourceSha256: digest)
        }
    }

    /// The lists imported so far.
    public func lists() async throws -> [ListSummary] {
        try await database.withConnection { db in
            try await db.raw("SELECT list, format, purpose, entries, imported_at, imported_by FROM watchlists ORDER BY list").all().map {
                ListSummary(
                    list: try $0.decode(column: "list", as: String.self), format: try $0.decode(column: "format", as: String.self),
                    purpose: ListPurpose(rawValue: try $0.decode(column: "purpose", as: String.self)) ?? .ownList,
                    entries: try $0.decode(column: "entries", as: Int.self), importedAt: try $0.decode(column: "imported_at", as: String.self),
                    importedBy: try $0.decode(column: "imported_by", as: String.self)
                )
            }
        }
    }

    /// Every imported entry, in list and id order.
    public func entries() async throws -> [ListEntry] {
        let decoder = JSONDecoder()
        return try await database.withConnection { db in
            try await db.raw("SELECT entry FROM watchlist_entries ORDER BY list, id").all().map {
                try decoder.decode(ListEntry.self, from: Data(try $0.decode(column: "entry", as: String.self).utf8))
            }
        }
    }

    /// What screening works from: the lists with their purposes, every entry with the SHA-256 of its stored form (a
    /// changed entry is a new hit to review), and a version that changes whenever any list is imported again.
    public struct Snapshot: Sendable {
        public let version: String
        public let purposes: [String: ListPurpose]
        public let entries: [ListEntry]
        /// `list` + `\u{1F}` + `id` → SHA-256 (hex) of the entry as stored.
        let entryDigests: [String: String]

        static func key(list: String, id: String) -> String { list + "\u{1F}" + id }

        /// The SHA-256 of the entry as stored.
        public func digest(of entry: ListEntry) -> String { entryDigests[Self.key(list: entry.list, id: entry.id)] ?? "" }
    }

    /// The version of the lists as imported: their names, purposes and source digests.
    public func version(on db: any SQLDatabase) async throws -> String {
        try await db.raw("SELECT list, purpose, source_sha256 FROM watchlists ORDER BY list").all().map {
            "\(try $0.decode(column: "list", as: String.self)):\(try $0.decode(column: "purpose", as: String.self)):\(try $0.decode(column: "source_sha256", as: String.self))"
        }.joined(separator: ",")
    }

    /// Every list and entry, read in one transaction.
    public func snapshot() async throws -> Snapshot {
        try await database.transaction { db in try await snapshot(on: db) }
    }

    /// Every list and entry, read inside the caller's transaction.
    public func snapshot(on db: any SQLDatabase) async throws -> Snapshot {
        let decoder = JSONDecoder()
        do {
            let version = try await version(on: db)
            var purposes: [String: ListPurpose] = [:]
            for row in try await db.raw("SELECT list, purpose FROM watchlists").all() {
                purposes[try row.decode(column: "list", as: String.self)] = ListPurpose(rawValue: try row.decode(column: "purpose", as: String.self)) ?? .ownList
            }
            var entries: [ListEntry] = []
            var digests: [String: String] = [:]
            for row in try await db.raw("SELECT list, id, entry FROM watchlist_entries ORDER BY list, id").all() {
                let text = try row.decode(column: "entry", as: String.self)
                entries.append(try decoder.decode(ListEntry.self, from: Data(text.utf8)))
                digests[Snapshot.key(list: try row.decode(column: "list", as: String.self), id: try row.decode(column: "id", as: String.self))] =
                    ByteEncoding.hex(Array(SHA256.hash(data: Array(text.utf8))))
            }
            return Snapshot(version: version, purposes: purposes, entries: entries, entryDigests: digests)
        }
    }
}
