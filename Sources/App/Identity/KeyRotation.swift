import CarteraCore
import CarteraSecurity
import Crypto
import SQLKit
import Store

/// Re-encrypts stored personal data under the current key, in small batches that each commit on their own, so the
/// server keeps running (and writing) meanwhile.
public enum KeyRotation {
    /// A stored value that cannot be moved to the current key.
    public struct Stuck: CarteraError {
        public let column: String
        public let row: String
        public let detail: String
        public var code: String { "key_rotation_stuck" }
        public var message: String {
            "No se pudo volver a cifrar \(column) de la fila «\(row)»: \(detail). Revise que el archivo de llaves conserve todas las llaves anteriores."
        }
    }

    /// Moves every value of every column in `EncryptedColumns.all` that is not under `ring`'s current key (and any
    /// plain text left in columns that may hold it) to the current key. Returns how many values moved per column.
    public static func reencrypt(
        database: Database,
        ring: KeyRing,
        batchSize: Int = 500,
        progress: @Sendable (_ column: String, _ done: Int) -> Void = { _, _ in }
    ) async throws -> [String: Int] {
        let cipher = FieldCipher(keys: ring)
        let prefix = "v1.\(ring.currentKeyID)."
        var moved: [String: Int] = [:]
        for column in EncryptedColumns.all {
            var count = 0
            var seen = Set<String>()
            while true {
                let batch = try await database.withConnection { db in
                    try await db.select().column(SQLIdentifier(column.key), as: "row_key").column(SQLIdentifier(column.column), as: "value")
                        .from(column.table)
                        .where(SQLIdentifier(column.column), .isNot, SQLLiteral.null)
                        .where(SQLFunction("substr", args: SQLIdentifier(column.column), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(prefix.count)")), .notEqual, SQLBind(prefix))
                        .orderBy(SQLIdentifier(column.key))
                        // Documents are large (up to ~18 MB each when encrypted): a few at a time.
                        .limit(column.column == "content" ? min(batchSize, 4) : batchSize)
                        .all()
                        .map { (key: try $0.decode(column: "row_key", as: String.self), value: try $0.decode(column: "value", as: String.self)) }
                }
                if batch.isEmpty { break }
                // A batch made only of values this run already rewrote means the rewrite does not take: stop, do not spin.
                // Keep digests, not the values (a document is megabytes).
                func mark(_ row: (key: String, value: String)) -> String { row.key + "\u{0}" + ByteEncoding.hex(Array(SHA256.hash(data: Array(row.value.utf8)))) }
                if let row = batch.first, batch.allSatisfy({ seen.contains(mark($0)) }) {
                    throw Stuck(column: column.description, row: row.key, detail: "el valor no cambió al escribirlo")
                }
                for row in batch { seen.insert(mark(row)) }
                let updates = try batch.map { row -> (key: String, old: String, new: String) in
                    let plain: String
                    if FieldCipher.keyID(of: row.value) == nil {
                        guard column.mayHoldPlainText else { throw Stuck(column: column.description, row: row.key, detail: "no es un valor cifrado") }
                        plain = row.value
                    } else {
                        do {
                            plain = try cipher.decrypt(row.value, field: column.field)
                        } catch let error as FieldCipher.Unreadable {
                            throw Stuck(column: column.description, row: row.key, detail: error.detail)
                        }
                    }
                    return (row.key, row.value, cipher.encrypt(plain, field: column.field))
                }
                try await database.transaction { db in
                    for update in updates {
                        // Only if nobody changed the value meanwhile; a changed value is picked up by the next batch.
                        try await db.update(column.table)
                            .set(SQLIdentifier(column.column), to: SQLBind(update.new))
                            .where(SQLIdentifier(column.key), .equal, SQLBind(update.key))
                            .where(SQLIdentifier(column.column), .equal, SQLBind(update.old))
                            .run()
                    }
                }
                count += updates.count
                progress(column.description, count)
            }
            moved[column.description] = count
        }
        return moved
    }
}
