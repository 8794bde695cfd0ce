import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends a sandbox's webhook as its provider does: a POST (JSON unless told otherwise), in the background, tried again a few times (with
/// shorter waits than the providers') until the receiver answers 2xx.
enum SandboxDelivery {
    static func send(_ body: [UInt8], to url: String, headers: [(String, String)], contentType: String = "application/json", http: HTTPClient) {
        Task {
            for attempt in 0..<8 {
                if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 << min(attempt, 5))) }
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: contentType)
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.body = .bytes(ByteBuffer(bytes: body))
                if let response = try? await http.execute(request, timeout: .seconds(10)), (200..<300).contains(Int(response.status.code)) { return }
            }
        }
    }
}
