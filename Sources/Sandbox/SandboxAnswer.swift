import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A sandbox's answer to an API call: the HTTP status and the JSON object, as the provider would send them.
struct SandboxAnswer: Sendable {
    let status: Int
    let object: [String: any Sendable]
    /// A top-level JSON array instead of an object (Openpay answers lists so).
    var list: [[String: any Sendable]]?

    init(status: Int, object: [String: any Sendable]) {
        self.status = status
        self.object = object
    }

    static func ok(_ object: [String: any Sendable]) -> SandboxAnswer { SandboxAnswer(status: 200, object: object) }

    /// 204 with no body (a deletion, as Openpay and PayPal answer it).
    static let noContent = SandboxAnswer(status: 204, object: [:])

    static func list(_ items: [[String: any Sendable]]) -> SandboxAnswer {
        var answer = SandboxAnswer(status: 200, object: [:])
        answer.list = items
        return answer
    }

    /// The HTTP response, with the provider's request-id header.
    func response(requestID: String, header: String = "Request-Id") -> Response {
        let data =
            status == 204 ? Data() : (try? JSONSerialization.data(withJSONObject: list.map { $0 as Any } ?? object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json", HTTPField.Name(header)!: requestID],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
