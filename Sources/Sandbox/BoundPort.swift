import Foundation

/// The port a server listens on, known once it has bound (port 0 picks any free one): the sandboxes read it to give
/// their own URLs and Cartera's.
public final class BoundPort: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int  // guarded by `lock`

    public init(_ port: Int) { self.port = port }

    public var value: Int { lock.withLock { port } }

    public func set(_ port: Int) { lock.withLock { self.port = port } }
}
