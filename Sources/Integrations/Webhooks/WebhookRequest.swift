/// A webhook as it arrived: header names lowercased, query parameters, and the raw body untouched (signatures are
/// computed over the exact bytes, so nothing may parse and re-encode it first).
public struct WebhookRequest: Sendable {
    public let headers: [String: String]
    public let query: [String: String]
    public let body: [UInt8]

    public init(headers: [String: String], query: [String: String] = [:], body: [UInt8]) {
        var lowercased: [String: String] = [:]
        for (name, value) in headers { lowercased[name.lowercased()] = value }
        self.headers = lowercased
        self.query = query
        self.body = body
    }

    /// The value of header `name`, whatever its case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
