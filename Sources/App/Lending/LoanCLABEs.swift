import CarteraCore
import Foundation
import HTTPTypes
import SQLKit
import Store

/// Each loan's own CLABE for SPEI deposits, from the lender's range (`CARTERA_SPEI_CLABE_PREFIX`): handed out the first
/// time the loan needs one (disbursement, its statement, the portal) and never again to another loan.
public struct LoanCLABEs: Sendable {
    let database: Database
    /// The lender's range; nil when none is configured (no CLABEs are handed out).
    public let range: VirtualCLABERange?
    let clock: @Sendable () -> Timestamp

    public init(database: Database, range: VirtualCLABERange?, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.range = range
        self.clock = clock
    }

    /// The loan's CLABE, handed out now when it has none; nil when no range is configured.
    public func clabe(of loanID: String, lenderID: String) async throws -> String? {
        if let known = try await assigned(loanID) { return known }
        guard let range else { return nil }
        let now = clock()
        do {
            return try await database.transaction { db -> String in
                if let known = try await db.raw("SELECT clabe FROM loan_clabes WHERE loan_id = \(bind: loanID)").first(decodingColumn: "clabe", as: String.self) {
                    return known
                }
                try await db.raw(
                    "INSERT INTO clabe_ranges (prefix, lender_id, next_number) VALUES (\(bind: range.prefix), \(bind: lenderID), 1) ON CONFLICT (prefix) DO NOTHING"
                ).run()
                // The range's row is locked until the transaction ends: one number per loan, never two loans per number.
                guard let number = try await db.raw(
                    "UPDATE clabe_ranges SET next_number = next_number + 1 WHERE prefix = \(bind: range.prefix) RETURNING next_number"
                ).first(decodingColumn: "next_number", as: Int64.self).map({ $0 - 1 }), let clabe = range.clabe(number: number) else {
                    throw APIError(
                        status: .conflict, code: "clabe_range_exhausted",
                        message: "Se acabaron las CLABEs del prefijo \(range.prefix). Pida al participante SPEI un prefijo nuevo y configúrelo en CARTERA_SPEI_CLABE_PREFIX."
                    )
                }
                try await db.raw(
                    """
                    INSERT INTO loan_clabes (clabe, loan_id, lender_id, prefix, number, assigned_at)
                    VALUES (\(bind: clabe), \(bind: loanID), \(bind: lenderID), \(bind: range.prefix), \(bind: number), \(bind: now.text))
                    """
                ).run()
                return clabe
            }
        } catch {
            // Another request handed the loan its CLABE at the same moment: that one stands.
            if let known = try await assigned(loanID) { return known }
            throw error
        }
    }

    func assigned(_ loanID: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT clabe FROM loan_clabes WHERE loan_id = \(bind: loanID)").first(decodingColumn: "clabe", as: String.self)
        }
    }

    /// The loan a CLABE was handed to, with its lender.
    public func loan(owning clabe: String) async throws -> (loanID: String, lenderID: String)? {
        try await database.withConnection { db in
            try await db.raw("SELECT loan_id, lender_id FROM loan_clabes WHERE clabe = \(bind: clabe)").first().map {
                (try $0.decode(column: "loan_id", as: String.self), try $0.decode(column: "lender_id", as: String.self))
            }
        }
    }
}
