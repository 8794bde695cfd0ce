/// What a person can do to a pending payment from a sandbox's page or API (`POST …/_sandbox/…/{id}/{action}`).
enum SandboxControl: String, Sendable, CaseIterable {
    /// The voucher is paid at the store, or the transfer arrives.
    case pay
    /// The reference runs out unpaid.
    case expire
    /// The payment fails at the network.
    case fail

    var label: String {
        switch self {
        case .pay: "Marcar pagado"
        case .expire: "Vencer"
        case .fail: "Hacer fallar"
        }
    }
}

/// A payment as a sandbox's page lists it.
struct SandboxSummary: Sendable {
    let id: String
    let amount: Int64
    let status: String
    let method: String
    /// The cash reference or the CLABE.
    let reference: String?
    /// Whether it waits for the person testing (it can be paid, expired or failed).
    let pending: Bool
}
