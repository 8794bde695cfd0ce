import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Reconciliation
import SQLKit
import Store

/// Bank statements in the back office: import a file (with its format and CSV profile, or recognised), see what each
/// import read, added and found already known.
struct StatementPages {
    let web: WebRouter
    let database: Database
    let imports: StatementImports
    let reconciliation: BankReconciliation

    static let formats: [(StatementFormat, String)] = [
        (.camt053, "camt.053 (estado de cuenta)"), (.camt052, "camt.052 (reporte del día)"), (.camt054, "camt.054 (avisos)"), (.mt940, "MT940"), (.ofx, "OFX"),
        (.csv, "CSV del banco"),
    ]

    func add() {
        let pages = web.pages
        let database = database
        let imports = imports
        let reconciliation = reconciliation

        web.get("/conciliacion", .permission(.postPayments)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: nil, error: nil)
        }

        web.post("/conciliacion/ejecutar", .permission(.postPayments)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let summary = try await reconciliation.run(lenderID: user.lenderID, actor: request.actor)
            return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: summary, notice: nil, error: nil)
        }

        web.post("/conciliacion/:id/aplicar", .permission(.postPayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                let shares = try Self.shares(split: request.field("reparto"), chosen: request.field("otro").nilIfEmpty ?? request.field("credito"))
                try await reconciliation.apply(lineID: id, shares: shares, lenderID: user.lenderID, actor: request.actor)
                let notice = shares.count == 1 ? "Depósito aplicado al crédito \(shares[0].loanID)." : "Depósito repartido entre \(shares.map(\.loanID).joined(separator: ", "))."
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: notice, error: nil)
            } catch let error as APIError {
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: nil, error: error.message, status: error.status)
            }
        }

        web.post("/conciliacion/:id/suspenso", .permission(.postPayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                try await reconciliation.sendToSuspense(lineID: id, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: "Depósito enviado a partidas en suspenso.", error: nil)
            } catch let error as APIError {
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: nil, error: error.message, status: error.status)
            }
        }

        web.post("/conciliacion/:id/deshacer", .permission(.reversePayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                try await reconciliation.unmatch(lineID: id, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: "Conciliación deshecha: los pagos se cancelaron y el depósito volvió a la bandeja.", error: nil)
            } catch let error as APIError {
                return try await Self.queue(pages, request, lenderID: user.lenderID, reconciliation: reconciliation, summary: nil, notice: nil, error: error.message, status: error.status)
            }
        }

        web.get("/estados-bancarios", .permission(.importStatements)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            return try await Self.page(pages, request, lenderID: user.lenderID, database: database, summary: nil, error: nil)
        }

        web.post("/estados-bancarios", .permission(.importStatements)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            guard let file = request.files["archivo"], !file.data.isEmpty else {
                return try await Self.page(pages, request, lenderID: user.lenderID, database: database, summary: nil, error: "Elija el archivo del banco.", status: .unprocessableContent)
            }
            let format = StatementFormat(rawValue: request.field("formato"))
            let profile = CSVProfile.presets[request.field("perfil")]
            do {
                let summary = try await imports.importFile(
                    file.data, fileName: file.fileName.isEmpty ? "archivo" : file.fileName, format: format, profile: profile, account: request.field("cuenta").nilIfEmpty,
                    lenderID: user.lenderID, actor: request.actor
                )
                var values: [String: Any] = [
                    "fileName": file.fileName, "format": summary.format, "statements": summary.statements, "entries": summary.entries, "added": summary.added,
                    "duplicates": summary.duplicates, "credits": summary.credits, "debits": summary.debits, "warnings": summary.warnings,
                ]
                values["importId"] = summary.importId
                return try await Self.page(pages, request, lenderID: user.lenderID, database: database, summary: values, error: nil)
            } catch let error as APIError {
                return try await Self.page(pages, request, lenderID: user.lenderID, database: database, summary: nil, error: error.message, status: error.status)
            }
        }
    }

    /// The loans a deposit goes to: a split written `ln_a:500.00, ln_b` (the last without amount takes the rest), or the
    /// one chosen.
    static func shares(split: String, chosen: String) throws -> [(loanID: String, amount: Int64?)] {
        let parts = split.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else {
            guard !chosen.isEmpty else { throw APIError(status: .unprocessableContent, code: "loan_required", message: "Elija el crédito al que se aplica el depósito.") }
            return [(chosen, nil)]
        }
        return try parts.map { part in
            let pieces = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let loan = pieces.first, !loan.isEmpty else {
                throw APIError(status: .unprocessableContent, code: "split_invalid", message: "Escriba el reparto como ln_a:500.00, ln_b (el último se queda con el resto).")
            }
            guard pieces.count == 2 else { return (loan, nil) }
            guard let amount = try? Money(parsing: pieces[1]), amount.isPositive else {
                throw APIError(status: .unprocessableContent, code: "split_invalid", message: "El monto de «\(part)» se escribe como 500.00.")
            }
            return (loan, amount.minorUnits)
        }
    }

    static func queue(
        _ pages: WebPages, _ request: WebRequest, lenderID: String, reconciliation: BankReconciliation, summary: BankReconciliation.Summary?, notice: String?, error: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let lines = try await reconciliation.pending(lenderID: lenderID).map { line -> [String: Any] in
            [
                "id": line.id, "date": line.valueDate ?? "", "amount": Money(minorUnits: line.amount, currency: .mxn).decimalText,
                "payer": [line.payerName, line.payerAccount].compactMap { $0 }.joined(separator: " · "), "text": line.text,
                "status": ["review": "Por revisar", "suspense": "En suspenso"][line.status] ?? "Sin identificar", "canSuspend": line.status != "suspense",
                "note": line.candidates.first { $0.loanId.isEmpty }?.reason ?? "",
                "candidates": line.candidates.filter { !$0.loanId.isEmpty }.enumerated().map { index, candidate in
                    ["loanId": candidate.loanId, "score": candidate.score, "reason": candidate.reason, "first": index == 0] as [String: Any]
                },
            ]
        }
        let posted = try await reconciliation.recentlyPosted(lenderID: lenderID).map { line -> [String: Any] in
            [
                "id": line.id, "date": line.valueDate ?? "", "amount": Money(minorUnits: line.amount, currency: .mxn).decimalText, "loanId": line.loanID ?? "",
                "rule": line.rule ?? "", "reference": line.reference ?? "",
            ]
        }
        let balanceCheck = BankBalanceCheck(database: reconciliation.database, clock: reconciliation.book.clock)
        let check = try await balanceCheck.run(lenderID: lenderID, date: reconciliation.book.today())
        let checks = try await balanceCheck.history(lenderID: lenderID, limit: 14).map { recorded -> [String: Any] in
            [
                "date": recorded.date, "balanced": recorded.balanced, "complete": recorded.complete, "statements": recorded.statements, "ledger": recorded.ledger,
                "unexplained": recorded.unexplained, "checkedAt": String(recorded.checkedAt.prefix(16)).replacingOccurrences(of: "T", with: " "), "checkedBy": recorded.checkedBy,
            ]
        }
        var values: [String: Any] = [
            "lines": lines, "posted": posted, "checks": checks, "canUndo": request.user?.role.allows(.reversePayments) == true,
            "balances": [
                "date": check.date, "statements": check.statements, "ledger": check.ledger, "difference": check.difference, "credits": check.unreconciledCredits,
                "unexplained": check.unexplained, "balanced": check.balanced, "accounts": check.accounts.map { ["account": $0.account, "date": $0.date, "balance": $0.balance] },
            ] as [String: Any],
        ]
        if let summary {
            values["summary"] = ["lines": summary.lines, "posted": summary.posted, "postedAmount": summary.postedAmount, "review": summary.review, "unidentified": summary.unidentified]
        }
        return pages.render("reconciliation", title: "Conciliación bancaria", web: request, values: values, notice: notice, error: error, status: status, current: "/conciliacion")
    }

    static func page(
        _ pages: WebPages, _ request: WebRequest, lenderID: String, database: Database, summary: [String: Any]?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT file_name, format, statements, entries, added, duplicates, credits, debits, warnings, imported_at, imported_by FROM statement_imports
                WHERE lender_id = \(bind: lenderID) ORDER BY imported_at DESC, id DESC LIMIT 100
                """
            ).all()
        }
        let list = try rows.map { row -> [String: Any] in
            let warnings = (try? JSONDecoder().decode([String].self, from: Data(try row.decode(column: "warnings", as: String.self).utf8))) ?? []
            return [
                "fileName": try row.decode(column: "file_name", as: String.self), "format": try row.decode(column: "format", as: String.self),
                "statements": try row.decode(column: "statements", as: Int.self), "entries": try row.decode(column: "entries", as: Int.self),
                "added": try row.decode(column: "added", as: Int.self), "duplicates": try row.decode(column: "duplicates", as: Int.self),
                "credits": Money(minorUnits: try row.decode(column: "credits", as: Int64.self), currency: .mxn).decimalText,
                "debits": Money(minorUnits: try row.decode(column: "debits", as: Int64.self), currency: .mxn).decimalText,
                "warnings": warnings.count, "importedAt": String(try row.decode(column: "imported_at", as: String.self).prefix(16)).replacingOccurrences(of: "T", with: " "),
                "importedBy": try row.decode(column: "imported_by", as: String.self),
            ]
        }
        var values: [String: Any] = [
            "imports": list, "formats": formats.map { ["value": $0.0.rawValue, "label": $0.1] },
            "profiles": CSVProfile.presets.keys.sorted().map { ["value": $0, "label": ["bbva": "BBVA", "banorte": "Banorte", "santander": "Santander"][$0] ?? $0] },
        ]
        values["summary"] = summary
        return pages.render("statements", title: "Estados de cuenta bancarios", web: request, values: values, error: error, status: status, current: "/estados-bancarios")
    }
}
