import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird

/// What a back-office handler receives: the request, its context, the session (when there is one) and the decoded form
/// of a `POST` (its CSRF token already checked).
public struct WebRequest: Sendable {
    public let request: Request
    public let context: AppRequestContext
    public let session: WebSessions.Session?
    public let form: [String: String]
    /// Files sent with a `multipart/form-data` form, by field name.
    public var files: [String: UploadedFile] = [:]

    /// The signed-in user; only nil on `.anyone` routes.
    public var user: WebSessions.User? { session?.user }

    /// A query parameter, trimmed; nil when absent or empty.
    public func query(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map { String($0).trimmingCharacters(in: .whitespaces) }?.nilIfEmpty
    }

    /// A form field, trimmed of surrounding blanks ("" when absent).
    public func field(_ name: String) -> String {
        form[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// The actor for audit entries.
    /// Cartera's address as the borrower reached it (`configured`, when set, wins): where a gateway sends them back.
    public func publicBase(configured: String?) -> String {
        if let configured { return configured }
        let host = request.head.authority ?? "localhost"
        return (context.viaTLS ? "https://" : "http://") + host
    }

    public var actor: Administration.Actor {
        guard let user else { return Administration.Actor(kind: .anonymous, id: "", ipAddress: context.remoteAddress, requestID: context.requestID) }
        return Administration.Actor(kind: .user, id: user.id, ipAddress: context.remoteAddress, requestID: context.requestID)
    }

    /// Who is signing in, from where.
    public var attempt: SignIn.Attempt {
        SignIn.Attempt(
            ipAddress: context.remoteAddress,
            userAgent: request.headers[.userAgent] ?? "",
            requestID: context.requestID
        )
    }
}

/// A file a person sent with a form.
public struct UploadedFile: Sendable {
    /// The file's name on their computer (as the browser gives it; never a path to trust).
    public let fileName: String
    public let data: Data
}
