import CarteraTestSupport
import Foundation


/// A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) for driving headless Chromium through
/// chromedriver: sessions, navigation, elements, and screenshots.
final class WebDriver: @unchecked Sendable {
    let port: Int
    private(set) var sessionID = ""
    private let driver: ChildProcess

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts chromedriver on a free port and opens a headless Chromium session.
    init(chromedriver: String, chromium: String) async throws {
        let port = try FreePort.find()
        let driver = try ChildProcess(executable: chromedriver, arguments: ["--port=\(port)"])
        self.driver = driver
        self.port = port
        var ready = false
        var lastProblem = ""
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            do {
                let status = try await call("GET", "/status")
                ready = (status["value"] as? [String: Any])?["ready"] as? Bool ?? false
                lastProblem = "\(status)"
            } catch {
                lastProblem = "\(error)"
            }
        }
        guard ready else { throw Failure(description: "chromedriver did not become ready on port \(port): \(lastProblem)") }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--lang=es-MX"],
                    ] as [String: Any],
                ] as [String: Any]
            ]
        ]
        let response = try await call("POST", "/session", capabilities)
        guard let value = response["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw Failure(description: "could not open a browser session: \(response)")
        }
        sessionID = id
    }

    /// Closes the browser and stops chromedriver.
    func quit() async {
        if !sessionID.isEmpty { _ = try? await call("DELETE", "/session/\(sessionID)") }
        driver.terminate()
        await driver.exited()
    }

    deinit {
        driver.terminate()
    }

    // MARK: Commands

    func navigate(_ url: String) async throws {
        _ = try await session("POST", "/url", ["url": url])
    }

    func currentURL() async throws -> String {
        try await session("GET", "/url") as? String ?? ""
    }

    /// The element matching a CSS selector (fails when there is none).
    func element(_ css: String) async throws -> String {
        let value = try await session("POST", "/element", ["using": "css selector", "value": css])
        guard let element = value as? [String: Any], let id = element.first(where: { $0.key.hasPrefix("element-") })?.value as? String else {
            throw Failure(description: "no element matches \(css) on \(try await currentURL())")
        }
        return id
    }

    func text(_ css: String) async throws -> String {
        try await session("GET", "/element/\(try await element(css))/text") as? String ?? ""
    }

    func attribute(_ css: String, _ name: String) async throws -> String {
        try await session("GET", "/element/\(try await element(css))/attribute/\(name)") as? String ?? ""
    }

    func type(_ css: String, _ text: String) async throws {
        let id = try await element(css)
        _ = try await session("POST", "/element/\(id)/clear", [:])
        _ = try await session("POST", "/element/\(id)/value", ["text": text])
    }

    /// Chooses the option with `value` in a `<select>`.
    func select(_ css: String, _ value: String) async throws {
        _ = try await session("POST", "/element/\(try await element("\(css) option[value='\(value)']"))/click", [:])
    }

    func click(_ css: String) async throws {
        _ = try await session("POST", "/element/\(try await element(css))/click", [:])
    }

    /// Waits (up to 15 s) until an element matches `css`; a form submission returns before the next page has loaded.
    func waitFor(_ css: String) async throws {
        for _ in 0..<150 {
            if (try? await element(css)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = try await element(css)
    }

    /// Waits (up to 15 s) until the browser is at `url`, and returns where it is.
    @discardableResult
    func waitForURL(_ url: String) async throws -> String {
        for _ in 0..<150 {
            if try await currentURL() == url { return url }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await currentURL()
    }

    /// The visible text of the whole page.
    func pageText() async throws -> String { try await text("body") }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        guard let base64 = try await session("GET", "/screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "the browser returned no screenshot")
        }
        return data
    }

    // MARK: Transport

    private func session(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let response = try await call(method, "/session/\(sessionID)\(path)", body)
        if let value = response["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return response["value"]
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let port = self.port
        // Foundation's URLSession on Linux rejects chromedriver's headers (no space after the colon), so this speaks
        // HTTP/1.1 over a loopback socket itself, on a Dispatch thread.
        let data = try await CLI.offloaded { try LoopbackHTTP.request(port: port, method: method, path: path, body: payload) }
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

/// A TCP port nobody listens on right now.
enum FreePort {
    static func find() throws -> Int {
        let fd = try LoopbackHTTP.tcpSocket()
        defer { close(fd) }
        var address = LoopbackHTTP.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw WebDriver.Failure(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw WebDriver.Failure(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Minimal HTTP/1.1 over a loopback TCP socket: one request, a `Content-Length` response.
enum LoopbackHTTP {
    static func tcpSocket() throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw WebDriver.Failure(description: "socket() failed") }
        return fd
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func request(port: Int, method: String, path: String, body: Data?) throws -> Data {
        let fd = try tcpSocket()
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw WebDriver.Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        let payload = body ?? Data()
        var message = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n".utf8)
        message += Data("Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n".utf8) + payload
        try message.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = send(fd, buffer.baseAddress! + sent, buffer.count - sent, 0)
                guard n > 0 else { throw WebDriver.Failure(description: "send() failed") }
                sent += n
            }
        }
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let split = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<split.lowerBound], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                if let length, received.count - split.upperBound >= length {
                    return received[split.upperBound..<split.upperBound + length]
                }
            }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: chunk[0..<n])
        }
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else { throw WebDriver.Failure(description: "no HTTP response") }
        return received[split.upperBound...]
    }
}
