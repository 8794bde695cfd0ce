import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Lending
import Reconciliation
import SQLKit
import Store

/// What staff do with the deposits the reconciliation left them: apply one to a loan or split it among several, hold
/// it in suspense until someone knows whose it is, and undo a match that was wrong (with a reason, audited).
extension BankReconciliation {
    /// Applies a pending line (`review`, `unidentified` or `suspense`) to one or more loans: each share (nil amount:
    /// the whole line, or what the other shares leave) posted through the one posting path — from Bancos, or from
    /// Partidas en suspenso when the line was held there — under the line's id (`L`, or `L-n` for the shares of a split).
    public func apply(lineID: String, shares: [(loanID: String, amount: Int64?)], lenderID: String, actor: Administration.Actor) async throws {
        let row = try await database.withConnection { db in
            try await db.raw(
                "SELECT amount, value_date, booking_date, match_status, counterparty_name FROM bank_statement_lines WHERE id = \(bind: lineID) AND lender_id = \(bind: lenderID)"
            ).first()
        }
        guard let row else { throw APIError(status: .notFound, code: "bank_line_not_found", message: "No existe ese movimiento bancario.") }
        let status = try row.decode(column: "match_status", as: String.self)
        guard ["review", "unidentified", "suspense"].contains(status) else {
            throw APIError(status: .conflict, code: "bank_line_not_pending", message: "Ese movimiento ya se aplicó o aún no se concilia.")
        }
        let total = try row.decode(column: "amount", as: Int64.self)
        let amounts = try Self.split(total, shares.map(\.amount))
        var candidates: [MatchCandidate] = []
        for (share, amount) in zip(shares, amounts) {
            let loan = try await book.loan(share.loanID, lenderID: lenderID)
            candidates.append(MatchCandidate(loanID: loan.id, clientID: loan.clientId, amount: amount, score: 100, rule: .manual, reason: "Aplicado desde la bandeja de conciliación."))
        }
        guard try await claim(lineID, from: [status]) else {
            throw APIError(status: .conflict, code: "bank_line_not_pending", message: "Otra persona o proceso está aplicando ese movimiento.")
        }
        // Part of it already posted (a split refused half-way): a person checks the loans before anything more.
        let made = try await payments(for: lineID, lenderID: lenderID)
        guard made.isEmpty else {
            try await release(lineID, to: status)
            throw APIError(
                status: .conflict, code: "bank_line_partly_posted",
                message: "Parte de este depósito ya se aplicó (referencias \(made.sorted().joined(separator: ", "))). Revise esos pagos antes de aplicar el resto."
            )
        }
        let date = try row.decode(column: "value_date", as: String?.self) ?? row.decode(column: "booking_date", as: String?.self)
        let channel: MoneyChannel = status == "suspense" ? .suspense : .spei
        let payerName = try row.decode(column: "counterparty_name", as: String?.self).map { try keys.decrypt($0, field: "bank_statement_lines.counterparty_name") }
        var references: [String] = []
        for (index, candidate) in candidates.enumerated() {
            let reference = candidates.count == 1 ? lineID : "\(lineID)-\(index + 1)"
            do {
                // Who paid: a blocked or sanctioned payer's money is not applied, by anyone.
                let counterparty = try await PaymentCounterparties(database: database, keys: keys, screening: directory.screening)
                    .check(name: payerName, rfc: nil, loanID: candidate.loanID, lenderID: lenderID, actor: actor)
                if counterparty.held { throw APIError(status: .conflict, code: "client_on_hold", message: ClientScreening.holdMessage) }
                _ = try await book.post(
                    candidate.loanID, .init(amount: Money(minorUnits: candidate.amount, currency: .mxn).decimalText, valueDate: date, channel: channel, reference: reference),
                    lenderID: lenderID, actor: actor, systemReference: true, payerIsClient: counterparty.payerIsClient
                )
                references.append(reference)
            } catch {
                // Nothing posted yet: the line waits where it was. Part posted: it stays claimed for a person to look at.
                if references.isEmpty { try await release(lineID, to: status) }
                throw error
            }
        }
        try await mark(lineID, status: "posted", candidates: candidates, loanID: candidates.first?.loanID, reference: references.joined(separator: ","), from: ["posting"])
    }

    /// The amounts of a split: every share named, or one left to take the rest; they must add up to the line.
    static func split(_ total: Int64, _ amounts: [Int64?]) throws -> [Int64] {
        guard !amounts.isEmpty, amounts.count <= 20 else {
            throw APIError(status: .unprocessableContent, code: "split_invalid", message: "Indique de 1 a 20 créditos.")
        }
        let named = amounts.compactMap { $0 }
        guard named.allSatisfy({ $0 > 0 }), amounts.count - named.count <= 1 else {
            throw APIError(status: .unprocessableContent, code: "split_invalid", message: "Cada parte lleva un monto mayor que cero; solo una puede quedarse con el resto.")
        }
        let rest = total - named.reduce(0, +)
        if named.count == amounts.count {
            guard rest == 0 else {
                throw APIError(
                    status: .unprocessableContent, code: "split_unbalanced",
                    message: "Las partes suman \(Money(minorUnits: total - rest, currency: .mxn).decimalText) y el depósito es de \(Money(minorUnits: total, currency: .mxn).decimalText)."
                )
            }
            return named
        }
        guard rest > 0 else {
            throw APIError(status: .unprocessableContent, code: "split_unbalanced", message: "Las partes ya suman el depósito o más; no queda resto para el último crédito.")
        }
        return amounts.map { $0 ?? rest }
    }

    func release(_ lineID: String, to status: String) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE bank_statement_lines SET match_status = \(bind: status) WHERE id = \(bind: lineID) AND match_status = 'posting'").run()
        }
    }

    /// Holds a pending line in suspense (nobody knows yet whose money it is): Bancos → Partidas en suspenso, in one
    /// transaction with the line's state and the audit entry with the reason.
    public func sendToSuspense(lineID: String, reason: String, lenderID: String, actor: Administration.Actor) async throws {
        let reason = try Self.reason(reason)
        let made = try await payments(for: lineID, lenderID: lenderID)
        guard made.isEmpty else {
            throw APIError(
                status: .conflict, code: "bank_line_partly_posted",
                message: "Parte de este depósito ya se aplicó (referencias \(made.sorted().joined(separator: ", "))); deshaga esos pagos antes de enviarlo a suspenso."
            )
        }
        let now = book.clock()
        try await database.transaction { db in
            guard let row = try await db.raw(
                """
                UPDATE bank_statement_lines SET match_status = 'suspense', matched_at = \(bind: now.text)
                WHERE id = \(bind: lineID) AND lender_id = \(bind: lenderID) AND match_status IN ('review', 'unidentified')
                RETURNING amount, value_date, booking_date
                """
            ).first() else {
                throw APIError(status: .conflict, code: "bank_line_not_pending", message: "Solo un depósito por revisar o sin identificar pasa a suspenso.")
            }
            let amount = try row.decode(column: "amount", as: Int64.self)
            let date = (try row.decode(column: "value_date", as: String?.self) ?? row.decode(column: "booking_date", as: String?.self)).flatMap(CalendarDate.init(text:)) ?? book.today()
            let entry = try await Journal.post(
                Journal.Draft(
                    lenderID: lenderID, loanID: nil, eventID: nil, kind: "suspense", valueDate: min(date, book.today()),
                    description: "Depósito \(lineID) sin identificar, a partidas en suspenso: \(reason)",
                    lines: [Journal.Line(account: .banks, loanID: nil, amount: amount), Journal.Line(account: .suspense, loanID: nil, amount: -amount)]
                ),
                at: now, by: actor.id, on: db
            )
            try await db.raw("UPDATE bank_statement_lines SET suspense_entry_id = \(bind: entry) WHERE id = \(bind: lineID)").run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "reconciliation.suspense", objectType: "bank_line", objectID: lineID, at: now, change: "\(amount) \(reason)"),
                on: db
            )
        }
    }

    /// Undoes a wrong match: every payment the line made is reversed (with the reason, through the one posting path)
    /// and the line goes back to review — or to suspense, if it came from there — in one transaction.
    public func unmatch(lineID: String, reason: String, lenderID: String, actor: Administration.Actor) async throws {
        let reason = try Self.reason(reason)
        let now = book.clock()
        try await database.transaction { db in
            let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            guard let row = try await db.raw(
                "SELECT match_status, payment_reference, suspense_entry_id FROM bank_statement_lines WHERE id = \(bind: lineID) AND lender_id = \(bind: lenderID)\(lock)"
            ).first() else {
                throw APIError(status: .notFound, code: "bank_line_not_found", message: "No existe ese movimiento bancario.")
            }
            // A posted line, or one in review with part of a split posted (its shares are undone too).
            let current = try row.decode(column: "match_status", as: String.self)
            let standing = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM loan_events WHERE kind = 'payment' AND reversed_at IS NULL
                    AND (reference = \(bind: lineID) OR reference LIKE \(bind: lineID + "-%"))
                """
            ).first(decodingColumn: "n", as: Int.self) ?? 0
            let partly = current == "review" && standing > 0
            guard current == "posted" || partly else {
                throw APIError(status: .conflict, code: "bank_line_not_posted", message: "Solo se deshace un depósito aplicado.")
            }
            let reference = try row.decode(column: "payment_reference", as: String?.self) ?? ""
            var reversed = 0
            if reference.hasPrefix("spei:") {
                // Recognised as an SPEI deposit already taken: nothing was posted from the line; only the link goes.
                try await db.raw("UPDATE spei_deposits SET statement_line_id = NULL WHERE statement_line_id = \(bind: lineID)").run()
            } else if reference.hasPrefix("payout:") {
                // A gateway payout: its entry is compensated (the gateway owes it again).
                let entryID = String(reference.dropFirst("payout:".count))
                var lines: [Journal.Line] = []
                for line in try await db.raw("SELECT account, debit, credit FROM journal_lines WHERE entry_id = \(bind: entryID)").all() {
                    guard let account = LedgerAccount(rawValue: try line.decode(column: "account", as: String.self)) else { continue }
                    lines.append(Journal.Line(account: account, loanID: nil, amount: try line.decode(column: "credit", as: Int64.self) - line.decode(column: "debit", as: Int64.self)))
                }
                try await Journal.post(
                    Journal.Draft(
                        lenderID: lenderID, loanID: nil, eventID: nil, kind: "gateway_payout_reversal", valueDate: book.today(),
                        description: "Se deshace la liquidación del depósito \(lineID): \(reason)", lines: lines
                    ),
                    at: now, by: actor.id, on: db
                )
                reversed = 1
            } else {
                for payment in try await db.raw(
                    """
                    SELECT e.id, e.loan_id FROM loan_events e JOIN loans l ON l.id = e.loan_id
                    WHERE l.lender_id = \(bind: lenderID) AND e.kind = 'payment' AND e.reversed_at IS NULL
                        AND (e.reference = \(bind: lineID) OR e.reference LIKE \(bind: lineID + "-%"))
                    ORDER BY e.reference
                    """
                ).all() {
                    _ = try await book.reverse(
                        try payment.decode(column: "loan_id", as: String.self), payment: try payment.decode(column: "id", as: String.self),
                        reason: "Conciliación deshecha: \(reason)", lenderID: lenderID, actor: actor, now: now, on: db
                    )
                    reversed += 1
                }
            }
            let wasSuspense = try row.decode(column: "suspense_entry_id", as: String?.self) != nil
            // A line linked to an SPEI deposit goes back to be matched again (the deposit's own payment stands).
            let status = reference.hasPrefix("spei:") ? "unmatched" : wasSuspense ? "suspense" : "review"
            try await db.raw(
                """
                UPDATE bank_statement_lines SET match_status = \(bind: status), matched_loan_id = NULL, payment_reference = NULL, matched_at = \(bind: now.text)
                WHERE id = \(bind: lineID)
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "reconciliation.unmatch", objectType: "bank_line", objectID: lineID, at: now, change: "\(reversed) \(reason)"),
                on: db
            )
        }
    }

    static func reason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 3, reason.count <= 300 else {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Escriba el motivo (de 3 a 300 caracteres).")
        }
        guard !CardNumberDetector.containsCardNumber(reason) else {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en el motivo.")
        }
        return reason
    }

    /// A line applied lately, as the queue shows it to be undone.
    public struct PostedLine: Sendable {
        public let id: String
        public let amount: Int64
        public let valueDate: String?
        public let loanID: String?
        public let rule: String?
        public let reference: String?
        public let matchedAt: String?
    }

    /// The lender's lines posted most recently.
    public func recentlyPosted(lenderID: String, limit: Int = 50) async throws -> [PostedLine] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, amount, value_date, matched_loan_id, match_rule, payment_reference, matched_at FROM bank_statement_lines
                WHERE lender_id = \(bind: lenderID) AND match_status = 'posted' ORDER BY matched_at DESC, id LIMIT \(literal: limit)
                """
            ).all().map { row in
                PostedLine(
                    id: try row.decode(column: "id", as: String.self), amount: try row.decode(column: "amount", as: Int64.self),
                    valueDate: try row.decode(column: "value_date", as: String?.self), loanID: try row.decode(column: "matched_loan_id", as: String?.self),
                    rule: try row.decode(column: "match_rule", as: String?.self), reference: try row.decode(column: "payment_reference", as: String?.self),
                    matchedAt: try row.decode(column: "matched_at", as: String?.self)
                )
            }
        }
    }
}
