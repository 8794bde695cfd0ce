import CarteraCore

/// A message to one borrower, ready for its channel's provider.
public struct OutgoingMessage: Sendable, Equatable {
    /// Cartera's id for the message (`msg_…`): sent along where the provider keeps one, and in e-mail's Message-ID.
    public var id: String
    /// `+525512345678` for SMS and WhatsApp, an address for e-mail.
    public var to: String
    public var subject: String?
    public var body: String
    /// The approved WhatsApp template and its body parameters, in order.
    public var whatsAppTemplate: WhatsAppTemplate?
    /// Where the provider reports the message's fate (Twilio's `StatusCallback`).
    public var statusCallback: String?

    public struct WhatsAppTemplate: Sendable, Equatable {
        public var name: String
        public var language: String
        public var parameters: [String]

        public init(name: String, language: String = "es_MX", parameters: [String]) {
            self.name = name
            self.language = language
            self.parameters = parameters
        }
    }

    public init(id: String, to: String, subject: String? = nil, body: String, whatsAppTemplate: WhatsAppTemplate? = nil, statusCallback: String? = nil) {
        self.id = id
        self.to = to
        self.subject = subject
        self.body = body
        self.whatsAppTemplate = whatsAppTemplate
        self.statusCallback = statusCallback
    }
}

/// What the provider said when it took a message.
public struct SentMessage: Sendable, Equatable {
    /// The provider's id (`SM…`, `wamid.…`, the SMTP server's queue id or Cartera's Message-ID).
    public let providerID: String
    /// The provider's first status (`queued`, `accepted`, `sent`).
    public let status: String

    public init(providerID: String, status: String) {
        self.providerID = providerID
        self.status = status
    }
}

/// Sends messages over one channel (SMS through Twilio, WhatsApp through the Cloud API, e-mail over SMTP).
public protocol MessageSender: Sendable {
    /// `sms`, `whatsapp` or `email`.
    var channel: String { get }
    func send(_ message: OutgoingMessage) async throws(MessagingError) -> SentMessage
}

/// Why a message was not taken by its provider.
public enum MessagingError: CarteraError, Equatable {
    /// Nothing was sent (no connection, 429, the provider's outage): try again later.
    case unavailable(provider: String, detail: String)
    /// The request may have reached the provider, and it cannot be asked for an idempotent retry: a person decides.
    case outcomeUnknown(provider: String, detail: String)
    /// The provider refused this message for good (bad number, opted out, template not approved).
    case refused(provider: String, providerCode: String, detail: String, optedOut: Bool)
    /// Cartera has no credentials for the provider.
    case notConfigured(provider: String)

    public var code: String {
        switch self {
        case .unavailable: "message_provider_unavailable"
        case .outcomeUnknown: "message_outcome_unknown"
        case .refused(_, _, _, let optedOut): optedOut ? "message_recipient_opted_out" : "message_refused"
        case .notConfigured: "message_provider_not_configured"
        }
    }

    public var message: String {
        switch self {
        case .unavailable(let provider, let detail): "\(provider) no respondió (\(detail)); el mensaje se reintentará."
        case .outcomeUnknown(let provider, let detail):
            "No se sabe si \(provider) recibió el mensaje (\(detail)); revíselo en el proveedor antes de reenviarlo para no duplicarlo."
        case .refused(let provider, let code, let detail, let optedOut):
            optedOut
                ? "\(provider) indica que el destinatario se dio de baja (\(code)); se registró la baja del canal."
                : "\(provider) rechazó el mensaje (\(code): \(detail)); corrija el dato o la plantilla."
        case .notConfigured(let provider): "Falta configurar \(provider) (credenciales); vea el README."
        }
    }

    /// Whether another try later may succeed.
    public var isTemporary: Bool {
        if case .unavailable = self { return true }
        return false
    }
}

extension ResilientHTTPClient.Failure {
    func messaging(_ provider: String) -> MessagingError {
        switch self {
        case .unavailable(let detail): .unavailable(provider: provider, detail: detail)
        case .circuitOpen(let retryAt): .unavailable(provider: provider, detail: "circuito abierto hasta \(retryAt.text)")
        case .outcomeUnknown(let detail): .outcomeUnknown(provider: provider, detail: detail)
        }
    }
}

/// Mexican mobile numbers as each provider writes them.
public enum MobileNumber {
    /// `+52` and the ten digits, from ten digits, `52…`, `+52…` or WhatsApp's `521…`; nil when it is not one.
    public static func e164(_ text: String) -> String? {
        var digits = text.filter { $0.isASCII && $0.isNumber }
        if digits.count == 13, digits.hasPrefix("521") { digits.removeFirst(3) }
        if digits.count == 12, digits.hasPrefix("52") { digits.removeFirst(2) }
        guard digits.count == 10 else { return nil }
        return "+52" + digits
    }

    /// WhatsApp's `to`: `52` and the ten digits (Meta answers with `wa_id` `521…` for the same phone; `e164` reads both).
    public static func whatsApp(_ text: String) -> String? {
        e164(text).map { String($0.dropFirst()) }
    }
}
