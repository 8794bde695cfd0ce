import Foundation

/// Where the data lives: an SQLite file (the embedded default) or a PostgreSQL server.
///
/// Accepted forms:
/// - `sqlite://./cartera.sqlite` (relative path), `sqlite:///var/lib/cartera/cartera.sqlite` (absolute path);
/// - `postgres://user:password@host:5432/database` or `postgresql://…`, optionally `?sslmode=disable|prefer|require`.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The default: an SQLite file in the working directory.
    public static let defaultValue = "sqlite://./cartera.sqlite"

    /// Parses a database URL.
    public init(_ text: String) throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            guard !path.isEmpty, !path.hasSuffix("/") else { throw .invalidURL(Self.redact(trimmed)) }
            self = .sqlite(path: path)
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty,
                components.path.count > 1
            else {
                throw .invalidURL(Self.redact(trimmed))
            }
            if let port = components.port, !(1...65535).contains(port) { throw .invalidURL(Self.redact(trimmed)) }
            self = .postgres(url: trimmed)
        } else {
            throw .invalidURL(Self.redact(trimmed))
        }
    }

    /// The engine behind the URL.
    public var dialect: SQLDialectKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The URL with any password replaced by `***`: safe to log and print.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let url): Self.redact(url)
        }
    }

    /// Replaces the password of a URL (`scheme://user:password@host`) with `***`.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        // The authority ends at the first "/" after the scheme; a password may itself contain "@", so the user info
        // ends at the last "@" of the authority.
        let authorityEnd = text[schemeEnd.upperBound...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text.range(of: "@", options: .backwards, range: schemeEnd.upperBound..<authorityEnd) else { return text }
        let userInfo = text[schemeEnd.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<schemeEnd.upperBound]) + userInfo[..<colon] + ":***" + String(text[at.lowerBound...])
    }
}

/// The SQL engines Cartera runs on.
public enum SQLDialectKind: String, Sendable, Hashable {
    case sqlite
    case postgres
}
