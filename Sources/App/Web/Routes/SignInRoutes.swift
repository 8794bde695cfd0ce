import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/login`, `/login/codigo` and `/logout`: the sign-in sequence.
struct SignInRoutes {
    let web: WebRouter
    let signIn: SignIn

    func add() {
        let signIn = signIn
        let pages = web.pages
        let cookies = web.cookies

        web.get("/login", .anyone) { request in
            if let session = request.session { return Self.nextStep(for: session.state) }
            // Keep the browser's token if it has one: a second tab, or a browser fetching /favicon.ico through the
            // sign-in redirect, must not invalidate the form already on screen.
            let existing = request.request.cookies[CookiePolicy.signInCookie]?.value
            let token = existing.flatMap { $0.utf8.count == 32 ? $0 : nil } ?? ByteEncoding.base64URL(ByteEncoding.randomBytes(24))
            var response = pages.render("login", title: "Iniciar sesión", web: request, csrf: token)
            response.headers.append(HTTPField(name: .setCookie, value: cookies.signIn(token)))
            return response
        }

        web.post("/login", .anyone) { request in
            let username = request.field("username")
            let outcome = try await signIn.password(username: username, password: request.form["password"] ?? "", attempt: request.attempt)
            switch outcome {
            case .session(let token, let state):
                return WebPages.redirect(to: Self.path(after: state), cookies: [cookies.session(token)])
            case .refused(let message):
                return pages.render(
                    "login", title: "Iniciar sesión", web: request, values: ["username": username], error: message,
                    status: .unauthorized, csrf: request.form["csrf"]
                )
            }
        }

        web.get("/login/codigo", .awaitingSecondFactor) { request in
            pages.render("second_factor", title: "Verificación en dos pasos", web: request)
        }

        web.post("/login/codigo", .awaitingSecondFactor) { request in
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            switch try await signIn.secondFactor(code: request.field("code"), session: session, attempt: request.attempt) {
            case .session(let token, let state):
                return WebPages.redirect(to: Self.path(after: state), cookies: [cookies.session(token)])
            case .refused(let message):
                return pages.render("second_factor", title: "Verificación en dos pasos", web: request, error: message, status: .unauthorized)
            }
        }

        // Signing out needs no permission: it only ends the caller's own session, if any.
        web.post("/logout", .anyone) { request in
            if let session = request.session {
                try await signIn.signOut(session, attempt: request.attempt)
            }
            return WebPages.redirect(to: "/login", cookies: [cookies.clearSession()])
        }
    }

    static func path(after state: WebSessions.State) -> String {
        switch state {
        case .awaitingSecondFactor: "/login/codigo"
        case .enrolmentRequired: "/cuenta/segundo-factor"
        case .passwordChangeRequired: "/cuenta/contrasena"
        case .active: "/"
        }
    }

    static func nextStep(for state: WebSessions.State) -> Response { WebPages.redirect(to: path(after: state)) }
}
