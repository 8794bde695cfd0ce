import Foundation
import HummingbirdBcrypt

/// Runs bcrypt checks off Swift's cooperative pool, at most one per core at a time, so that a flood of sign-in
/// attempts queues up instead of starving every other request of CPU.
actor BcryptGate {
    static let shared = BcryptGate(limit: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether `password` matches the bcrypt `hash`.
    func verify(_ password: String, _ hash: String) async -> Bool {
        if running >= limit {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        let result = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()  // hand the slot over
        }
        return result
    }
}
