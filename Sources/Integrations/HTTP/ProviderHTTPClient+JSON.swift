import Foundation
import NIOHTTP1

extension ProviderHTTPClient {
    /// Sends `body` as JSON (none when nil) with `headers`, and reads the answer's JSON, whatever its status: the
    /// connector tells a success from its provider's error body. An answer that is not JSON is `invalidResponse`.
    func sendJSON(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)], body: [String: Any]?, idempotent: Bool
    ) async throws(GatewayError) -> (status: Int, json: Any) {
        var headers = headers
        if !headers.contains(where: { $0.0.caseInsensitiveCompare("Accept") == .orderedSame }) { headers.append(("Accept", "application/json")) }
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", "application/json"))
            guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
                throw .invalidResponse(provider: provider, detail: "cuerpo no serializable")
            }
            bytes = Array(data)
        }
        let response = try await send(.init(method: method, path: path, headers: headers, body: bytes, idempotent: idempotent))
        // 204 No Content (a deletion) carries no body.
        if response.body.isEmpty, (200..<300).contains(response.status) { return (response.status, [String: Any]()) }
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) else {
            throw .invalidResponse(provider: provider, detail: "HTTP \(response.status) sin JSON")
        }
        return (response.status, json)
    }
}
