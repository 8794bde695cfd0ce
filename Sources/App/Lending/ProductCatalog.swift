import CarteraCore
import Foundation
import HTTPTypes
import Lending
import SQLKit
import Store

/// The lender's products. Saving a product whose code exists creates its next version; versions never change.
public struct ProductCatalog: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    /// Stores `product` as the next version of its code (version 1 for a new code). Returns it with its version.
    public func save(_ input: Product, lenderID: String, actor: Administration.Actor) async throws -> Product {
        var draft = input
        draft.code = draft.code.trimmingCharacters(in: .whitespaces).uppercased()
        draft.name = draft.name.trimmingCharacters(in: .whitespaces)
        draft.version = 1
        let issues = draft.issues()
        guard issues.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "product_invalid", message: "Revise los términos del producto.", details: issues)
        }
        let now = clock()
        let product = draft
        return try await database.transaction { db -> Product in
            let latest = try await db.raw(
                "SELECT MAX(version) AS v FROM products WHERE lender_id = \(bind: lenderID) AND code = \(bind: product.code)"
            ).first(decodingColumn: "v", as: Int?.self) ?? nil
            var stored = product
            stored.version = (latest ?? 0) + 1
            let terms = String(decoding: try Self.encoder.encode(stored), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO products (lender_id, code, version, name, terms, active, created_at, created_by)
                VALUES (\(bind: lenderID), \(bind: stored.code), \(bind: stored.version), \(bind: stored.name), \(bind: terms),
                        \(unsafeRaw: "TRUE"), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: stored.version == 1 ? "product.create" : "product.version", objectType: "product",
                                     objectID: "\(stored.code)@\(stored.version)", at: now, change: terms),
                on: db
            )
            return stored
        }
    }

    /// The latest version of every product, by code.
    public func latest(lenderID: String) async throws -> [Product] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT p.terms FROM products p
                WHERE p.lender_id = \(bind: lenderID) AND p.version = (SELECT MAX(q.version) FROM products q WHERE q.lender_id = p.lender_id AND q.code = p.code)
                ORDER BY p.code
                """
            ).all(decodingColumn: "terms", as: String.self)
        }
        return try rows.map { try JSONDecoder().decode(Product.self, from: Data($0.utf8)) }
    }

    /// One version of a product (the latest when `version` is nil).
    public func product(code: String, version: Int? = nil, lenderID: String) async throws -> Product? {
        try await database.withConnection { db in try await product(code: code, version: version, lenderID: lenderID, on: db) }
    }

    /// One version of a product, read inside the caller's transaction.
    public func product(code: String, version: Int? = nil, lenderID: String, on db: any SQLDatabase) async throws -> Product? {
        let code = code.uppercased()
        let text: String?
        if let version {
            text = try await db.raw(
                "SELECT terms FROM products WHERE lender_id = \(bind: lenderID) AND code = \(bind: code) AND version = \(bind: version)"
            ).first(decodingColumn: "terms", as: String.self)
        } else {
            text = try await db.raw(
                "SELECT terms FROM products WHERE lender_id = \(bind: lenderID) AND code = \(bind: code) ORDER BY version DESC LIMIT 1"
            ).first(decodingColumn: "terms", as: String.self)
        }
        return try text.map { try JSONDecoder().decode(Product.self, from: Data($0.utf8)) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
