import CarteraCore
import Foundation
import Integrations
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// An SMTP submission server that keeps every message instead of delivering it: greets, offers STARTTLS, asks for
/// AUTH (PLAIN or LOGIN) once the connection is encrypted, takes MAIL, RCPT and DATA, as a mail provider's port 587
/// does. Recipients whose address starts with `rechaza` are refused (550), `temporal` deferred (451), and for
/// `sin-respuesta` the connection drops after the message is taken (a lost answer).
public final class SMTPSink: Sendable {
    public static let username = "cartera"
    public static let password = "sandbox-smtp"

    public struct Mail: Sendable, Equatable {
        public let id: String
        public let from: String
        public let recipients: [String]
        public let data: [UInt8]
        public let receivedAt: Timestamp
        public var subject: String { MIMEMessage.read(data).subject }
        public var body: String { MIMEMessage.read(data).body }
        public var messageID: String? { MIMEMessage.read(data).headers.first { $0.0.lowercased() == "message-id" }?.1 }
    }

    let tls: SandboxTLS
    let clock: @Sendable () -> Timestamp
    private let state = NIOLockedValueBox<(mails: [Mail], channel: (any Channel)?, port: Int)>(([], nil, 0))

    /// The certificate the sink presents (Cartera trusts it through `CARTERA_SMTP_CA_FILE`).
    public var certificatePEM: String { tls.certificatePEM }
    /// The port it listens on, once started.
    public var port: Int { state.withLockedValue { $0.port } }
    /// Every message taken, oldest first.
    public var mails: [Mail] { state.withLockedValue { $0.mails } }

    public init(clock: @escaping @Sendable () -> Timestamp = { .now }) throws {
        tls = try SandboxTLS.make()
        self.clock = clock
    }

    /// Listens on 127.0.0.1 (`port` 0 picks a free one) and returns the port.
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SMTPSinkSession(sink: self)) }
            }
            .bind(host: "127.0.0.1", port: port).get()
        let bound = channel.localAddress?.port ?? port
        state.withLockedValue {
            $0.channel = channel
            $0.port = bound
        }
        return bound
    }

    public func stop() async {
        let channel = state.withLockedValue { $0.channel }
        try? await channel?.close()
    }

    func keep(from: String, recipients: [String], data: [UInt8]) -> String {
        state.withLockedValue { state in
            let id = "sink\(String(state.mails.count + 1).leftPadded(to: 6))"
            state.mails.append(Mail(id: id, from: from, recipients: recipients, data: data, receivedAt: clock()))
            return id
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// One client's conversation with the sink; confined to its channel's event loop.
final class SMTPSinkSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Mode {
        case command
        case data
        case authPlain
        case authLoginUser
        case authLoginPassword(String)
    }

    let sink: SMTPSink
    var pending: [UInt8] = []
    var mode = Mode.command
    var secured = false
    var greeted = false
    var authenticated = false
    var from: String?
    var recipients: [String] = []
    var message: [UInt8] = []
    /// Lines after the current one in the same read.
    var followingLines = 0
    var closing = false

    init(sink: SMTPSink) { self.sink = sink }

    func channelActive(context: ChannelHandlerContext) {
        send(context, "220 sandbox.cartera.localhost ESMTP sumidero de Cartera")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let lines = SMTPLineReader.lines(adding: &buffer, to: &pending)
        for (index, line) in lines.enumerated() {
            // Lines that came with STARTTLS in one read were sent before TLS: refused, as real servers do (CVE-2011-0411).
            followingLines = lines.count - index - 1
            handle(context, Array(line))
            if closing { return }
        }
        if pending.count > 64 * 1024 || message.count > 10 * 1024 * 1024 {
            send(context, "552 5.3.4 mensaje demasiado grande")
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func send(_ context: ChannelHandlerContext, _ lines: String...) {
        context.writeAndFlush(NIOAny(ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")), promise: nil)
    }

    func handle(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        switch mode {
        case .data:
            if bytes == [UInt8(ascii: ".")] {
                mode = .command
                let data = message
                message = []
                let id = sink.keep(from: from ?? "", recipients: recipients, data: data)
                let lost = recipients.contains { $0.lowercased().hasPrefix("sin-respuesta") }
                from = nil
                recipients = []
                if lost {
                    context.close(promise: nil)
                } else {
                    send(context, "250 2.0.0 Ok: queued as \(id)")
                }
            } else {
                message += bytes.first == UInt8(ascii: ".") ? Array(bytes.dropFirst()) : bytes
                message += [13, 10]
            }
            return
        case .authPlain:
            mode = .command
            checkPlain(context, String(decoding: bytes, as: UTF8.self))
            return
        case .authLoginUser:
            mode = .authLoginPassword(decode64(String(decoding: bytes, as: UTF8.self)) ?? "")
            send(context, "334 UGFzc3dvcmQ6")
            return
        case .authLoginPassword(let user):
            mode = .command
            finishAuth(context, user: user, password: decode64(String(decoding: bytes, as: UTF8.self)) ?? "")
            return
        case .command:
            break
        }
        let line = String(decoding: bytes, as: UTF8.self)
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.drop { $0 != " " }.dropFirst()
        switch verb {
        case "EHLO":
            greeted = true
            var lines = ["250-sandbox.cartera.localhost"]
            if secured { lines.append("250-AUTH PLAIN LOGIN") } else { lines.append("250-STARTTLS") }
            lines += ["250-8BITMIME", "250 SIZE 10485760"]
            context.writeAndFlush(NIOAny(ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")), promise: nil)
        case "HELO":
            greeted = true
            send(context, "250 sandbox.cartera.localhost")
        case "STARTTLS":
            guard !secured else { return send(context, "503 5.5.1 TLS ya activo") }
            guard pending.isEmpty, followingLines == 0 else {
                send(context, "503 5.5.1 datos después de STARTTLS")
                closing = true
                context.close(promise: nil)
                return
            }
            send(context, "220 2.0.0 listo para TLS")
            // The 220 is already past the pipeline; what the client sends next is TLS.
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sink.tls.context), position: .first)
                secured = true
                greeted = false
                authenticated = false
            } catch {
                context.close(promise: nil)
            }
        case "AUTH":
            guard secured else { return send(context, "538 5.7.11 se requiere cifrado (STARTTLS) para autenticarse") }
            let parts = argument.split(separator: " ")
            switch parts.first?.uppercased() {
            case "PLAIN":
                if parts.count > 1 { checkPlain(context, String(parts[1])) } else {
                    mode = .authPlain
                    send(context, "334 ")
                }
            case "LOGIN":
                mode = .authLoginUser
                send(context, "334 VXNlcm5hbWU6")
            default:
                send(context, "504 5.5.4 mecanismo no soportado")
            }
        case "MAIL":
            guard authenticated else { return send(context, "530 5.7.0 autentíquese primero") }
            guard let address = Self.address(argument, after: "FROM:") else { return send(context, "501 5.5.4 sintaxis: MAIL FROM:<dirección>") }
            from = address
            recipients = []
            send(context, "250 2.1.0 Ok")
        case "RCPT":
            guard from != nil else { return send(context, "503 5.5.1 falta MAIL FROM") }
            guard let address = Self.address(argument, after: "TO:"), MIMEMessage.isSafeAddress(address) else {
                return send(context, "501 5.1.3 dirección no válida")
            }
            if address.lowercased().hasPrefix("rechaza") { return send(context, "550 5.1.1 el buzón no existe") }
            if address.lowercased().hasPrefix("temporal") { return send(context, "451 4.3.0 intente más tarde") }
            recipients.append(address)
            send(context, "250 2.1.5 Ok")
        case "DATA":
            guard !recipients.isEmpty else { return send(context, "503 5.5.1 falta RCPT TO") }
            mode = .data
            message = []
            send(context, "354 termine con <CRLF>.<CRLF>")
        case "RSET":
            from = nil
            recipients = []
            send(context, "250 2.0.0 Ok")
        case "NOOP":
            send(context, "250 2.0.0 Ok")
        case "QUIT":
            context.writeAndFlush(NIOAny(ByteBuffer(string: "221 2.0.0 adiós\r\n"))).whenComplete { _ in context.close(promise: nil) }
        default:
            send(context, "502 5.5.2 comando no reconocido")
        }
    }

    static func address(_ argument: Substring, after prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    func decode64(_ text: String) -> String? {
        Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)).map { String(decoding: $0, as: UTF8.self) }
    }

    func checkPlain(_ context: ChannelHandlerContext, _ token: String) {
        guard let data = Data(base64Encoded: token.trimmingCharacters(in: .whitespaces)) else { return send(context, "501 5.5.2 base64 no válido") }
        let parts = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3 else { return send(context, "501 5.5.2 credenciales mal formadas") }
        finishAuth(context, user: parts[1], password: parts[2])
    }

    func finishAuth(_ context: ChannelHandlerContext, user: String, password: String) {
        if user == SMTPSink.username && password == SMTPSink.password {
            authenticated = true
            send(context, "235 2.7.0 autenticado")
        } else {
            send(context, "535 5.7.8 usuario o contraseña incorrectos")
        }
    }
}
