import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import SQLKit
import Store

/// Creating something through the API at most once per `Idempotency-Key`: the key is claimed, the thing created and
/// the answer stored in one transaction, so a retry with the same key and body gets the first answer, and the same key
/// with another body is refused.
enum IdempotentCreation {
    /// Runs `create` (which returns the JSON of what it created) unless `key` already has an answer; answers 201.
    static func respond(
        _ database: Database, scope: String, key: String?, requestHash: String, now: @escaping @Sendable () -> Timestamp,
        create: @escaping @Sendable (any SQLDatabase) async throws -> Data
    ) async throws -> Response {
        let (status, data) = try await database.transaction { db -> (Int, Data) in
            if let key {
                switch try await IdempotencyKeys.begin(scope: scope, key: key, requestHash: requestHash, now: now(), on: db) {
                case .started: break
                case .replay(let status, let body): return (status, body)
                case .inProgress: throw LoanBook.idempotencyInProgress
                case .mismatch: throw LoanBook.idempotencyMismatch
                }
            }
            let data = try await create(db)
            if let key { try await IdempotencyKeys.complete(scope: scope, key: key, status: 201, body: data, now: now(), on: db) }
            return (201, data)
        }
        return json(status, data)
    }

    /// A JSON response with `status`.
    static func json(_ status: Int, _ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
