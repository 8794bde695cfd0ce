@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Clients
import Foundation
import SQLKit
import Store
import Testing

@Suite("Personal data at rest: encryption, key rotation")
struct PersonalDataEncryptionTests {
    static let name = "Zacarías Ñúñez Verdugo"

    /// Every byte of the SQLite database: the main file, and the write-ahead log after a checkpoint attempt.
    func sqliteBytes(_ database: Database) async throws -> Data {
        try await database.withConnection { db in try await db.raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
        let path = database.url.description.replacingOccurrences(of: "sqlite://", with: "")
        var bytes = Data()
        for file in [path, path + "-wal", path + "-journal"] {
            if let data = FileManager.default.contents(atPath: file) { bytes.append(data) }
        }
        return bytes
    }

    @Test("A person's name is not in plain text anywhere in the SQLite file, before or after rotation")
    func noPlainTextInFile() async throws {
        try await withTestDatabase { database in
            var ring = KeyRing.generate()
            let administration = Administration(database: database, keys: LiveKeys(ring), bcryptCost: 4)
            try await administration.createLender(legalName: "Financiera Prueba, S.A. de C.V., SOFOM, E.N.R.", shortName: "Prueba", rfc: "SAT970701NN3", actor: .commandLine)
            _ = try await administration.createUser(
                username: "zacarias", displayName: Self.name, role: .analistaCredito, password: "una frase bastante larga", lenderID: nil, actor: .commandLine
            )
            var bytes = try await sqliteBytes(database)
            #expect(bytes.count > 4096)
            #expect(bytes.range(of: Data("zacarias".utf8)) != nil)  // the user name is not personal data: the check can see text
            #expect(bytes.range(of: Data(Self.name.utf8)) == nil)
            #expect(bytes.range(of: Data("Ñúñez".utf8)) == nil)
            #expect(try await administration.users().first { $0.username == "zacarias" }?.displayName == Self.name)

            ring = try ring.addingKey(id: "k2")
            let moved = try await KeyRotation.reencrypt(database: database, ring: ring, batchSize: 1)
            #expect(moved["users.display_name"] == 1)
            bytes = try await sqliteBytes(database)
            #expect(bytes.range(of: Data(Self.name.utf8)) == nil)
            #expect(try await Administration(database: database, keys: LiveKeys(ring), bcryptCost: 4).users().first?.displayName == Self.name)
        }
    }

    @Test("Rotation moves every encrypted column to the new key, encrypts legacy plain text, and is idempotent", arguments: TestEngine.available)
    func rotation(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let old = KeyRing.generate()
            let administration = Administration(database: database, keys: LiveKeys(old), bcryptCost: 4)
            try await administration.createLender(legalName: "Financiera Prueba, S.A. de C.V., SOFOM, E.N.R.", shortName: "Prueba", rfc: "SAT970701NN3", actor: .commandLine)
            for index in 0..<7 {
                _ = try await administration.createUser(
                    username: "persona\(index)", displayName: "Persona \(index)", role: .auditor, password: "una frase bastante larga", lenderID: nil, actor: .commandLine
                )
            }
            // A row from before names were encrypted.
            try await database.withConnection { db in
                try await db.raw("UPDATE users SET display_name = 'Nombre Antiguo' WHERE username = 'persona0'").run()
            }
            _ = try await TokenService.load(database: database, keys: LiveKeys(old))

            let new = try old.addingKey(id: "k2")
            let moved = try await KeyRotation.reencrypt(database: database, ring: new, batchSize: 3)
            #expect(moved["users.display_name"] == 7)
            #expect(moved["signing_keys.private_key"] == 1)
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT display_name FROM users UNION ALL SELECT private_key FROM signing_keys").all(decodingColumn: "display_name", as: String.self)
            }
            #expect(stored.count == 8 && stored.allSatisfy { $0.hasPrefix("v1.k2.") })
            let names = try await Administration(database: database, keys: LiveKeys(new), bcryptCost: 4).users().map(\.displayName).sorted()
            #expect(names == ["Nombre Antiguo"] + (1..<7).map { "Persona \($0)" })
            // The old ring alone can no longer read them; the new ring (which keeps k1) reads everything.
            #expect(throws: FieldCipher.Unreadable.self) { try FieldCipher(keys: old).decrypt(stored[1], field: "users.display_name") }
            _ = try await TokenService.load(database: database, keys: LiveKeys(new))
            // Nothing left to do.
            #expect(try await KeyRotation.reencrypt(database: database, ring: new).values.reduce(0, +) == 0)
        }
    }

    @Test("A value under a key the process does not know makes it re-read the key file")
    func liveReload() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cartera-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cartera.keys").path
        let live = try LiveKeys(environment: ["CARTERA_KEY_FILE": path])
        #expect(live.ring.currentKeyID == "k1")
        let rotated = try KeyStore.addKey(path: path)
        #expect(rotated.currentKeyID == "k2")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let value = FieldCipher(keys: rotated).encrypt("Ana López", field: "users.display_name")
        #expect(try live.decrypt(value, field: "users.display_name") == "Ana López")
        #expect(live.ring.currentKeyID == "k2")
        #expect(try live.readable("texto sin cifrar", field: "users.display_name") == "texto sin cifrar")
    }
}

@Suite("Personal data at rest: clients")
struct ClientDataAtRestTests {
    @Test("A client's RFC, CURP, name, phone and e-mail appear nowhere in the SQLite file in plain text; lookups still find them")
    func clientNotInFile() async throws {
        try await withTestDatabase { database in
            let keys = LiveKeys(KeyRing.generate())
            try await Administration(database: database, keys: keys, bcryptCost: 4).createLender(
                legalName: "Financiera Prueba, S.A. de C.V., SOFOM, E.N.R.", shortName: "Prueba", rfc: "SAT970701NN3", actor: .commandLine
            )
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            let directory = ClientDirectory(database: database, keys: keys)
            let record = try await database.transaction { db in
                try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db)
            }
            try await database.withConnection { db in try await db.raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
            let path = database.url.description.replacingOccurrences(of: "sqlite://", with: "")
            var bytes = Data()
            for file in [path, path + "-wal"] { bytes.append(FileManager.default.contents(atPath: file) ?? Data()) }
            #expect(bytes.count > 4096)
            #expect(bytes.range(of: Data(record.id.utf8)) != nil)  // the check does see stored text
            for secret in [ClientSamples.rfc, "HEGG560427MVZRRL04", "Gloria", "Hernández", "2281234567", "gloria.hernandez@example.mx", "Juárez", "1956-04-27"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is stored in plain text")
            }
            #expect(try await directory.find(.rfc, ClientSamples.rfc).map(\.id) == [record.id])
            #expect(try await directory.find(.curp, "HEGG560427MVZRRL04").first?.profile.individual?.givenNames == "Gloria")
        }
    }
}
