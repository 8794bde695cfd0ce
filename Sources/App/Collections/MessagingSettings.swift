import Configuration
import Foundation
import Integrations
import LoanCollections
import NIOCore

/// How Cartera reaches borrowers: Twilio for SMS, the WhatsApp Cloud API, an SMTP server for e-mail, and the phone
/// number collection messages give for questions. A channel without settings sends nothing (its messages wait).
///
/// Environment: `CARTERA_TWILIO_ACCOUNT_SID`, `…_AUTH_TOKEN`, `…_FROM` (a number or a Messaging Service `MG…`),
/// `…_API_BASE`; `CARTERA_WHATSAPP_PHONE_NUMBER_ID`, `…_ACCESS_TOKEN`, `…_APP_SECRET`, `…_VERIFY_TOKEN`, `…_API_BASE`;
/// `CARTERA_SMTP_HOST`, `…_PORT` (587), `…_SECURITY` (starttls, tls, none), `…_USERNAME`, `…_PASSWORD`, `…_FROM`,
/// `…_FROM_NAME`, `…_CA_FILE`; `CARTERA_COLLECTIONS_PHONE`.
public struct MessagingSettings: Sendable {
    public struct Twilio: Sendable {
        public var accountSID: String
        public var authToken: String
        public var from: String
        public var apiBase: @Sendable () -> String

        public init(accountSID: String, authToken: String, from: String, apiBase: @escaping @Sendable () -> String) {
            self.accountSID = accountSID
            self.authToken = authToken
            self.from = from
            self.apiBase = apiBase
        }
    }

    public struct WhatsApp: Sendable {
        public var phoneNumberID: String
        public var accessToken: String
        public var appSecret: String
        public var verifyToken: String
        public var apiBase: @Sendable () -> String

        public init(phoneNumberID: String, accessToken: String, appSecret: String, verifyToken: String, apiBase: @escaping @Sendable () -> String) {
            self.phoneNumberID = phoneNumberID
            self.accessToken = accessToken
            self.appSecret = appSecret
            self.verifyToken = verifyToken
            self.apiBase = apiBase
        }
    }

    public var twilio: Twilio?
    public var whatsApp: WhatsApp?
    public var smtp: SMTPSender.Settings?
    /// The lender's number for questions about collection messages (`{{telefono}}`).
    public var contactPhone: String?
    /// Where providers reach Cartera's webhooks (`CARTERA_PUBLIC_URL`, or this process's own address in `--demo`).
    public var publicBase: (@Sendable () -> String)?

    public init() {}

    init(reader: ConfigReader) throws {
        if let sid = reader.string(forKey: "cartera.twilio.account.sid"), !sid.isEmpty {
            guard let token = reader.string(forKey: "cartera.twilio.auth.token", isSecret: true), !token.isEmpty,
                let from = reader.string(forKey: "cartera.twilio.from"), !from.isEmpty
            else {
                throw ConfigurationError.invalid(setting: "CARTERA_TWILIO_AUTH_TOKEN", value: "", expected: "el auth token y el remitente (CARTERA_TWILIO_FROM) de la cuenta de Twilio")
            }
            let base = reader.string(forKey: "cartera.twilio.api.base") ?? "https://api.twilio.com"
            twilio = Twilio(accountSID: sid, authToken: token, from: from, apiBase: { base })
        }
        if let phone = reader.string(forKey: "cartera.whatsapp.phone.number.id"), !phone.isEmpty {
            guard let token = reader.string(forKey: "cartera.whatsapp.access.token", isSecret: true), !token.isEmpty,
                let secret = reader.string(forKey: "cartera.whatsapp.app.secret", isSecret: true), !secret.isEmpty
            else {
                throw ConfigurationError.invalid(setting: "CARTERA_WHATSAPP_ACCESS_TOKEN", value: "", expected: "el token de acceso y el secreto de la app (CARTERA_WHATSAPP_APP_SECRET) de Meta")
            }
            let base = reader.string(forKey: "cartera.whatsapp.api.base") ?? "https://graph.facebook.com"
            whatsApp = WhatsApp(
                phoneNumberID: phone, accessToken: token, appSecret: secret, verifyToken: reader.string(forKey: "cartera.whatsapp.verify.token", isSecret: true) ?? "",
                apiBase: { base }
            )
        }
        if let host = reader.string(forKey: "cartera.smtp.host"), !host.isEmpty {
            let securityText = reader.string(forKey: "cartera.smtp.security") ?? "starttls"
            guard let security = SMTPSender.Settings.Security(rawValue: securityText) else {
                throw ConfigurationError.invalid(setting: "CARTERA_SMTP_SECURITY", value: securityText, expected: "starttls, tls o none")
            }
            guard security != .none || ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw ConfigurationError.invalid(setting: "CARTERA_SMTP_SECURITY", value: "none", expected: "starttls o tls: sin cifrado sólo con un servidor en esta máquina")
            }
            let portText = reader.string(forKey: "cartera.smtp.port") ?? (security == .implicitTLS ? "465" : "587")
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw ConfigurationError.invalid(setting: "CARTERA_SMTP_PORT", value: portText, expected: "un puerto entre 1 y 65535")
            }
            let from = reader.string(forKey: "cartera.smtp.from") ?? "cobranza@localhost.localdomain"
            guard MIMEMessage.isSafeAddress(from) else {
                throw ConfigurationError.invalid(setting: "CARTERA_SMTP_FROM", value: from, expected: "una dirección de correo, como cobranza@financiera.mx")
            }
            var trusted: String?
            if let path = reader.string(forKey: "cartera.smtp.ca.file"), !path.isEmpty {
                guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ConfigurationError.invalid(setting: "CARTERA_SMTP_CA_FILE", value: path, expected: "la ruta de un certificado PEM legible")
                }
                trusted = pem
            }
            smtp = SMTPSender.Settings(
                host: host, port: port, security: security, username: reader.string(forKey: "cartera.smtp.username"),
                password: reader.string(forKey: "cartera.smtp.password", isSecret: true), from: from, fromName: reader.string(forKey: "cartera.smtp.from.name"),
                trustedCertificatesPEM: trusted
            )
        }
        contactPhone = reader.string(forKey: "cartera.collections.phone")
    }

    /// A sender for each configured channel.
    public func senders() -> [ContactChannel: any MessageSender] {
        var senders: [ContactChannel: any MessageSender] = [:]
        if let twilio { senders[.sms] = TwilioSMSSender(accountSID: twilio.accountSID, authToken: twilio.authToken, from: twilio.from, baseURL: twilio.apiBase) }
        if let whatsApp {
            senders[.whatsapp] = WhatsAppCloudSender(phoneNumberID: whatsApp.phoneNumberID, accessToken: whatsApp.accessToken, baseURL: whatsApp.apiBase)
        }
        if let smtp { senders[.email] = SMTPSender(settings: smtp) }
        return senders
    }
}
