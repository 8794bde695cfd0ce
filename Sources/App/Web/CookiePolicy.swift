/// The back office's cookies: the session token, and the token that protects the sign-in form before a session exists.
///
/// Both are HttpOnly, `SameSite=Strict`, scoped to `/`, and `Secure` unless the operator turned that off for a plain-HTTP
/// test installation (`CARTERA_INSECURE_COOKIES=true`). Browsers accept `Secure` cookies from `http://localhost`, so
/// the default works on a laptop too.
struct CookiePolicy: Sendable {
    static let sessionCookie = "cartera_session"
    static let signInCookie = "cartera_signin"

    let secure: Bool
    /// The session cookie's lifetime in seconds (the absolute session limit).
    let sessionSeconds: Int64

    func session(_ token: String) -> String {
        cookie(Self.sessionCookie, token, maxAge: sessionSeconds)
    }

    func clearSession() -> String {
        cookie(Self.sessionCookie, "", maxAge: 0)
    }

    func signIn(_ token: String) -> String {
        cookie(Self.signInCookie, token, maxAge: 3600)
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int64) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
