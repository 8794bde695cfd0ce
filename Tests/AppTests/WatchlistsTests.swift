@testable import App
import CarteraCore
import CarteraTestSupport
import Compliance
import Foundation
import SQLKit
import Store
import Testing

@Suite("Watchlists: importing screening lists")
struct WatchlistsTests {
    static func entry(_ number: Int, _ name: String, aliases: [String] = []) -> ListEntry {
        ListEntry(
            id: "OFAC-SDN:\(number)", list: "OFAC-SDN", kind: .individual, name: name, aliases: aliases, programs: ["SDNTK"],
            identifiers: [ListEntry.Identifier(type: "RFC", number: "ABCD-\(100_000 + number)")], birthDates: ["1970-01-0\(number % 9 + 1)"]
        )
    }

    @Test("An import replaces the list in one transaction and is audited with its counts and digest; the same files again change nothing; entries read back whole", arguments: TestEngine.available)
    func importAndReplace(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let watchlists = Watchlists(database: database, clock: { Timestamp(millisecondsSince1970: 1_795_000_000_000) })
            let first = [Self.entry(1, "GUZMAN LOERA, Joaquin", aliases: ["GUZMAN, Chapo"]), Self.entry(2, "AGUILAR AMAO, Miguel"), Self.entry(3, "PEREZ, Juan")]
            let imported = try await watchlists.importList(first, list: "OFAC-SDN", format: "sdn-csv", purpose: .sanctions, files: [Array("uno".utf8)], actor: .commandLine)
            #expect(imported.entries == 3 && imported.added == 3 && imported.removed == 0 && imported.changed == 0 && !imported.unchanged)
            #expect(try await watchlists.entries() == first)
            let again = try await watchlists.importList(first, list: "OFAC-SDN", format: "sdn-csv", purpose: .sanctions, files: [Array("uno".utf8)], actor: .commandLine)
            #expect(again.unchanged && again.sourceSha256 == imported.sourceSha256)

            // A new publication: one entry gone, one changed, one added.
            let second = [Self.entry(1, "GUZMAN LOERA, Joaquin Archivaldo", aliases: ["GUZMAN, Chapo"]), Self.entry(2, "AGUILAR AMAO, Miguel"), Self.entry(4, "LOPEZ, Ana")]
            let replaced = try await watchlists.importList(second, list: "OFAC-SDN", format: "sdn-csv", purpose: .sanctions, files: [Array("dos".utf8)], actor: .commandLine)
            #expect(replaced.entries == 3 && replaced.added == 1 && replaced.removed == 1 && replaced.changed == 1 && !replaced.unchanged)
            #expect(try await watchlists.entries() == second)
            let lists = try await watchlists.lists()
            #expect(lists.map(\.list) == ["OFAC-SDN"] && lists[0].entries == 3 && lists[0].importedBy == "cli" && lists[0].importedAt == "2026-11-18T11:06:40.000Z")
            // Two imports audited (the unchanged one wrote nothing), each with the digest of what changed.
            let audits = try await database.withConnection { db in
                try await db.raw("SELECT object_id, change_digest FROM audit_log WHERE action = 'compliance.list_imported' ORDER BY sequence").all().map {
                    (try $0.decode(column: "object_id", as: String.self), try $0.decode(column: "change_digest", as: String?.self))
                }
            }
            #expect(audits.count == 2 && audits.allSatisfy { $0.0 == "OFAC-SDN" && $0.1 != nil } && audits[0].1 != audits[1].1)
            // The imported entries screen as the list does.
            let found = NameScreening(entries: try await watchlists.entries()).screen(name: "Joaquín Archivaldo Guzmán Loera")
            #expect(found.first?.entry.id == "OFAC-SDN:1" && found.first?.isMatch == true)
        }
    }
}
