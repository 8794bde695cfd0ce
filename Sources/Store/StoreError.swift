import CarteraCore

/// Failures of the storage layer that a person can act on.
public enum StoreError: CarteraError, Equatable {
    /// The database URL cannot be parsed (the associated value has the password redacted).
    case invalidURL(String)
    /// The SQLite file cannot be created or opened.
    case cannotOpenSQLite(path: String, detail: String)
    /// The PostgreSQL server cannot be reached or refused the connection.
    case unreachable(url: String, detail: String)
    /// The database holds migrations this version of Cartera does not know (it was upgraded by a newer version).
    case unknownMigrations([Int])
    /// A recorded migration has another name than this version expects.
    case migrationMismatch(version: Int, recorded: String, expected: String)
    /// A migration failed; nothing of it was applied.
    case migrationFailed(version: Int, name: String, detail: String)
    /// A transaction was started inside another one (a programming error: pass the open transaction's `db` instead).
    case nestedTransaction
    /// The database is busy (another writer kept the lock) or a transaction kept conflicting.
    case busy(detail: String)

    public var code: String {
        switch self {
        case .invalidURL: "database_url_invalid"
        case .cannotOpenSQLite: "database_cannot_open"
        case .unreachable: "database_unreachable"
        case .unknownMigrations: "database_newer_than_app"
        case .migrationMismatch: "database_migration_mismatch"
        case .migrationFailed: "database_migration_failed"
        case .nestedTransaction: "database_nested_transaction"
        case .busy: "database_busy"
        }
    }

    public var message: String {
        switch self {
        case .invalidURL(let url):
            "La URL de base de datos «\(url)» no es válida. Use sqlite://./cartera.sqlite, sqlite:///ruta/absoluta.sqlite "
                + "o postgres://usuario:contraseña@servidor:5432/base en CARTERA_DATABASE_URL o --database-url."
        case .cannotOpenSQLite(let path, let detail):
            "No se puede abrir la base de datos SQLite en «\(path)» (\(detail)). "
                + "Revise que la carpeta exista y que tenga permiso de escritura, o indique otra ruta en CARTERA_DATABASE_URL."
        case .unreachable(let url, let detail):
            "No se puede conectar a PostgreSQL en «\(url)» (\(detail)). "
                + "Revise que el servidor esté en marcha, que el usuario y la contraseña sean correctos y que la base exista."
        case .unknownMigrations(let versions):
            "La base de datos tiene migraciones que esta versión de Cartera no conoce (\(versions.map(String.init).joined(separator: ", "))). "
                + "Use la versión de Cartera con la que se actualizó la base."
        case .migrationMismatch(let version, let recorded, let expected):
            "La migración \(version) registrada en la base («\(recorded)») no coincide con la esperada («\(expected)»). "
                + "La base fue modificada por otra versión; no continúe sin revisar el historial de migraciones."
        case .migrationFailed(let version, let name, let detail):
            "La migración \(version) («\(name)») falló y no se aplicó nada de ella: \(detail)"
        case .nestedTransaction:
            "Error interno: se intentó abrir una transacción dentro de otra. Informe el identificador de la solicitud."
        case .busy(let detail):
            "La base de datos está ocupada y la operación no se pudo completar (\(detail)). Intente de nuevo en unos segundos."
        }
    }
}
