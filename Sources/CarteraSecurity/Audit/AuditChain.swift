import CarteraCore
import Crypto
import Foundation

/// The hash chain of the audit log.
///
/// `hash = SHA-256( previousHash ‖ canonical(entry) )`, hex-encoded, where `canonical` writes every field except the
/// two hashes, in a fixed order, each as `<byte length>:<UTF-8 bytes>;` — an encoding no two different entries share,
/// whatever characters the fields contain.
public enum AuditChain {
    /// The `previousHash` of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical bytes of an entry's content (hashes excluded).
    public static func canonicalEncoding(of entry: AuditEntry) -> [UInt8] {
        let fields = [
            "v1",
            String(entry.sequence),
            entry.occurredAt.text,
            entry.actorKind.rawValue,
            entry.actorID,
            entry.ipAddress,
            entry.action,
            entry.objectType,
            entry.objectID,
            entry.outcome.rawValue,
            entry.changeDigest,
            entry.requestID,
        ]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.utf8.count + 6 })
        for field in fields {
            bytes.append(contentsOf: String(field.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: field.utf8)
            bytes.append(UInt8(ascii: ";"))
        }
        return bytes
    }

    /// The hash an entry must carry, given the previous entry's hash.
    public static func hash(of entry: AuditEntry, previousHash: String) -> String {
        var bytes = Array(previousHash.utf8)
        bytes.append(contentsOf: canonicalEncoding(of: entry))
        return ByteEncoding.hex(SHA256.hash(data: bytes))
    }

    /// Completes a new entry: sets `sequence`, `previousHash` and `hash` to follow the entry `after` (nil = first).
    public static func seal(_ entry: AuditEntry, after previous: (sequence: Int64, hash: String)?) -> AuditEntry {
        var sealed = entry
        sealed.sequence = (previous?.sequence ?? 0) + 1
        sealed.previousHash = previous?.hash ?? genesisHash
        sealed.hash = hash(of: sealed, previousHash: sealed.previousHash)
        return sealed
    }

    /// SHA-256 (hex) of arbitrary bytes, for `AuditEntry.changeDigest`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> String {
        ByteEncoding.hex(SHA256.hash(data: Array(bytes)))
    }

    /// Where a chain is broken.
    public struct Break: Sendable, Hashable, CarteraError {
        public enum Kind: String, Sendable, Hashable {
            /// The entry's content no longer matches its hash: it was changed.
            case altered
            /// The entry does not point at the hash of the entry before it: an entry before it was removed or reordered,
            /// or its link was rewritten.
            case unlinked
            /// A sequence number is missing or repeated: entries were removed or reordered.
            case gap
            /// The log ends before the recorded head: its last entries were removed.
            case truncated
        }

        public let kind: Kind
        /// The sequence number of the first entry found wrong (for `truncated`, the first missing one).
        public let sequence: Int64

        public init(kind: Kind, sequence: Int64) {
            self.kind = kind
            self.sequence = sequence
        }

        public var code: String { "audit_chain_\(kind.rawValue)" }
        public var message: String {
            switch kind {
            case .altered: "La entrada \(sequence) de la bitácora fue modificada: su contenido no coincide con su huella."
            case .unlinked: "La entrada \(sequence) de la bitácora no enlaza con la anterior: se eliminaron o reordenaron entradas."
            case .gap: "Falta o se repite la entrada \(sequence) de la bitácora: se eliminaron o reordenaron entradas."
            case .truncated: "La bitácora termina antes de lo registrado: faltan las entradas desde la \(sequence)."
            }
        }
    }

    /// Checks entries in stored order, continuing from `previous` (nil = from the start of the log).
    ///
    /// Feed the log in batches: pass the last entry of one batch as `previous` of the next. Returns the first break.
    public static func verify(
        _ entries: some Sequence<AuditEntry>,
        after previous: (sequence: Int64, hash: String)?
    ) -> Break? {
        var expectedSequence = (previous?.sequence ?? 0) + 1
        var expectedPrevious = previous?.hash ?? genesisHash
        for entry in entries {
            if entry.sequence != expectedSequence { return Break(kind: .gap, sequence: min(entry.sequence, expectedSequence)) }
            if entry.previousHash != expectedPrevious { return Break(kind: .unlinked, sequence: entry.sequence) }
            if hash(of: entry, previousHash: entry.previousHash) != entry.hash { return Break(kind: .altered, sequence: entry.sequence) }
            expectedSequence += 1
            expectedPrevious = entry.hash
        }
        return nil
    }
}
