import CarteraCore
import Foundation
import SQLKit
import Store

/// Messages for a borrower, shown in the portal: what happened to an automatic charge and what to do next.
public struct BorrowerNotice: Sendable, Encodable {
    public let id: String
    public let loanId: String?
    /// `recurring.paid`, `recurring.retry`, `recurring.exhausted`, `recurring.card_expired`, `recurring.ended`.
    public let kind: String
    public let title: String
    public let body: String
    public let createdAt: String

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        loanId = try row.decode(column: "loan_id", as: String?.self)
        kind = try row.decode(column: "kind", as: String.self)
        title = try row.decode(column: "title", as: String.self)
        body = try row.decode(column: "body", as: String.self)
        createdAt = try row.decode(column: "created_at", as: String.self)
    }
}

public enum BorrowerNotices {
    /// Records a notice in the caller's transaction.
    static func post(kind: String, title: String, body: String, clientID: String, loanID: String?, lenderID: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO borrower_notices (id, lender_id, client_id, loan_id, kind, title, body, created_at)
            VALUES (\(bind: APIClients.timeOrderedID("ntc_", at: now)), \(bind: lenderID), \(bind: clientID), \(bind: loanID), \(bind: kind), \(bind: title), \(bind: body), \(bind: now.text))
            """
        ).run()
    }

    /// The client's latest notices, newest first.
    public static func latest(clientID: String, lenderID: String, limit: Int = 20, database: Database) async throws -> [BorrowerNotice] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, loan_id, kind, title, body, created_at FROM borrower_notices WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID)
                ORDER BY created_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 200)))
                """
            ).all().map(BorrowerNotice.init)
        }
    }
}
