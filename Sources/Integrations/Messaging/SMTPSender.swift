import CarteraCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// E-mail over SMTP submission (RFC 5321, 6409): EHLO, STARTTLS (RFC 3207) or implicit TLS, AUTH PLAIN or LOGIN
/// (RFC 4954), MAIL FROM, RCPT TO, DATA, QUIT. No SMTP package fits, so this is a small client on SwiftNIO and NIOSSL.
///
/// Credentials are never sent over a connection without TLS unless the server is this machine (the sandbox's sink).
/// A connection lost after the message's final dot is `outcomeUnknown` (the server may have queued it); before that,
/// nothing was sent and the outbox tries again.
public struct SMTPSender: MessageSender {
    public let channel = "email"

    public struct Settings: Sendable {
        public enum Security: String, Sendable, CaseIterable {
            /// Port 587: plain connection upgraded with STARTTLS, which is required.
            case startTLS = "starttls"
            /// Port 465: TLS from the first byte.
            case implicitTLS = "tls"
            /// No TLS: only for a server on this machine.
            case none
        }

        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: String?
        /// The envelope and `From:` address, and its display name.
        public var from: String
        public var fromName: String?
        /// Extra certificate authorities to trust, PEM (the sandbox's sink signs its own).
        public var trustedCertificatesPEM: String?
        public var heloName: String
        public var timeout: TimeAmount

        public init(
            host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, from: String, fromName: String? = nil,
            trustedCertificatesPEM: String? = nil, heloName: String = "cartera.localhost", timeout: TimeAmount = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.from = from
            self.fromName = fromName
            self.trustedCertificatesPEM = trustedCertificatesPEM
            self.heloName = heloName
            self.timeout = timeout
        }

        var isLocal: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }
    }

    public let settings: Settings
    let group: any EventLoopGroup
    let clock: @Sendable () -> Timestamp

    public init(settings: Settings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.settings = settings
        self.group = group
        self.clock = clock
    }

    /// The domain of the sender's address, for Message-IDs.
    var domain: String { settings.from.split(separator: "@").last.map(String.init) ?? "cartera.localhost" }

    public func send(_ message: OutgoingMessage) async throws(MessagingError) -> SentMessage {
        guard MIMEMessage.isSafeAddress(settings.from) else { throw .notConfigured(provider: "SMTP") }
        // Personal data never crosses the network in clear text: without TLS only to a server on this machine.
        guard settings.security != .none || settings.isLocal else { throw .notConfigured(provider: "SMTP (sin TLS sólo en esta máquina)") }
        guard MIMEMessage.isSafeAddress(message.to) else {
            throw .refused(provider: "SMTP", providerCode: "553", detail: "dirección de correo no válida", optedOut: false)
        }
        let messageID = "\(message.id)@\(domain)"
        let data = MIMEMessage.build(
            from: settings.from, fromName: settings.fromName, to: message.to, subject: message.subject ?? "", body: message.body, messageID: messageID,
            date: clock()
        )
        let session = try await Session.open(settings, group: group)
        defer { session.close() }
        try await session.deliver(data, from: settings.from, to: message.to)
        return SentMessage(providerID: "<\(messageID)>", status: "sent")
    }

    /// One connection to the server, greeted, secured and authenticated.
    final class Session: Sendable {
        let channel: any Channel
        let reader: SMTPLineReader
        let settings: Settings
        let capabilities: [String]

        private init(channel: any Channel, reader: SMTPLineReader, settings: Settings, capabilities: [String]) {
            self.channel = channel
            self.reader = reader
            self.settings = settings
            self.capabilities = capabilities
        }

        static func tlsContext(_ settings: Settings) throws -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let pem = settings.trustedCertificatesPEM {
                configuration.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))]
            }
            return try NIOSSLContext(configuration: configuration)
        }

        /// The host name TLS checks the certificate against (nil for an IP address: NIOSSL then checks the address).
        static func serverHostname(_ host: String) -> String? {
            host.allSatisfy({ $0.isNumber || $0 == "." }) || host.contains(":") ? nil : host
        }

        static func open(_ settings: Settings, group: any EventLoopGroup) async throws(MessagingError) -> Session {
            let reader = SMTPLineReader()
            let tls: NIOSSLContext?
            do { tls = settings.security == .none ? nil : try tlsContext(settings) } catch {
                throw .notConfigured(provider: "SMTP")
            }
            let channel: any Channel
            do {
                let implicit = settings.security == .implicitTLS ? tls : nil
                let hostname = serverHostname(settings.host)
                channel = try await ClientBootstrap(group: group)
                    .connectTimeout(settings.timeout)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let implicit {
                                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicit, serverHostname: hostname))
                            }
                            try channel.pipeline.syncOperations.addHandler(reader)
                        }
                    }
                    .connect(host: settings.host, port: settings.port).get()
            } catch {
                throw .unavailable(provider: "SMTP", detail: "no se pudo conectar con \(settings.host):\(settings.port) (\(error))")
            }
            var session = Session(channel: channel, reader: reader, settings: settings, capabilities: [])
            do {
                try await session.expect(220, try await session.reply())
                var ehlo = try await session.command("EHLO \(settings.heloName)")
                try await session.expect(250, ehlo)
                if settings.security == .startTLS {
                    guard ehlo.lines.dropFirst().contains(where: { $0.uppercased() == "STARTTLS" }), let tls else {
                        throw MessagingError.notConfigured(provider: "SMTP (el servidor no ofrece STARTTLS)")
                    }
                    try await session.expect(220, try await session.command("STARTTLS"))
                    let hostname = serverHostname(settings.host)
                    try await channel.eventLoop.submit {
                        // Anything sent after the 220 in clear text could be an injected command (CVE-2011-0411 style).
                        guard !reader.hasUnreadInput else { throw SMTPLineReader.Closed(description: "datos inesperados antes de TLS") }
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname), position: .first)
                    }.get()
                    ehlo = try await session.command("EHLO \(settings.heloName)")
                    try await session.expect(250, ehlo)
                }
                session = Session(channel: channel, reader: reader, settings: settings, capabilities: ehlo.lines.dropFirst().map { $0.uppercased() })
                try await session.authenticate()
                return session
            } catch let error as MessagingError {
                session.close()
                throw error
            } catch {
                let cause = (try? await reader.failureDescription(on: channel.eventLoop).get()) ?? nil
                session.close()
                throw .unavailable(provider: "SMTP", detail: cause ?? "\(error)")
            }
        }

        func authenticate() async throws(MessagingError) {
            guard let username = settings.username, let password = settings.password, !username.isEmpty else { return }
            guard settings.security != .none || settings.isLocal else { throw .notConfigured(provider: "SMTP (credenciales sin TLS)") }
            let mechanisms = capabilities.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }?.dropFirst(5).split(separator: " ").map(String.init) ?? []
            do {
                if mechanisms.contains("PLAIN") {
                    let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                    try await expect(235, try await command("AUTH PLAIN \(token)", secret: true))
                } else if mechanisms.contains("LOGIN") {
                    try await expect(334, try await command("AUTH LOGIN"))
                    try await expect(334, try await command(Data(username.utf8).base64EncodedString(), secret: true))
                    try await expect(235, try await command(Data(password.utf8).base64EncodedString(), secret: true))
                } else {
                    throw MessagingError.notConfigured(provider: "SMTP (el servidor no ofrece AUTH PLAIN ni LOGIN)")
                }
            } catch let error as MessagingError {
                throw error
            } catch {
                throw .unavailable(provider: "SMTP", detail: "\(error)")
            }
        }

        func deliver(_ data: [UInt8], from: String, to: String) async throws(MessagingError) {
            do {
                try await expect(250, try await command("MAIL FROM:<\(from)>"))
                let recipient = try await command("RCPT TO:<\(to)>")
                if recipient.code != 251 { try expect(250, recipient) }
                try await expect(354, try await command("DATA"))
            } catch let error as MessagingError {
                throw error
            } catch {
                throw .unavailable(provider: "SMTP", detail: "\(error)")
            }
            // From here the server may take the message even if its answer is lost.
            do {
                try await write(Self.dotStuffed(data) + Array(".\r\n".utf8))
                try expect(250, try await reply())
            } catch let error as MessagingError {
                throw error
            } catch {
                throw .outcomeUnknown(provider: "SMTP", detail: "\(error)")
            }
            _ = try? await command("QUIT")
        }

        /// Lines starting with a dot get another (RFC 5321 §4.5.2); the message ends with CRLF.
        static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
            var output: [UInt8] = []
            output.reserveCapacity(data.count + 64)
            var atLineStart = true
            for byte in data {
                if atLineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
                output.append(byte)
                atLineStart = byte == UInt8(ascii: "\n")
            }
            if !atLineStart { output += Array("\r\n".utf8) }
            return output
        }

        func write(_ bytes: [UInt8]) async throws {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        }

        func command(_ line: String, secret: Bool = false) async throws -> SMTPReply {
            try await write(Array((line + "\r\n").utf8))
            return try await reply()
        }

        func reply() async throws -> SMTPReply {
            var lines: [String] = []
            while true {
                let reader = reader
                let timeout = settings.timeout
                let loop = channel.eventLoop
                let line = try await loop.flatSubmit { reader.nextLine(on: loop, timeout: timeout) }.get()
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPLineReader.Closed(description: "respuesta SMTP ilegible: \(line.prefix(80))") }
                lines.append(String(line.dropFirst(4)))
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return SMTPReply(code: code, lines: lines) }
                if lines.count > 200 { throw SMTPLineReader.Closed(description: "respuesta SMTP demasiado larga") }
            }
        }

        /// Accepts `reply` when it has the expected code; 4xx is temporary, 5xx refuses the message (535: bad credentials).
        func expect(_ code: Int, _ reply: SMTPReply) throws(MessagingError) {
            guard reply.code != code else { return }
            let detail = "\(reply.code) \(reply.text)"
            switch reply.code {
            case 535, 534, 530: throw .notConfigured(provider: "SMTP (\(detail))")
            case 400..<500: throw .unavailable(provider: "SMTP", detail: detail)
            default: throw .refused(provider: "SMTP", providerCode: String(reply.code), detail: reply.text, optedOut: false)
            }
        }

        func close() {
            channel.close(promise: nil)
        }
    }
}
