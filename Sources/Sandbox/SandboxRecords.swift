/// A sandbox's ids and the events it owes its webhook, kept by its account actor.
struct SandboxRecords<Event: Sendable>: Sendable {
    private var counter = 0
    private var events: [Event] = []

    /// A new id: `prefix`, a counter of `digits` digits (so ids sort by creation), then `random` random characters.
    mutating func newID(_ prefix: String, digits: Int = 6, random: Int = 14, alphabet: String = "abcdefghijklmnopqrstuvwxyz0123456789") -> String {
        counter += 1
        let number = String(counter)
        return prefix + String(repeating: "0", count: max(0, digits - number.count)) + number + String((0..<random).map { _ in alphabet.randomElement()! })
    }

    mutating func record(_ event: Event) { events.append(event) }

    /// The events recorded since the last call, in order.
    mutating func takeEvents() -> [Event] {
        defer { events = [] }
        return events
    }
}
