import CarteraSecurity

/// Who may reach a back-office route. Every route states one; there is no default.
public enum Access: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, signed in or not: the sign-in page and its style sheet.
    case anyone
    /// A session whose password was accepted and whose second factor is still due.
    case awaitingSecondFactor
    /// A session that may set up its second factor: enrolment required, or fully signed in.
    case enrolment
    /// A session that may change its password: a change required, or fully signed in.
    case passwordChange
    /// Any fully signed-in user (sign-out, own account).
    case signedIn
    /// A fully signed-in user whose role grants the permission.
    case permission(Permission)

    public var description: String {
        switch self {
        case .anyone: "anyone"
        case .awaitingSecondFactor: "awaiting_second_factor"
        case .enrolment: "enrolment"
        case .passwordChange: "password_change"
        case .signedIn: "signed_in"
        case .permission(let permission): "permission:\(permission.rawValue)"
        }
    }
}

/// One back-office route and its access rule, as registered (the route × role matrix test reads these).
public struct WebRouteDescription: Sendable, Hashable {
    public let method: String
    public let path: String
    public let access: Access
}
