import CarteraCore
import CarteraSecurity
import Foundation
import Lending
import Reconciliation
import SQLKit
import Store

/// Gateway payouts: the deposits with which a payment gateway pays the lender what it collected. They pay no loan —
/// the loans were paid when the gateway reported each payment, against its clearing account — so they are matched to
/// that account: Bancos ← Cuenta liquidadora of the gateway.
extension BankReconciliation {
    /// The gateway a line names (its payer or concept), by the words banks write for each.
    static func gateway(named text: String) -> LedgerAccount? {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let words: [(String, LedgerAccount)] = [
            ("STRIPE", .clearingStripe), ("CONEKTA", .clearingConekta), ("OPENPAY", .clearingOpenpay), ("MERCADO PAGO", .clearingMercadoPago),
            ("MERCADOPAGO", .clearingMercadoPago), ("PAYPAL", .clearingPayPal),
        ]
        return words.first { folded.contains($0.0) }?.1
    }

    /// What the gateway owes the lender now (its clearing account's balance), centavos.
    func clearingBalance(_ account: LedgerAccount, lenderID: String, on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw(
            """
            SELECT CAST(COALESCE(SUM(l.debit) - SUM(l.credit), 0) AS BIGINT) AS b FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
            WHERE e.lender_id = \(bind: lenderID) AND l.account = \(bind: account.rawValue)
            """
        ).first(decodingColumn: "b", as: Int64.self) ?? 0
    }

    /// Posts a payout line against its gateway's clearing account when the gateway owes at least that much; false
    /// when the line is no payout (or the gateway owes less: then it waits for a person, with the reason).
    func postPayout(_ line: UnmatchedLine, lenderID: String, actor: Administration.Actor) async throws -> Bool {
        guard let clearing = Self.gateway(named: [line.payerName, line.text].compactMap { $0 }.joined(separator: " ")) else { return false }
        guard try await claim(line.id, from: ["unmatched"]) else { return true }
        let now = book.clock()
        let posted = try await database.transaction { db -> Bool in
            let owed = try await clearingBalance(clearing, lenderID: lenderID, on: db)
            guard owed >= line.amount else { return false }
            let entry = try await Journal.post(
                Journal.Draft(
                    lenderID: lenderID, loanID: nil, eventID: nil, kind: "gateway_payout", valueDate: min(line.valueDate, book.today()),
                    description: "Depósito \(line.id): liquidación de \(clearing.name)",
                    lines: [Journal.Line(account: .banks, loanID: nil, amount: line.amount), Journal.Line(account: clearing, loanID: nil, amount: -line.amount)]
                ),
                at: now, by: actor.id, on: db
            )
            let candidate = try JSONSerialization.data(withJSONObject: [[
                "loanId": "", "clientId": "", "amount": line.amount, "score": 90, "rule": MatchRule.gatewayPayout.rawValue,
                "reason": "Liquidación de la pasarela contra \(clearing.name) (adeudo \(Money(minorUnits: owed, currency: .mxn).decimalText)).",
            ] as [String: Any]])
            try await db.raw(
                """
                UPDATE bank_statement_lines SET match_status = 'posted', match_rule = \(bind: MatchRule.gatewayPayout.rawValue), match_score = 90,
                    candidates = \(bind: String(decoding: candidate, as: UTF8.self)), payment_reference = \(bind: "payout:" + entry), matched_at = \(bind: now.text)
                WHERE id = \(bind: line.id)
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "reconciliation.payout", objectType: "bank_line", objectID: line.id, at: now, change: "\(clearing.rawValue) \(line.amount)"),
                on: db
            )
            return true
        }
        if !posted {
            let reason = "Parece una liquidación de \(clearing.name), pero la pasarela no debe tanto a la financiera: revise los pagos de la pasarela."
            try await mark(line.id, status: "review", candidates: [MatchCandidate(loanID: "", clientID: "", amount: line.amount, score: 50, rule: .gatewayPayout, reason: reason)], loanID: nil, reference: nil, from: ["posting"])
        }
        return true
    }
}
