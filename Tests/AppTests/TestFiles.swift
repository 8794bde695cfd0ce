@testable import App
import CarteraCore
import Compliance
import SQLKit
import Store

/// Completes clients' identification files as the demo does — a sample document for each one the lender's policy
/// requires, compared with the original on receipt — for tests of what happens once a loan is disbursed (a file that is
/// not complete holds the disbursement; `KYCFilesTests` tests that).
enum TestFiles {
    static func complete(_ clientID: String, lenderID: String, database: Database) async throws {
        guard let record = try await ClientDirectory(database: database, keys: TestKeys.live).get(id: clientID) else { return }
        let files = KYCFiles(database: database, keys: TestKeys.live)
        let (_, policy) = try await files.policy(lenderID: lenderID)
        let today = Timestamp.now.calendarDate(utcOffsetSeconds: -6 * 3600)
        _ = try await files.upload(
            clientID: clientID, DemoDocuments.uploads(for: record.profile, policy: policy, today: today), lenderID: lenderID, actor: .commandLine, verifiedOnReceipt: true
        )
    }

    /// Completes the file of every client of the lender.
    static func completeAll(lenderID: String, database: Database) async throws {
        let ids = try await database.withConnection { db in
            try await db.raw("SELECT id FROM clients WHERE lender_id = \(bind: lenderID)").all(decodingColumn: "id", as: String.self)
        }
        for id in ids { try await complete(id, lenderID: lenderID, database: database) }
    }
}
