import App
import Foundation
import CarteraSecurity
import Testing

@Suite("Key store")
struct KeyStoreTests {
    @Test("the key file is created once, owner-only, and read back with the same keys")
    func keyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cartera-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cartera.keys").path

        let (first, firstSource) = try KeyStore.load(environment: ["CARTERA_KEY_FILE": path])
        #expect(firstSource == .file(path: path, created: true))
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        let (second, secondSource) = try KeyStore.load(environment: ["CARTERA_KEY_FILE": path])
        #expect(secondSource == .file(path: path, created: false))
        let stored = FieldCipher(keys: first).encrypt("GODE561231GR8", field: "clients.rfc")
        #expect(try FieldCipher(keys: second).decrypt(stored, field: "clients.rfc") == "GODE561231GR8")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyRing.Invalid.self) { try KeyStore.load(environment: ["CARTERA_KEY_FILE": path]) }
    }

    @Test("keys from the environment; the last listed is current unless named")
    func environment() throws {
        let k1 = Data(repeating: 1, count: 32).base64EncodedString()
        let k2 = Data(repeating: 2, count: 32).base64EncodedString()
        let index = Data(repeating: 3, count: 32).base64EncodedString()
        let (ring, source) = try KeyStore.load(environment: ["CARTERA_DATA_KEYS": "k1:\(k1),k2:\(k2)", "CARTERA_INDEX_KEY": index])
        #expect(source == .environment)
        #expect(ring.currentKeyID == "k2")
        #expect(ring.keyIDs == ["k1", "k2"])
        let (named, _) = try KeyStore.load(environment: ["CARTERA_DATA_KEYS": "k1:\(k1),k2:\(k2)", "CARTERA_DATA_KEY_CURRENT": "k1", "CARTERA_INDEX_KEY": index])
        #expect(named.currentKeyID == "k1")
        #expect(throws: KeyRing.Invalid.self) { try KeyStore.load(environment: ["CARTERA_DATA_KEYS": "k1:\(k1)"]) }
        #expect(throws: KeyRing.Invalid.self) { try KeyStore.load(environment: ["CARTERA_DATA_KEYS": "nonsense", "CARTERA_INDEX_KEY": index]) }
    }
}
