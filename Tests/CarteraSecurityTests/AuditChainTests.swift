import CarteraCore
import CarteraSecurity
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    static func draft(_ action: String, actor: String = "u1", at ms: Int64 = 1_795_000_000_000) -> AuditEntry {
        .draft(
            at: Timestamp(millisecondsSince1970: ms), actorKind: .user, actorID: actor, ipAddress: "127.0.0.1", action: action,
            objectType: "loan", objectID: "L-1", outcome: .success, requestID: "r1"
        )
    }

    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 0..<count {
            let previous = entries.last.map { (sequence: $0.sequence, hash: $0.hash) }
            entries.append(AuditChain.seal(draft("loan.update.\(index)", at: 1_795_000_000_000 + Int64(index)), after: previous))
        }
        return entries
    }

    @Test("the hash is SHA-256 over the previous hash and the canonical encoding")
    func knownHash() {
        let entry = AuditChain.seal(Self.draft("auth.login"), after: nil)
        #expect(entry.sequence == 1)
        #expect(entry.previousHash == AuditChain.genesisHash)
        // Canonical encoding: length-prefixed fields in a fixed order.
        let canonical = String(decoding: AuditChain.canonicalEncoding(of: entry), as: UTF8.self)
        #expect(canonical == "2:v1;1:1;24:2026-11-18T11:06:40.000Z;4:user;2:u1;9:127.0.0.1;10:auth.login;4:loan;3:L-1;7:success;0:;2:r1;")
        #expect(entry.hash == AuditChain.digest(Array(AuditChain.genesisHash.utf8) + AuditChain.canonicalEncoding(of: entry)))
        // SHA-256 of the empty string, a published value, pins the digest function.
        #expect(AuditChain.digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("field boundaries cannot be shifted to forge the same encoding")
    func unambiguous() {
        var a = Self.draft("x")
        a.actorID = "ab"
        a.ipAddress = "c"
        var b = Self.draft("x")
        b.actorID = "a"
        b.ipAddress = "bc"
        #expect(AuditChain.canonicalEncoding(of: a) != AuditChain.canonicalEncoding(of: b))
    }

    @Test("an intact chain verifies, also in batches")
    func intact() {
        let entries = Self.chain(50)
        #expect(AuditChain.verify(entries, after: nil) == nil)
        let first = Array(entries[0..<20])
        let rest = Array(entries[20...])
        #expect(AuditChain.verify(first, after: nil) == nil)
        #expect(AuditChain.verify(rest, after: (first.last!.sequence, first.last!.hash)) == nil)
    }

    @Test("any change, removal or reordering is found at the right entry")
    func tampering() {
        let entries = Self.chain(30)
        for index in 0..<30 {
            var changed = entries
            changed[index].objectID = "L-2"
            #expect(AuditChain.verify(changed, after: nil) == .init(kind: .altered, sequence: Int64(index + 1)))

            // Rewriting the entry's own hash too only moves the break to the next link.
            changed[index].hash = AuditChain.hash(of: changed[index], previousHash: changed[index].previousHash)
            let expected: AuditChain.Break? = index == 29 ? nil : .init(kind: .unlinked, sequence: Int64(index + 2))
            #expect(AuditChain.verify(changed, after: nil) == expected)

            var removed = entries
            removed.remove(at: index)
            if index < 29 { #expect(AuditChain.verify(removed, after: nil) == .init(kind: .gap, sequence: Int64(index + 1))) }
        }
        var swapped = entries
        swapped.swapAt(10, 11)
        #expect(AuditChain.verify(swapped, after: nil) == .init(kind: .gap, sequence: 11))
    }
}
