import CarteraCore
import Foundation

/// What the borrowers' phones received from the SMS and WhatsApp sandboxes, and who asked to stop receiving them.
actor SandboxInbox {
    struct Message: Sendable {
        let id: String
        /// `sms` or `whatsapp`.
        let channel: String
        let to: String
        let from: String
        let body: String
        var status: String
        var errorCode: String?
        let createdAt: Timestamp
        /// Where the provider reports its fate.
        let callback: String?
    }

    private(set) var messages: [Message] = []
    private var optedOut: Set<String> = []
    private var counter = 0

    func nextNumber() -> Int {
        counter += 1
        return counter
    }

    func add(_ message: Message) { messages.append(message) }

    func message(_ id: String) -> Message? { messages.first { $0.id == id } }

    func setStatus(_ id: String, _ status: String, errorCode: String?) {
        guard let index = messages.firstIndex(where: { $0.id == id }) else { return }
        messages[index].status = status
        messages[index].errorCode = errorCode
    }

    /// `channel|+52…`.
    func isOptedOut(_ channel: String, _ number: String) -> Bool { optedOut.contains("\(channel)|\(number)") }

    func optOut(_ channel: String, _ number: String) { optedOut.insert("\(channel)|\(number)") }

    func optIn(_ channel: String, _ number: String) { optedOut.remove("\(channel)|\(number)") }
}
