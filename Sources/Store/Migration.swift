/// One numbered step of the schema. The list in `Migrations.all` is append-only: a migration that has shipped is never
/// edited or removed; a change is a new migration.
public struct Migration: Sendable {
    /// Position in the list, starting at 1, without gaps.
    public let version: Int
    /// Short English name, recorded in `schema_migrations`.
    public let name: String
    /// The statements, written for the given engine's column types.
    let statements: @Sendable (ColumnTypes) -> [String]

    init(version: Int, name: String, statements: @escaping @Sendable (ColumnTypes) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// Column types that differ between SQLite and PostgreSQL.
///
/// Money is `BIGINT` minor units in both; instants are ISO-8601 UTC text (`2026-11-26T20:04:41.123Z`) and business
/// dates `YYYY-MM-DD` text in both, so that values, ordering and comparisons are the same on either engine.
struct ColumnTypes: Sendable {
    let dialect: SQLDialectKind

    /// 64-bit integer (money in centavos, counters).
    var bigint: String { dialect == .sqlite ? "INTEGER" : "BIGINT" }
    /// Raw bytes (ciphertexts, hashes).
    var blob: String { dialect == .sqlite ? "BLOB" : "BYTEA" }
    /// Boolean (0/1 in SQLite).
    var boolean: String { dialect == .sqlite ? "INTEGER" : "BOOLEAN" }
    /// Text of any length.
    var text: String { "TEXT" }
    /// An instant, stored as ISO-8601 UTC text.
    var instant: String { "TEXT" }
}
