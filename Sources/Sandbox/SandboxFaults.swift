import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Trouble a person (or a test) can ask the sandboxes to make, to see how Cartera copes: every API call answers an
/// error status (500, 502, 503, 429…) or hangs for a while, for the next `count` calls or until cleared. The sandboxes'
/// own pages and controls are never affected.
public final class SandboxFaults: Sendable {
    public enum Mode: Sendable, Equatable {
        case none
        /// Answer this HTTP status (with a `Retry-After: 1` on 429 and 503).
        case status(Int)
        /// Answer nothing for this many seconds (then 504).
        case hang(seconds: Int)
    }

    private struct State {
        var mode: Mode = .none
        var remaining: Int?
        var faulted = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Starts making trouble: `count` calls (nil: until `clear`).
    public func set(_ mode: Mode, count: Int? = nil) {
        state.withLockedValue { $0.mode = mode; $0.remaining = count }
    }

    public func clear() { set(.none) }

    /// How many calls got trouble so far.
    public var faulted: Int { state.withLockedValue { $0.faulted } }

    /// The trouble for this call, if any.
    func take() -> Mode {
        state.withLockedValue { state in
            guard state.mode != .none else { return .none }
            if let remaining = state.remaining {
                guard remaining > 0 else { state.mode = .none; return .none }
                state.remaining = remaining - 1
            }
            state.faulted += 1
            return state.mode
        }
    }

    /// Answers the call with trouble, or nil to let it through.
    func intercept() async -> Response? {
        switch take() {
        case .none:
            return nil
        case .status(let code):
            var headers: HTTPFields = [.contentType: "application/json"]
            if code == 429 || code == 503 { headers[.retryAfter] = "1" }
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"sandbox_fault","message":"Falla simulada por el sandbox"}"#)))
        case .hang(let seconds):
            try? await Task.sleep(for: .seconds(seconds))
            return Response(status: .gatewayTimeout)
        }
    }

    /// `POST {prefix}/_sandbox/faults` with `mode` (`500`, `503`, `429`, `hang`, `none`), `count` and `seconds` in the
    /// query or a form; `GET` tells the current trouble.
    func add<Context: RequestContext>(to router: Router<Context>, path: String) {
        router.post(RouterPath(path)) { request, _ in
            let fields = try await SandboxForm.read(request)
            let count = fields["count"].flatMap(Int.init)
            switch fields["mode"] ?? "none" {
            case "hang": self.set(.hang(seconds: fields["seconds"].flatMap(Int.init) ?? 30), count: count)
            case "none": self.clear()
            case let code: 
                guard let status = Int(code), (400...599).contains(status) else {
                    return SandboxPage.html("<p>mode es none, hang o un código HTTP de error (500, 503, 429…).</p>", status: .badRequest)
                }
                self.set(.status(status), count: count)
            }
            return SandboxPage.html("<p>Fallas del sandbox: \(SandboxPage.escape("\(self.state.withLockedValue { $0.mode })")).</p>")
        }
    }
}
