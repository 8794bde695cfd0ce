import NIOCore

/// One SMTP reply: its code and its text lines (RFC 5321 §4.2: `250-first`, `250 last`).
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]
    public var text: String { lines.joined(separator: " ") }
}

/// Reads CRLF-terminated lines from a connection and hands them out one by one to whoever waits, with a time limit.
/// Its state is touched only on the channel's event loop (hence `@unchecked Sendable`).
public final class SMTPLineReader: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer

    /// A line longer than this ends the connection (RFC 5321 allows 1,000 octets for commands and replies; message
    /// lines are read in the same way, so a generous limit).
    static let longestLine = 64 * 1024

    public struct Closed: Error, CustomStringConvertible {
        public let description: String
    }

    private var pending: [UInt8] = []
    private var lines: [String] = []
    private var waiters: [(id: Int, promise: EventLoopPromise<String>)] = []
    private var counter = 0
    private var failure: Closed?

    public init() {}

    /// Why the connection ended, once it has (a TLS handshake's error says more than the write that found it closed).
    public func failureDescription(on loop: any EventLoop) -> EventLoopFuture<String?> {
        loop.submit { self.failure?.description }
    }

    /// Bytes received and not yet read as lines (STARTTLS must find none).
    public var hasUnreadInput: Bool { !pending.isEmpty || !lines.isEmpty }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        for line in Self.lines(adding: &buffer, to: &pending) { deliver(String(decoding: line, as: UTF8.self)) }
        if pending.count > Self.longestLine {
            fail(Closed(description: "línea demasiado larga"))
            context.close(promise: nil)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        fail(Closed(description: "la conexión se cerró"))
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Closed(description: "\(error)"))
        context.close(promise: nil)
    }

    /// Appends `buffer` to `pending` and takes out the complete lines, without their CR LF (or bare LF).
    public static func lines(adding buffer: inout ByteBuffer, to pending: inout [UInt8]) -> [ArraySlice<UInt8>] {
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        var lines: [ArraySlice<UInt8>] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            lines.append(ArraySlice(Array(pending[start..<end])))
            start = newline + 1
        }
        pending.removeSubrange(..<start)
        return lines
    }

    private func deliver(_ line: String) {
        if waiters.isEmpty { lines.append(line) } else { waiters.removeFirst().promise.succeed(line) }
    }

    private func fail(_ error: Closed) {
        if failure == nil { failure = error }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.promise.fail(error) }
    }

    /// The next line; fails when the connection ends or nothing comes within `timeout`. Call on the event loop.
    public func nextLine(on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<String> {
        if !lines.isEmpty { return loop.makeSucceededFuture(lines.removeFirst()) }
        if let failure { return loop.makeFailedFuture(failure) }
        counter += 1
        let id = counter
        let promise = loop.makePromise(of: String.self)
        waiters.append((id, promise))
        let timer = loop.scheduleTask(in: timeout) { [self] in
            if let index = waiters.firstIndex(where: { $0.id == id }) {
                waiters.remove(at: index).promise.fail(Closed(description: "sin respuesta en \(timeout.nanoseconds / 1_000_000_000) s"))
            }
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }
}
