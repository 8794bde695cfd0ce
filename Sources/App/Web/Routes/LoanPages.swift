import Analytics
import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Lending
import SQLKit
import Store

/// Loans in the back office — list, origination with the quote and CAT, the loan's page (schedule, payments,
/// journal) with its actions (approve, cancel, disburse, record or reverse a payment, write off), the printable
/// statement — and the borrower's portal.
struct LoanPages {
    let web: WebRouter
    let database: Database
    let book: LoanBook
    let directory: ClientDirectory
    let catalog: ProductCatalog
    let intents: PaymentIntentBook
    let mandates: CardMandateBook
    let clabes: LoanCLABEs
    let transfers: SPEITransfers

    static let notices: [String: String] = [
        "solicitud": "Solicitud registrada.", "aprobado": "Crédito aprobado.", "cancelado": "Crédito cancelado.", "dispuesto": "Crédito dispuesto.",
        "pago": "Pago registrado y aplicado.", "pago-cancelado": "Pago cancelado; el crédito quedó como si no se hubiera recibido.", "castigado": "Crédito castigado.",
        "reestructura": "Crédito creado por reestructura; el anterior quedó liquidado por él.",
        "spei": "Orden SPEI enviada a STP: el crédito quedó dispuesto y la disposición se liquida cuando STP la confirme (véala en SPEI).",
    ]

    func add() {
        let pages = web.pages
        let book = book
        let directory = directory
        let catalog = catalog
        let database = database
        let intents = intents
        let mandates = mandates
        let clabes = clabes
        let transfers = transfers
        let speiConfigured = transfers.settings != nil

        web.get("/creditos", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let status = request.query("estado").flatMap(LoanStatus.init(rawValue:))
            let loans = try await book.recent(lenderID: user.lenderID, status: status, limit: 100)
            var names: [String: String] = [:]
            for id in Set(loans.map(\.clientId)) { names[id] = try await directory.get(id: id)?.displayName ?? id }
            return pages.render(
                "loans", title: "Créditos", web: request,
                values: [
                    "loans": loans.map { loan -> [String: Any] in
                        ["id": loan.id, "client": names[loan.clientId] ?? "", "clientId": loan.clientId, "product": "\(loan.productCode) v\(loan.productVersion)",
                         "amount": "$" + loan.amount, "term": loan.term, "status": loan.status.label, "createdAt": String(loan.createdAt.prefix(10))]
                    },
                    "statuses": LoanStatus.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == status] as [String: Any] },
                    "canOriginate": user.role.allows(.originateLoans),
                ],
                current: "/creditos"
            )
        }

        web.get("/creditos/nuevo", .permission(.originateLoans)) { request in
            try await Self.originationForm(pages, request, catalog: catalog, directory: directory, book: book, issues: [])
        }

        web.post("/creditos", .permission(.originateLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let application = LoanBook.Application(
                clientId: request.field("cliente"), productCode: request.field("producto"), amount: request.field("monto"),
                term: Int(request.field("plazo")) ?? 0, note: request.field("nota").nilIfEmpty
            )
            do {
                let record = try await database.transaction { db in try await book.apply(application, lenderID: user.lenderID, actor: request.actor, on: db) }
                return WebPages.redirect(to: "/creditos/\(record.id)?aviso=solicitud")
            } catch let error as APIError {
                let issues = error.details.isEmpty ? [FieldIssue(field: "", code: error.code, message: error.message)] : error.details
                return try await Self.originationForm(pages, request, catalog: catalog, directory: directory, book: book, issues: issues)
            }
        }

        web.get("/creditos/:id", .permission(.readLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await Self.detail(pages, request, id: id, user: user, book: book, directory: directory, database: database, speiConfigured: speiConfigured, error: nil)
        }

        // Actions. Each answers with the loan's page: a notice after success, the reason in Spanish after a refusal.
        func action(_ path: String, _ permission: Permission, _ body: @escaping @Sendable (WebRequest, String, WebSessions.User) async throws -> String) {
            web.post(RouterPath(stringLiteral: "/creditos/:id/\(path)"), .permission(permission)) { request in
                guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
                do {
                    let notice = try await body(request, id, user)
                    return WebPages.redirect(to: "/creditos/\(id)?aviso=\(notice)")
                } catch let error as APIError {
                    let detail = ([error.message] + error.details.map(\.message)).joined(separator: " ")
                    return try await Self.detail(pages, request, id: id, user: user, book: book, directory: directory, database: database, speiConfigured: speiConfigured, error: detail,
                                                 status: error.status == .notFound ? .notFound : .unprocessableContent)
                }
            }
        }

        action("aprobar", .approveLoans) { request, id, user in
            _ = try await book.decide(id, approve: true, note: request.field("nota").nilIfEmpty, lenderID: user.lenderID, actor: request.actor)
            return "aprobado"
        }
        action("cancelar", .originateLoans) { request, id, user in
            _ = try await book.decide(id, approve: false, note: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
            return "cancelado"
        }
        action("disponer", .disburseLoans) { request, id, user in
            guard let channel = MoneyChannel(rawValue: request.field("canal")) else {
                throw APIError(status: .unprocessableContent, code: "channel_invalid", message: "Elija el canal de la disposición.")
            }
            let date = try Self.date(request.field("fecha"))
            _ = try await book.disburse(id, on: date, channel: channel, reference: request.field("referencia").nilIfEmpty, lenderID: user.lenderID, actor: request.actor)
            // The loan's own CLABE for SPEI payments (handed out again on its statement if this fails).
            _ = try? await clabes.clabe(of: id, lenderID: user.lenderID)
            return "dispuesto"
        }
        action("spei", .disburseLoans) { request, id, user in
            _ = try await transfers.disburse(
                id, clabe: request.field("clabe"), name: request.field("beneficiario"), rfc: request.field("rfc").nilIfEmpty, lenderID: user.lenderID,
                actor: request.actor
            )
            return "spei"
        }
        action("pagos", .postPayments) { request, id, user in
            guard let channel = MoneyChannel(rawValue: request.field("canal")) else {
                throw APIError(status: .unprocessableContent, code: "channel_invalid", message: "Elija el canal por el que llegó el pago.")
            }
            let payment = LoanBook.PaymentRequest(
                amount: request.field("monto"), valueDate: request.field("fecha").nilIfEmpty, channel: channel,
                reference: request.field("referencia").nilIfEmpty, excess: ExcessPolicy(rawValue: request.field("excedente"))
            )
            // The form carries a one-time key: submitting it twice (a double click, a reload) records one payment.
            let key = request.field("idem").nilIfEmpty ?? APIClients.randomHex(bytes: 16)
            let scope = "web.payments:\(user.id):\(id)"
            let claim = try await database.transaction { db in
                try await IdempotencyKeys.begin(scope: scope, key: key, requestHash: key, now: book.clock(), staleAfterSeconds: 120, on: db)
            }
            switch claim {
            case .started: break
            case .replay, .mismatch: return "pago"
            case .inProgress:
                throw APIError(status: .conflict, code: "idempotency_in_progress", message: "Ese pago ya se está registrando; espere un momento y recargue la página.")
            }
            do {
                _ = try await book.pay(id, payment, lenderID: user.lenderID, actor: request.actor, idempotency: .claimed(scope: scope, key: key))
            } catch {
                try? await database.transaction { db in try await IdempotencyKeys.abandon(scope: scope, key: key, on: db) }
                throw error
            }
            return "pago"
        }
        web.post("/creditos/:id/reestructurar", .permission(.approveLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                let record = try await book.restructure(
                    id, productCode: request.field("producto").nilIfEmpty, term: Int(request.field("plazo")) ?? 0, reason: request.field("motivo"),
                    lenderID: user.lenderID, actor: request.actor
                )
                return WebPages.redirect(to: "/creditos/\(record.id)?aviso=reestructura")
            } catch let error as APIError {
                return try await Self.detail(pages, request, id: id, user: user, book: book, directory: directory, database: database, speiConfigured: speiConfigured,
                                             error: ([error.message] + error.details.map(\.message)).joined(separator: " "), status: .unprocessableContent)
            }
        }
        action("castigar", .approveLoans) { request, id, user in
            _ = try await book.writeOff(id, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
            return "castigado"
        }
        web.post("/creditos/:id/pagos/:pago/cancelar", .permission(.reversePayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let payment = request.context.parameters.get("pago") else {
                return WebPages.redirect(to: "/login")
            }
            do {
                _ = try await book.reverse(id, payment: payment, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/creditos/\(id)?aviso=pago-cancelado")
            } catch let error as APIError {
                return try await Self.detail(pages, request, id: id, user: user, book: book, directory: directory, database: database, speiConfigured: speiConfigured, error: error.message,
                                             status: .unprocessableContent)
            }
        }

        web.get("/creditos/:id/estado-de-cuenta", .permission(.readLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await Self.statement(pages, request, id: id, lenderID: user.lenderID, book: book, directory: directory, clabes: clabes, back: "/creditos/\(id)")
        }

        // The borrower's portal: only the loans of the client the user is linked to.
        web.get("/portal", .permission(.usePortal)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            var rows: [[String: Any]] = []
            if let clientID = user.clientID {
                for loan in try await book.loans(clientID: clientID, lenderID: user.lenderID) {
                    let (_, position) = try await book.position(loan.id, lenderID: user.lenderID)
                    let next = position?.nextInstallment
                    rows.append([
                        "id": loan.id, "product": loan.productCode, "amount": "$" + loan.amount, "status": loan.status.label,
                        "balance": position.map { "$" + QuoteDocument.amount(LoanStatement.balance($0)) } ?? "—",
                        "due": position.map { "$" + QuoteDocument.amount($0.amountDue) } ?? "—",
                        "next": next.map { "\($0.dueDate.text): $\(QuoteDocument.amount($0.remaining))" } ?? "—",
                        "daysPastDue": position?.daysPastDue ?? 0, "disbursed": loan.status.isDisbursed,
                    ])
                }
            }
            var values: [String: Any] = ["displayName": user.displayName, "loans": rows]
            for (key, value) in try await CardMandatePages.portalNotices(clientID: user.clientID, lenderID: user.lenderID, database: database) { values[key] = value }
            return pages.render("portal", title: "Mis créditos", web: request, values: values, current: "/portal")
        }

        web.get("/portal/creditos/:id", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let loan = try await Self.ownLoan(id, user, book) else {
                return pages.message(title: "Crédito no encontrado", message: "Ese crédito no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            let (_, position) = try await book.position(loan.id, lenderID: user.lenderID)
            let payments = try await book.payments(loan.id, lenderID: user.lenderID).filter { $0.kind == "payment" && $0.reversal == nil }
            var values = Self.loanValues(LoanDocument(record: loan, position: position))
            values["payments"] = payments.map { ["date": $0.valueDate, "amount": "$" + $0.amount, "channel": MoneyChannel(rawValue: $0.channel ?? "")?.label ?? ""] }
            for (key, value) in try await PaymentIntentPages.portalValues(loan: loan, position: position, user: user, intents: intents) { values[key] = value }
            if loan.status == .active { values["speiClabe"] = try? await clabes.clabe(of: loan.id, lenderID: user.lenderID) }
            for (key, value) in try await CardMandatePages.portalValues(loanID: loan.id, lenderID: user.lenderID, active: loan.status == .active, mandates: mandates, actor: request.actor) { values[key] = value }
            return pages.render("portal_loan", title: "Crédito \(loan.id)", web: request, values: values, current: "/portal")
        }

        web.get("/portal/creditos/:id/estado-de-cuenta", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), try await Self.ownLoan(id, user, book) != nil else {
                return pages.message(title: "Crédito no encontrado", message: "Ese crédito no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            return try await Self.statement(pages, request, id: id, lenderID: user.lenderID, book: book, directory: directory, clabes: clabes, back: "/portal/creditos/\(id)")
        }
    }

    static func ownLoan(_ id: String, _ user: WebSessions.User, _ book: LoanBook) async throws -> LoanBook.Record? {
        guard let clientID = user.clientID else { return nil }
        do {
            let loan = try await book.loan(id, lenderID: user.lenderID)
            return loan.clientId == clientID ? loan : nil
        } catch let error as APIError where error.status == .notFound {
            return nil
        }
    }

    static func date(_ text: String) throws -> CalendarDate? {
        guard !text.isEmpty else { return nil }
        guard let date = CalendarDate(text: text) else { throw APIError(status: .unprocessableContent, code: "date_invalid", message: "La fecha se escribe AAAA-MM-DD.") }
        return date
    }

    /// The origination form: client, product, amount and term; with the quote and CAT once they are filled in.
    static func originationForm(
        _ pages: WebPages, _ request: WebRequest, catalog: ProductCatalog, directory: ClientDirectory, book: LoanBook, issues: [FieldIssue]
    ) async throws -> Response {
        guard let user = request.user else { return WebPages.redirect(to: "/login") }
        let products = try await catalog.latest(lenderID: user.lenderID)
        func value(_ name: String) -> String { request.query(name) ?? request.form[name] ?? "" }
        let chosen = products.first { $0.code == value("producto").uppercased() } ?? products.first
        let clientID = value("cliente")
        var values: [String: Any] = [
            "products": products.map { ["code": $0.code, "name": $0.name, "version": $0.version, "selected": $0.code == chosen?.code] as [String: Any] },
            "form": ["cliente": clientID, "monto": value("monto"), "plazo": value("plazo"), "nota": value("nota")],
            "issues": issues.map { ["message": $0.message] }, "hasIssues": !issues.isEmpty,
        ]
        if !clientID.isEmpty, let client = try await directory.get(id: clientID) { values["client"] = ["name": client.displayName, "id": client.id] }
        if let product = chosen {
            values["limits"] = "Montos de \(product.minimumAmount.formatted(.symbol)) a \(product.maximumAmount.formatted(.symbol)); de \(product.minimumTerm) a \(product.maximumTerm) pagos \(product.frequency.rawValue)es."
            if let amount = try? Money(parsing: value("monto")), let term = Int(value("plazo")) {
                if let quote = try? product.quote(principal: amount, term: term, start: book.today()) {
                    let document = QuoteDocument(quote)
                    values["quote"] = [
                        "payment": "$" + document.payment, "cat": document.cat ?? "—", "frequency": product.frequency.rawValue, "totalPaid": "$" + document.totalPaid,
                        "rows": document.installments.map { ["number": $0.number, "dueDate": $0.dueDate, "payment": $0.payment, "balance": $0.balance] as [String: Any] },
                    ] as [String: Any]
                }
            }
        }
        return pages.render("loan_new", title: "Nueva solicitud de crédito", web: request, values: values,
                            status: issues.isEmpty ? .ok : .unprocessableContent, current: "/creditos")
    }

    /// The values of a loan's schedule and position for the templates.
    static func loanValues(_ document: LoanDocument) -> [String: Any] {
        var values: [String: Any] = ["loan": ["id": document.loan.id, "amount": "$" + document.loan.amount, "term": document.loan.term, "status": document.loan.status.label]]
        if let terms = document.terms, let position = document.position {
            values["terms"] = [
                "principal": "$" + terms.principal, "disbursed": "$" + terms.disbursed, "fee": "$" + terms.openingFee, "feeIva": "$" + terms.openingFeeIva,
                "rate": terms.annualRate, "moratoriumRate": terms.moratoriumAnnualRate, "frequency": terms.frequency, "legend": terms.catLegend ?? "",
                "date": terms.disbursementDate,
            ]
            values["position"] = [
                "asOf": position.asOf, "principal": "$" + position.principalOutstanding, "due": "$" + position.amountDue, "payoff": "$" + position.payoffAmount,
                "daysPastDue": position.daysPastDue, "nonPerforming": position.nonPerforming, "advance": "$" + position.advance,
                "next": position.nextDueDate.map { "\($0): $\(position.nextPayment ?? "")" } ?? "—",
            ]
            values["hasRows"] = !document.installments.isEmpty
            values["rows"] = document.installments.map {
                ["number": $0.number, "dueDate": $0.dueDate, "payment": $0.payment, "principal": $0.principal, "interest": $0.interest, "iva": $0.iva,
                 "charges": $0.lateFee == "0.00" && $0.moratorium == "0.00" ? "" : "\($0.moratorium) / \($0.lateFee)", "paid": $0.paid, "remaining": $0.remaining,
                 "state": $0.state, "late": $0.state == "vencida"] as [String: Any]
            }
        }
        return values
    }

    /// The loan's page for staff.
    static func detail(
        _ pages: WebPages, _ request: WebRequest, id: String, user: WebSessions.User, book: LoanBook, directory: ClientDirectory, database: Database,
        speiConfigured: Bool, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let record: LoanBook.Record
        let position: LoanPosition?
        do { (record, position) = try await book.position(id, lenderID: user.lenderID) } catch let error as APIError where error.status == .notFound {
            return pages.message(title: "Crédito no encontrado", message: "No existe ese crédito. Búsquelo en la lista de créditos.", web: request, status: .notFound,
                                 next: ("/creditos", "Ir a créditos"))
        }
        var values = loanValues(LoanDocument(record: record, position: position))
        let client = try await directory.get(id: record.clientId)
        values["record"] = [
            "client": client?.displayName ?? record.clientId, "clientId": record.clientId, "product": "\(record.productCode) v\(record.productVersion)",
            "createdAt": record.createdAt, "createdBy": record.createdBy, "decidedAt": record.decidedAt ?? "", "decidedBy": record.decidedBy ?? "",
            "note": record.decisionNote ?? "", "disbursedOn": record.disbursedOn ?? "", "restructuredFrom": record.restructuredFrom ?? "",
            "channel": record.disbursementChannel.flatMap(MoneyChannel.init(rawValue:))?.label ?? "", "reference": record.disbursementReference ?? "",
        ]
        // The application's newest origination score, with its reasons.
        let decides = user.role.allows(.manageClients) || user.role.allows(.approveLoans) || user.role.allows(.readCompliance)
        if decides, let scored = try await OriginationScoring(database: database, keys: directory.keys).scores(loanID: id, lenderID: user.lenderID).first {
            values["score"] = [
                "score": scored.score, "version": scored.modelVersion, "recommendation": scored.recommendation.rawValue,
                "probability": String(format: "%.1f", scored.probabilityOfBad * 100), "at": String(scored.scoredAt.text.prefix(16)).replacingOccurrences(of: "T", with: " "),
                "by": scored.scoredBy, "reasons": scored.reasons, "hasReasons": !scored.reasons.isEmpty,
            ] as [String: Any]
        }
        let canReverse = user.role.allows(.reversePayments)
        let payments = try await book.payments(id, lenderID: user.lenderID)
        values["hasPayments"] = !payments.isEmpty
        values["payments"] = payments.map { payment -> [String: Any] in
            [
                "id": payment.id, "kind": payment.kind == "payment" ? "Pago" : "Castigo", "date": payment.valueDate, "amount": "$" + payment.amount,
                "channel": payment.channel.flatMap(MoneyChannel.init(rawValue:))?.label ?? "", "reference": payment.reference ?? "",
                "excess": payment.excess.flatMap(ExcessPolicy.init(rawValue:))?.label ?? "", "recordedBy": payment.recordedBy,
                "allocation": payment.allocation.map { line -> String in
                    let label = AllocationLine.Component(rawValue: line.component)?.label ?? line.component
                    return (line.installment.map { "#\($0) " } ?? "") + "\(label) $\(line.amount)"
                }.joined(separator: "; "),
                "reversal": payment.reversal.map { "Cancelado el \($0.at.prefix(10)) por \($0.by): \($0.reason)" } ?? "",
                "canReverse": canReverse && payment.kind == "payment" && payment.reversal == nil,
            ]
        }
        if user.role.allows(.readLedger) {
            let entries = try await database.withConnection { db in try await Journal.entries(loanID: id, on: db) }
            values["hasJournal"] = !entries.isEmpty
            values["journal"] = entries.map { entry -> [String: Any] in
                ["id": entry.id, "date": entry.valueDate, "description": entry.description,
                 "lines": entry.lines.map { ["account": $0.account, "name": $0.accountName, "debit": $0.debit == "0.00" ? "" : $0.debit, "credit": $0.credit == "0.00" ? "" : $0.credit] }]
            }
        }
        let today = book.today().text
        values["actions"] = [
            "approve": user.role.allows(.approveLoans) && record.status == .application,
            "cancel": user.role.allows(.originateLoans) && [.application, .approved].contains(record.status),
            "disburse": user.role.allows(.disburseLoans) && record.status == .approved,
            "speiDisburse": user.role.allows(.disburseLoans) && record.status == .approved && speiConfigured,
            "pay": user.role.allows(.postPayments) && record.status.acceptsPayments,
            "writeOff": user.role.allows(.approveLoans) && record.status == .active,
            "restructure": user.role.allows(.approveLoans) && record.status == .active,
            "statement": record.status.isDisbursed,
        ]
        values["today"] = today
        values["idem"] = APIClients.randomHex(bytes: 16)
        values["channels"] = MoneyChannel.allCases.filter(\.isChosenByStaff).map { ["value": $0.rawValue, "label": $0.label] }
        values["excesses"] = ExcessPolicy.allCases.map { ["value": $0.rawValue, "label": $0.label] }
        return pages.render(
            "loan", title: "Crédito \(record.id)", web: request, values: values, notice: request.query("aviso").flatMap { notices[$0] }, error: error,
            status: status, current: "/creditos"
        )
    }

    /// The printable account statement.
    static func statement(
        _ pages: WebPages, _ request: WebRequest, id: String, lenderID: String, book: LoanBook, directory: ClientDirectory, clabes: LoanCLABEs, back: String
    ) async throws -> Response {
        do {
            let from = try date(request.query("desde") ?? "")
            let to = try date(request.query("hasta") ?? "")
            let record = try await book.loan(id, lenderID: lenderID)
            let name = try await directory.get(id: record.clientId)?.displayName ?? ""
            let document = try await book.statement(id, lenderID: lenderID, from: from, to: to, clientName: name)
            let encoded = try JSONSerialization.jsonObject(with: try LoanBook.jsonEncoder.encode(document)) as? [String: Any] ?? [:]
            var values = encoded
            values["back"] = back
            if record.status == .active { values["speiClabe"] = try? await clabes.clabe(of: id, lenderID: lenderID) }
            values["movements"] = document.movements.map { movement -> [String: Any] in
                [
                    "date": movement.date, "description": movement.description, "charge": movement.charge, "credit": movement.credit, "balance": movement.balance,
                    "allocation": movement.allocation.map { line -> String in
                        let label = AllocationLine.Component(rawValue: line.component)?.label ?? line.component
                        return (line.installment.map { "#\($0) " } ?? "") + "\(label) $\(line.amount)"
                    }.joined(separator: "; "),
                ]
            }
            return pages.render("statement", title: "Estado de cuenta", web: request, values: values)
        } catch let error as APIError {
            return pages.message(title: "Estado de cuenta", message: error.message, web: request, status: error.status == .notFound ? .notFound : .unprocessableContent,
                                 next: (back, "Volver al crédito"))
        }
    }
}
