import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders back-office pages: the Mustache templates, the layout's navigation for the user's role, and the response
/// headers every page carries.
public struct WebPages: Sendable {
    let library: MustacheLibrary

    public init() {
        var library = MustacheLibrary()
        let templates: [String: String] = [
            "layout": LayoutTemplates.layout,
            "login": LayoutTemplates.login,
            "second_factor": LayoutTemplates.secondFactor,
            "message": LayoutTemplates.message,
            "dashboard": AccountTemplates.dashboard,
            "account": AccountTemplates.account,
            "enrol": AccountTemplates.enrol,
            "recovery_codes": AccountTemplates.recoveryCodes,
            "password": AccountTemplates.password,
            "portal": LoanTemplates.portal,
            "portal_loan": LoanTemplates.portalLoan,
            "loans": LoanTemplates.list,
            "loan_new": LoanTemplates.new,
            "loan": LoanTemplates.detail,
            "loan_schedule": LoanTemplates.schedule,
            "statement": LoanTemplates.statement,
            "users": AdministrationTemplates.users,
            "api_clients": AdministrationTemplates.apiClients,
            "audit": AdministrationTemplates.audit,
            "clients": ClientTemplates.list,
            "products": LendingTemplates.products,
            "product_new": LendingTemplates.newProduct,
            "quote": LendingTemplates.quote,
            "client_new": ClientTemplates.new,
            "client": ClientTemplates.detail,
            "kyc_file": KYCTemplates.file,
            "relationships": ComplianceTemplates.relationships,
            "compliance_reports": ComplianceTemplates.reports,
            "payment_intents": PaymentTemplates.list,
            "payment_intent": PaymentTemplates.detail,
            "gateway_events": PaymentTemplates.events,
            "portal_payment": PaymentTemplates.portalPayment,
            "portal_pay": PaymentTemplates.portalPayForm,
            "portal_checkout": PaymentTemplates.portalCheckout,
            "payment_return": PaymentTemplates.paymentReturn,
            "card_mandates": RecurringTemplates.list,
            "card_mandate": RecurringTemplates.detail,
            "recurring_charges": RecurringTemplates.charges,
            "recurring_settings": RecurringTemplates.settings,
            "statements": StatementTemplates.list,
            "reconciliation": StatementTemplates.queue,
            "spei": SPEITemplates.page,
            "collections": CollectionTemplates.dashboard,
            "collection_messages": CollectionTemplates.messages,
            "collection_loan": CollectionTemplates.loan,
            "collection_worklist": CollectionTemplates.worklist,
            "collection_vintages": CollectionTemplates.vintages,
            "collection_settings": CollectionTemplates.settings,
            "message_template": CollectionTemplates.template,
            "portal_mandate": RecurringTemplates.portalMandate,
            "portal_card_setup": RecurringTemplates.portalSetup,
            "portal_card_setup_confirm": RecurringTemplates.portalSetupConfirm,
            "portal_card_setup_go": RecurringTemplates.portalSetupGo,
            "card_setup_return": RecurringTemplates.setupReturn,
            "portal_notices": RecurringTemplates.portalNotices,
            "gateways": GatewaySettingsTemplates.list,
            "gateway": GatewaySettingsTemplates.form,
            "compliance": ComplianceTemplates.dashboard,
            "compliance_case": ComplianceTemplates.caseDetail,
        ]
        for (name, text) in templates {
            // The templates are compiled into the binary and covered by tests: a syntax error is a programming error.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// A navigation entry, shown when the role grants its permission.
    struct NavItem {
        let href: String
        let label: String
        let permission: Permission
    }

    static let navigation: [NavItem] = [
        NavItem(href: "/", label: "Inicio", permission: .useBackOffice),
        NavItem(href: "/clientes", label: "Clientes", permission: .readClients),
        NavItem(href: "/creditos", label: "Créditos", permission: .readLoans),
        NavItem(href: "/pagos-en-linea", label: "Pagos en línea", permission: .readLoans),
        NavItem(href: "/domiciliaciones", label: "Domiciliación", permission: .readLoans),
        NavItem(href: "/estados-bancarios", label: "Estados bancarios", permission: .importStatements),
        NavItem(href: "/conciliacion", label: "Conciliación", permission: .postPayments),
        NavItem(href: "/spei", label: "SPEI", permission: .postPayments),
        NavItem(href: "/cobranza", label: "Cobranza", permission: .readLoans),
        NavItem(href: "/cumplimiento", label: "Cumplimiento", permission: .readCompliance),
        NavItem(href: "/cotizador", label: "Cotizador", permission: .useBackOffice),
        NavItem(href: "/productos", label: "Productos", permission: .useBackOffice),
        NavItem(href: "/usuarios", label: "Usuarios", permission: .manageUsers),
        NavItem(href: "/clientes-api", label: "Clientes de API", permission: .manageAPIClients),
        NavItem(href: "/pasarelas", label: "Pasarelas", permission: .manageGateways),
        NavItem(href: "/auditoria", label: "Auditoría", permission: .readAudit),
        NavItem(href: "/portal", label: "Mis créditos", permission: .usePortal),
    ]

    /// The page `template` with `values`, inside the layout.
    /// - Parameters:
    ///   - current: the navigation entry to mark as the current page.
    ///   - csrf: the form token (the session's, or the sign-in cookie's).
    public func render(
        _ template: String,
        title: String,
        web: WebRequest,
        values: [String: Any] = [:],
        notice: String? = nil,
        error: String? = nil,
        status: HTTPResponse.Status = .ok,
        current: String? = nil,
        csrf: String? = nil
    ) -> Response {
        var data = values
        data["title"] = title
        data["version"] = CarteraVersion.current
        data["csrf"] = csrf ?? web.session?.csrfToken ?? ""
        if let notice { data["notice"] = notice }
        if let error { data["error"] = error }
        if let session = web.session, session.state == .active {
            let user = session.user
            data["user"] = [
                "displayName": user.displayName,
                "roleName": user.role.displayName,
                "nav": Self.navigation.filter { user.role.allows($0.permission) }.map { item -> [String: Any] in
                    ["href": item.href, "label": item.label, "current": item.href == current]
                },
            ] as [String: Any]
        }
        let html = library.render(data, withTemplate: template) ?? ""
        return Self.htmlResponse(html, status: status)
    }

    /// A page with one message and, optionally, a link onwards (errors, denials, confirmations).
    public func message(
        title: String, message: String, web: WebRequest, status: HTTPResponse.Status, next: (href: String, label: String)? = nil
    ) -> Response {
        var values: [String: Any] = ["message": message]
        if let next { values["next"] = ["href": next.href, "label": next.label] }
        return render("message", title: title, web: web, values: values, status: status)
    }

    static func htmlResponse(_ html: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `303 See Other` to `location`, optionally setting or clearing cookies.
    static func redirect(to location: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
