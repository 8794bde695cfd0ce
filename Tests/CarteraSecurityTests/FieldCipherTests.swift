import Foundation
import CarteraSecurity
import Testing

@Suite("Personal data encryption")
struct FieldCipherTests {
    let cipher = FieldCipher(keys: KeyRing.generate())

    @Test("values round-trip and never show the plaintext")
    func roundTrip() throws {
        for value in ["GODE561231GR8", "María Ñúñez de la O", "", String(repeating: "x", count: 5_000)] {
            let stored = cipher.encrypt(value, field: "clients.rfc")
            #expect(stored.hasPrefix("v1.k1."))
            if !value.isEmpty { #expect(!stored.contains(value)) }
            #expect(try cipher.decrypt(stored, field: "clients.rfc") == value)
        }
        // Random nonces: the same value encrypts differently each time.
        #expect(cipher.encrypt("GODE561231GR8", field: "f") != cipher.encrypt("GODE561231GR8", field: "f"))
    }

    @Test("a value moved to another field, altered, or under an unknown key does not decrypt")
    func tamper() {
        let stored = cipher.encrypt("GODE561231GR8", field: "clients.rfc")
        #expect(throws: FieldCipher.Unreadable.self) { try cipher.decrypt(stored, field: "clients.curp") }
        var bytes = Array(stored)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == "A" ? "B" : "A"
        #expect(throws: FieldCipher.Unreadable.self) { try cipher.decrypt(String(bytes), field: "clients.rfc") }
        #expect(throws: FieldCipher.Unreadable.self) { try cipher.decrypt("v1.k9." + stored.dropFirst(6), field: "clients.rfc") }
        #expect(throws: FieldCipher.Unreadable.self) { try cipher.decrypt("GODE561231GR8", field: "clients.rfc") }
    }

    @Test("rotation: a new current key encrypts, the old one still decrypts")
    func rotation() throws {
        let old = cipher.encrypt("5512345678", field: "clients.phone")
        let rotated = FieldCipher(keys: try cipher.keys.addingKey(id: "k2"))
        #expect(rotated.needsRotation(old))
        #expect(try rotated.decrypt(old, field: "clients.phone") == "5512345678")
        let new = rotated.encrypt("5512345678", field: "clients.phone")
        #expect(FieldCipher.keyID(of: new) == "k2")
        #expect(!rotated.needsRotation(new))
        #expect(throws: FieldCipher.Unreadable.self) { try cipher.decrypt(new, field: "clients.phone") }
    }

    @Test("blind indexes are stable per key and field, and reveal nothing")
    func blindIndex() throws {
        let a = cipher.blindIndex("GODE561231GR8", field: "clients.rfc")
        #expect(a == cipher.blindIndex("GODE561231GR8", field: "clients.rfc"))
        #expect(a.count == 64)
        #expect(a != cipher.blindIndex("GODE561231GR8", field: "clients.curp"))
        #expect(a != FieldCipher(keys: KeyRing.generate()).blindIndex("GODE561231GR8", field: "clients.rfc"))
        // Rotating data keys keeps the index key, so indexes survive rotation.
        #expect(FieldCipher(keys: try cipher.keys.addingKey(id: "k2")).blindIndex("GODE561231GR8", field: "clients.rfc") == a)
        // Pinned value: HMAC-SHA256(key = 32 × 0x02, "f" ‖ 0x00 ‖ "A"), computed independently with Python's hmac module.
        let fixed = FieldCipher(keys: try KeyRing(currentKeyID: "k1", dataKeys: ["k1": Array(repeating: 1, count: 32)], indexKey: Array(repeating: 2, count: 32)))
        #expect(fixed.blindIndex("A", field: "f") == "96b482428bce5e366c390fdc41cdfd628f1dc477d6a4e1de93bbaabc0e4d1dc3")
    }

    @Test("bad key material is refused with a clear reason")
    func invalidKeys() {
        #expect(throws: KeyRing.Invalid.self) { try KeyRing(currentKeyID: "k1", dataKeys: ["k1": [1, 2, 3]], indexKey: Array(repeating: 0, count: 32)) }
        #expect(throws: KeyRing.Invalid.self) { try KeyRing(currentKeyID: "k2", dataKeys: ["k1": Array(repeating: 0, count: 32)], indexKey: Array(repeating: 0, count: 32)) }
        #expect(throws: KeyRing.Invalid.self) { try KeyRing(currentKeyID: "k 1", dataKeys: ["k 1": Array(repeating: 0, count: 32)], indexKey: Array(repeating: 0, count: 32)) }
        #expect(throws: KeyRing.Invalid.self) { try KeyRing.generate().addingKey(id: "k1") }
    }
}
