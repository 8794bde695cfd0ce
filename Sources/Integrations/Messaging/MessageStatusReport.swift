import CarteraCore
import Foundation

/// What a provider's status webhook says: the fate of messages sent, and replies from borrowers.
public struct MessageStatusReport: Sendable, Equatable {
    public struct Update: Sendable, Equatable {
        /// The provider's message id (`SM…`, `wamid.…`).
        public let providerID: String
        /// `queued`, `sent`, `delivered`, `read`, `undelivered`, `failed`.
        public let status: String
        public let errorCode: String?
        /// The provider's own event id where it has one; otherwise provider id and status.
        public let eventKey: String

        public init(providerID: String, status: String, errorCode: String?, eventKey: String? = nil) {
            self.providerID = providerID
            self.status = status
            self.errorCode = errorCode
            self.eventKey = eventKey ?? "\(providerID)|\(status)"
        }
    }

    /// A message a borrower sent (an opt-out word, a quick-reply button).
    public struct Reply: Sendable, Equatable {
        public let providerID: String
        /// `+52…`.
        public let from: String
        public let text: String

        public init(providerID: String, from: String, text: String) {
            self.providerID = providerID
            self.from = from
            self.text = text
        }
    }

    public var updates: [Update] = []
    public var replies: [Reply] = []

    public init(updates: [Update] = [], replies: [Reply] = []) {
        self.updates = updates
        self.replies = replies
    }

    /// The words that stop messages on a channel: Twilio's defaults and the Spanish ones a lender adds.
    public static let optOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "CANCEL", "BAJA", "ALTO", "CANCELAR"]

    /// Whether a reply is an opt-out: the whole text, trimmed and in capitals, is one of `optOutWords`.
    public static func isOptOut(_ text: String) -> Bool {
        optOutWords.contains(text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased())
    }

    /// Twilio's status callback or incoming message (form fields): `MessageSid`, `MessageStatus`, `ErrorCode`, or
    /// `From` and `Body` for a reply.
    public static func twilio(_ form: [(String, String)]) -> MessageStatusReport {
        let fields = Dictionary(form, uniquingKeysWith: { first, _ in first })
        var report = MessageStatusReport()
        guard let sid = fields["MessageSid"] ?? fields["SmsSid"], !sid.isEmpty else { return report }
        if let status = fields["MessageStatus"] ?? fields["SmsStatus"], status != "received" {
            let error = fields["ErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
            report.updates.append(Update(providerID: sid, status: status, errorCode: error))
        } else if let from = fields["From"].flatMap({ MobileNumber.e164($0.replacingOccurrences(of: "whatsapp:", with: "")) }) {
            report.replies.append(Reply(providerID: sid, from: from, text: fields["Body"] ?? ""))
        }
        return report
    }

    /// A WhatsApp Cloud API webhook (`entry[].changes[].value.statuses[]` and `.messages[]`). Nil when the body is not one.
    public static func whatsApp(_ body: [UInt8]) -> MessageStatusReport? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            object["object"] as? String == "whatsapp_business_account", let entries = object["entry"] as? [[String: Any]]
        else { return nil }
        var report = MessageStatusReport()
        for entry in entries {
            for change in entry["changes"] as? [[String: Any]] ?? [] {
                guard let value = change["value"] as? [String: Any] else { continue }
                for status in value["statuses"] as? [[String: Any]] ?? [] {
                    guard let id = JSONFields.text(status, "id"), let state = JSONFields.text(status, "status") else { continue }
                    let error = (status["errors"] as? [[String: Any]])?.first.flatMap { JSONFields.text($0, "code") }
                    report.updates.append(Update(providerID: id, status: state, errorCode: error))
                }
                for message in value["messages"] as? [[String: Any]] ?? [] {
                    guard let id = JSONFields.text(message, "id"), let from = JSONFields.text(message, "from").flatMap(MobileNumber.e164) else { continue }
                    let text = JSONFields.text(message, "text", "body") ?? JSONFields.text(message, "button", "text")
                        ?? JSONFields.text(message, "interactive", "button_reply", "title") ?? ""
                    report.replies.append(Reply(providerID: id, from: from, text: text))
                }
            }
        }
        return report
    }
}
