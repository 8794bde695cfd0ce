import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Lending
import Reconciliation
import SQLKit
import Store

/// Bank lines to loans: the lender's unmatched deposits are matched (`Reconciliation.Matcher`) against its active
/// loans; a sure match is posted through the one posting path (`LoanBook.pay`, channel SPEI, the line's id as the
/// payment reference — so a rerun never posts it twice), the rest wait for review with their candidates, and lines
/// nobody is recognised in are marked unidentified.
public struct BankReconciliation: Sendable {
    let database: Database
    let keys: LiveKeys
    let book: LoanBook
    let directory: ClientDirectory
    let clabes: LoanCLABEs

    public init(database: Database, keys: LiveKeys, book: LoanBook, clabes: LoanCLABEs) {
        self.database = database
        self.keys = keys
        self.book = book
        self.directory = ClientDirectory(database: database, keys: keys)
        self.clabes = clabes
    }

    /// What a run did.
    public struct Summary: Sendable, Encodable, Equatable {
        public var lines = 0
        public var posted = 0
        public var review = 0
        public var unidentified = 0
        /// Deposits already taken from the SPEI participant's callback (same tracking key and amount): nothing posted.
        public var alreadyReceived = 0
        /// Payment gateways' payouts matched to their clearing accounts (or left for review when the gateway owes less).
        public var payouts = 0
        /// Money posted to loans, as decimal text.
        public var postedAmount = "0.00"
    }

    /// Matches the lender's unmatched deposits (with a value date up to `date`, today by default) and acts on each.
    public func run(lenderID: String, date: CalendarDate? = nil, rules: MatchRules? = nil, actor: Administration.Actor, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Summary {
        let until = min(date ?? book.today(), book.today())
        let rules: MatchRules = if let rules { rules } else { try await self.rules(lenderID: lenderID) }
        try await recover(lenderID: lenderID)
        let lines = try await unmatched(lenderID: lenderID, until: until)
        var summary = Summary(lines: lines.count)
        guard !lines.isEmpty else { return summary }
        let matcher = Matcher(loans: try await openLoans(lenderID: lenderID), rules: rules)
        let received = try await speiDeposits(lenderID: lenderID)
        var posted: Int64 = 0
        for (done, line) in lines.enumerated() {
            // The same transfer reported by STP's callback and again by the bank's statement is one deposit.
            let keys = ([line.trackingKey].compactMap { $0 } + line.text.split(whereSeparator: \.isWhitespace).map(String.init))
            if let known = keys.lazy.compactMap({ received[$0] }).first(where: { $0.amount == line.amount && abs($0.date.daysSince1970 - line.valueDate.daysSince1970) <= 5 }),
               try await link(deposit: known.id, to: line.id) {
                try await mark(line.id, status: "posted", candidates: [], loanID: known.loanID, reference: "spei:" + known.id, from: ["unmatched"])
                summary.alreadyReceived += 1
                progress?(done + 1, lines.count)
                continue
            }
            let outcome = matcher.match(line)
            // Nobody recognised, and a payment gateway paying out what it collected: against its clearing account.
            if outcome == .unidentified, try await postPayout(line, lenderID: lenderID, actor: actor) {
                summary.payouts += 1
                progress?(done + 1, lines.count)
                continue
            }
            switch outcome {
            case .post(let candidates):
                // Claimed first: another run (the page's button, the command line) never posts it too.
                guard try await claim(line.id, from: ["unmatched"]) else { continue }
                if try await post(line, candidates, lenderID: lenderID, actor: actor) {
                    summary.posted += 1
                    posted += line.amount
                } else {
                    summary.review += 1
                }
            case .review(let candidates):
                try await mark(line.id, status: "review", candidates: candidates, loanID: nil, reference: nil, from: ["unmatched"])
                summary.review += 1
            case .unidentified:
                try await mark(line.id, status: "unidentified", candidates: [], loanID: nil, reference: nil, from: ["unmatched"])
                summary.unidentified += 1
            }
            progress?(done + 1, lines.count)
        }
        summary.postedAmount = Money(minorUnits: posted, currency: .mxn).decimalText
        let result = summary
        let total = posted
        try await database.transaction { db in
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "reconciliation.run", objectType: "lender", objectID: lenderID, at: book.clock(),
                    change: "\(result.lines) \(result.posted) \(result.review) \(result.unidentified) \(total)"
                ),
                on: db
            )
        }
        return summary
    }

    /// Posts a line to its loan(s); a payment already made under the line's reference (a rerun after a crash) counts as
    /// posted. A loan that refuses the payment (no longer payable) sends the line to review.
    func post(_ line: UnmatchedLine, _ candidates: [MatchCandidate], lenderID: String, actor: Administration.Actor) async throws -> Bool {
        var references: [String] = []
        for (index, candidate) in candidates.enumerated() {
            let reference = candidates.count == 1 ? line.id : "\(line.id)-\(index + 1)"
            // Who paid: a blocked or sanctioned payer's money waits for compliance; a third party is a monitoring alert.
            let counterparty = try await PaymentCounterparties(database: database, keys: keys, screening: directory.screening)
                .check(name: line.payerName, rfc: nil, loanID: candidate.loanID, lenderID: lenderID, actor: actor)
            if counterparty.held {
                var held = candidates
                held[index].reason += " " + ClientScreening.holdMessage
                try await mark(line.id, status: "review", candidates: held, loanID: nil, reference: references.first, from: ["posting"])
                return false
            }
            do {
                // The reference is the line's own id (random hex can look like a card number): not screened.
                _ = try await book.post(
                    candidate.loanID,
                    .init(amount: Money(minorUnits: candidate.amount, currency: .mxn).decimalText, valueDate: line.valueDate.text, channel: .spei, reference: reference),
                    lenderID: lenderID, actor: actor, systemReference: true, payerIsClient: counterparty.payerIsClient
                )
            } catch let error as APIError where error.code == "payment_duplicate_reference" {
                // Posted by an earlier run that stopped before marking the line.
            } catch let error as APIError {
                var refused = candidates
                refused[index].reason += " No se pudo aplicar: \(error.message)"
                try await mark(line.id, status: "review", candidates: refused, loanID: nil, reference: references.first, from: ["posting"])
                return false
            }
            references.append(reference)
        }
        try await mark(line.id, status: "posted", candidates: candidates, loanID: candidates.first?.loanID, reference: references.joined(separator: ","), from: ["posting"])
        return true
    }

    /// Takes a line for posting (`posting`) when it is still in one of `statuses`; false when another run has it.
    func claim(_ lineID: String, from statuses: [String]) async throws -> Bool {
        let now = book.clock()
        return try await database.withConnection { db in
            let list = SQLList(statuses.map { SQLBind($0) })
            return try await db.raw(
                """
                UPDATE bank_statement_lines SET claimed_from = match_status, match_status = 'posting', matched_at = \(bind: now.text)
                WHERE id = \(bind: lineID) AND match_status IN (\(list)) RETURNING id
                """
            ).all().count == 1
        }
    }

    /// Payments already made under a line's reference (`L`, or `L-n` for the shares of a split), on any of the
    /// lender's loans.
    func payments(for lineID: String, lenderID: String) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT e.reference FROM loan_events e JOIN loans l ON l.id = e.loan_id
                WHERE l.lender_id = \(bind: lenderID) AND e.kind = 'payment' AND e.reversed_at IS NULL
                    AND (e.reference = \(bind: lineID) OR e.reference LIKE \(bind: lineID + "-%"))
                """
            ).all(decodingColumn: "reference", as: String.self)
        }
    }

    /// Lines left `posting` for ten minutes by a run that stopped: posted if a payment under their reference exists,
    /// otherwise back to be matched again.
    func recover(lenderID: String) async throws {
        let cutoff = book.clock().adding(seconds: -600)
        let stuck = try await database.withConnection { db in
            try await db.raw(
                "SELECT id FROM bank_statement_lines WHERE lender_id = \(bind: lenderID) AND match_status = 'posting' AND matched_at < \(bind: cutoff.text)"
            ).all(decodingColumn: "id", as: String.self)
        }
        for lineID in stuck {
            let made = try await payments(for: lineID, lenderID: lenderID)
            try await database.withConnection { db in
                // Wholly posted → posted; nothing posted → back where it was taken from; part posted (a split refused
                // half-way) → review, where a person sees which shares stand (and may undo them).
                let amount = try await db.raw("SELECT amount FROM bank_statement_lines WHERE id = \(bind: lineID)").first(decodingColumn: "amount", as: Int64.self) ?? 0
                let paid = made.isEmpty ? 0 : try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS paid FROM loan_events e
                    WHERE e.kind = 'payment' AND e.reversed_at IS NULL AND (e.reference = \(bind: lineID) OR e.reference LIKE \(bind: lineID + "-%"))
                    """
                ).first(decodingColumn: "paid", as: Int64.self) ?? 0
                let status: SQLQueryString = made.isEmpty ? "COALESCE(claimed_from, 'unmatched')" : (paid == amount ? "'posted'" : "'review'")
                try await db.raw(
                    """
                    UPDATE bank_statement_lines SET match_status = \(status), payment_reference = \(bind: made.isEmpty ? nil : made.sorted().joined(separator: ","))
                    WHERE id = \(bind: lineID) AND match_status = 'posting'
                    """
                ).run()
            }
        }
    }

    /// Sets a line's state — only while it is still in one of `from` (another run or a person may have moved it since).
    func mark(_ lineID: String, status: String, candidates: [MatchCandidate], loanID: String?, reference: String?, from: [String]) async throws {
        let now = book.clock()
        let json = String(decoding: try JSONSerialization.data(withJSONObject: candidates.map {
            ["loanId": $0.loanID, "clientId": $0.clientID, "amount": $0.amount, "score": $0.score, "rule": $0.rule.rawValue, "reason": $0.reason] as [String: Any]
        }), as: UTF8.self)
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE bank_statement_lines SET match_status = \(bind: status), matched_loan_id = \(bind: loanID), match_score = \(bind: candidates.first?.score),
                    match_rule = \(bind: candidates.first?.rule.rawValue), candidates = \(bind: json), payment_reference = \(bind: reference), matched_at = \(bind: now.text)
                WHERE id = \(bind: lineID) AND match_status IN (\(SQLList(from.map { SQLBind($0) })))
                """
            ).run()
        }
    }

    /// The lender's booked MXN deposits not matched yet, oldest first, as the matcher reads them: a CLABE of the
    /// lender's range in the line is where it was sent; another account is the payer's.
    func unmatched(lenderID: String, until: CalendarDate) async throws -> [UnmatchedLine] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, amount, value_date, booking_date, end_to_end_id, bank_reference, counterparty_name, counterparty_account, remittance, description
                FROM bank_statement_lines
                WHERE lender_id = \(bind: lenderID) AND match_status = 'unmatched' AND status = 'booked' AND amount > 0
                    AND (currency = 'MXN' OR (currency = '' AND bank_account_id IN (SELECT id FROM bank_accounts WHERE currency = 'MXN')))
                    AND reversal = \(bind: false)
                    AND COALESCE(value_date, booking_date) <= \(bind: until.text)
                ORDER BY COALESCE(value_date, booking_date), id
                """
            ).all()
        }
        let cipher = keys.cipher
        return try rows.map { row in
            func open(_ column: String) throws -> String? {
                try row.decode(column: column, as: String?.self).map { try cipher.decrypt($0, field: "bank_statement_lines.\(column)") }
            }
            let counterparty = try open("counterparty_account")
            let text = [try open("remittance"), try open("description"), try row.decode(column: "bank_reference", as: String?.self)].compactMap { $0 }.joined(separator: " ")
            // A CLABE of the lender's range anywhere in the line is the loan it was sent to.
            let words = ([counterparty] + text.split(whereSeparator: { !$0.isNumber }).map(String.init)).compactMap { $0 }
            let destination = words.first { $0.count == 18 && clabes.range?.number(of: $0) != nil }
            let date = try row.decode(column: "value_date", as: String?.self) ?? row.decode(column: "booking_date", as: String?.self)
            return UnmatchedLine(
                id: try row.decode(column: "id", as: String.self), amount: try row.decode(column: "amount", as: Int64.self),
                valueDate: date.flatMap(CalendarDate.init(text:)) ?? book.today(), destinationCLABE: destination,
                trackingKey: try row.decode(column: "end_to_end_id", as: String?.self), text: text, payerName: try open("counterparty_name"),
                payerAccount: counterparty == destination ? nil : counterparty
            )
        }
    }

    /// The lender's reconciliation rules (the defaults until some are saved).
    public func rules(lenderID: String) async throws -> MatchRules {
        let text = try await database.withConnection { db in
            try await db.raw("SELECT rules FROM reconciliation_rules WHERE lender_id = \(bind: lenderID)").first(decodingColumn: "rules", as: String.self)
        }
        guard let text else { return MatchRules() }
        return (try? JSONDecoder().decode(MatchRules.self, from: Data(text.utf8))) ?? MatchRules()
    }

    /// Saves the lender's rules (checked first), audited.
    public func saveRules(_ rules: MatchRules, lenderID: String, actor: Administration.Actor) async throws {
        if let problem = rules.problem { throw APIError(status: .unprocessableContent, code: "rules_invalid", message: problem) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(rules), as: UTF8.self)
        let now = book.clock()
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO reconciliation_rules (lender_id, rules, updated_at, updated_by) VALUES (\(bind: lenderID), \(bind: text), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (lender_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "reconciliation.rules", objectType: "lender", objectID: lenderID, at: now, change: text),
                on: db
            )
        }
    }

    /// The SPEI deposits the participant reported by callback and no statement line has been linked to, by tracking key.
    func speiDeposits(lenderID: String) async throws -> [String: (id: String, amount: Int64, loanID: String?, date: CalendarDate)] {
        try await database.withConnection { db in
            var known: [String: (id: String, amount: Int64, loanID: String?, date: CalendarDate)] = [:]
            for row in try await db.raw(
                "SELECT id, tracking_key, amount, loan_id, operating_date FROM spei_deposits WHERE lender_id = \(bind: lenderID) AND statement_line_id IS NULL"
            ).all() {
                guard let date = CalendarDate(text: try row.decode(column: "operating_date", as: String.self)) else { continue }
                known[try row.decode(column: "tracking_key", as: String.self)] = (
                    try row.decode(column: "id", as: String.self), try row.decode(column: "amount", as: Int64.self), try row.decode(column: "loan_id", as: String?.self), date
                )
            }
            return known
        }
    }

    /// Links a statement line to the SPEI deposit it repeats, once: false when another line took it first.
    func link(deposit: String, to lineID: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                "UPDATE spei_deposits SET statement_line_id = \(bind: lineID) WHERE id = \(bind: deposit) AND statement_line_id IS NULL RETURNING id"
            ).all().count == 1
        }
    }

    /// The lender's active loans as the matcher sees them: what is due, their CLABE, their client's name, and the
    /// accounts their client paid from before.
    func openLoans(lenderID: String) async throws -> [OpenLoan] {
        let today = book.today()
        // Every active loan (not a page of the latest).
        let records = try await database.withConnection { db in
            try await db.raw("SELECT id, client_id FROM loans WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue) ORDER BY id")
                .all().map { (id: try $0.decode(column: "id", as: String.self), clientId: try $0.decode(column: "client_id", as: String.self)) }
        }
        let cipher = keys.cipher
        let known = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT matched_loan_id, counterparty_account FROM bank_statement_lines
                WHERE lender_id = \(bind: lenderID) AND match_status = 'posted' AND counterparty_account IS NOT NULL AND matched_loan_id IS NOT NULL
                """
            ).all().map { row -> (String, String) in
                (try row.decode(column: "matched_loan_id", as: String.self),
                 try cipher.decrypt(try row.decode(column: "counterparty_account", as: String.self), field: "bank_statement_lines.counterparty_account"))
            }
        }
        let accountsByLoan = Dictionary(grouping: known, by: \.0).mapValues { Array(Set($0.map(\.1))) }
        let referencesByLoan = try await references(lenderID: lenderID)
        var names: [String: String] = [:]
        var loans: [OpenLoan] = []
        let loansByClient = Dictionary(grouping: records, by: \.clientId)
        for record in records {
            guard let position = try await book.position(record.id, lenderID: lenderID, asOf: today).1 else { continue }
            if names[record.clientId] == nil { names[record.clientId] = try await directory.get(id: record.clientId)?.displayName ?? "" }
            let clientAccounts = (loansByClient[record.clientId] ?? []).flatMap { accountsByLoan[$0.id] ?? [] }
            loans.append(OpenLoan(
                loanID: record.id, clientID: record.clientId, clientName: names[record.clientId] ?? "", clabe: try await clabes.assigned(record.id),
                amountDue: position.amountDue.minorUnits, nextPayment: position.nextInstallment?.remaining.minorUnits ?? 0, payoff: position.payoffAmount.minorUnits,
                nextDueDate: position.nextInstallment?.dueDate, references: referencesByLoan[record.id] ?? [], payerAccounts: Array(Set(clientAccounts))
            ))
        }
        return loans
    }

    /// The other references borrowers write for an active loan: the cash (OXXO, convenience store) references and
    /// intent ids of its payment intents, and the loan it replaced in a restructure (borrowers keep paying under the old
    /// number). The matcher finds a loan by any of them in a deposit's concept, and the lender's patterns capture them.
    func references(lenderID: String) async throws -> [String: [String]] {
        try await database.withConnection { db in
            var references: [String: [String]] = [:]
            for row in try await db.raw(
                """
                SELECT p.loan_id, p.id, p.cash_reference FROM payment_intents p JOIN loans l ON l.id = p.loan_id
                WHERE p.lender_id = \(bind: lenderID) AND l.status = \(bind: LoanStatus.active.rawValue) ORDER BY p.created_at, p.id
                """
            ).all() {
                let loan = try row.decode(column: "loan_id", as: String.self)
                references[loan, default: []].append(try row.decode(column: "id", as: String.self))
                if let cash = try row.decode(column: "cash_reference", as: String?.self), !cash.isEmpty { references[loan, default: []].append(cash) }
            }
            for row in try await db.raw(
                """
                SELECT id, restructured_from FROM loans
                WHERE lender_id = \(bind: lenderID) AND status = \(bind: LoanStatus.active.rawValue) AND restructured_from IS NOT NULL
                """
            ).all() {
                references[try row.decode(column: "id", as: String.self), default: []].append(try row.decode(column: "restructured_from", as: String.self))
            }
            return references
        }
    }
}

extension BankReconciliation {
    /// A line waiting for a person, with what the matcher suggested.
    public struct PendingLine: Sendable {
        public let id: String
        public let status: String
        public let amount: Int64
        public let valueDate: String?
        public let payerName: String?
        public let payerAccount: String?
        public let text: String
        public let candidates: [StoredCandidate]
    }

    /// A candidate as kept with its line.
    public struct StoredCandidate: Sendable, Decodable {
        public let loanId: String
        public let clientId: String
        public let amount: Int64
        public let score: Int
        public let rule: String
        public let reason: String
    }

    /// The lender's lines in review, unidentified or held in suspense, oldest first.
    public func pending(lenderID: String, limit: Int = 200) async throws -> [PendingLine] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, match_status, amount, value_date, counterparty_name, counterparty_account, remittance, description, bank_reference, candidates
                FROM bank_statement_lines WHERE lender_id = \(bind: lenderID) AND match_status IN ('review', 'unidentified', 'suspense')
                ORDER BY value_date, id LIMIT \(literal: max(1, min(limit, 1000)))
                """
            ).all()
        }
        let cipher = keys.cipher
        return try rows.map { row in
            func open(_ column: String) throws -> String? {
                try row.decode(column: column, as: String?.self).map { try cipher.decrypt($0, field: "bank_statement_lines.\(column)") }
            }
            let candidates = (try row.decode(column: "candidates", as: String?.self)).flatMap { try? JSONDecoder().decode([StoredCandidate].self, from: Data($0.utf8)) } ?? []
            return PendingLine(
                id: try row.decode(column: "id", as: String.self), status: try row.decode(column: "match_status", as: String.self),
                amount: try row.decode(column: "amount", as: Int64.self), valueDate: try row.decode(column: "value_date", as: String?.self),
                payerName: try open("counterparty_name"), payerAccount: try open("counterparty_account"),
                text: [try open("remittance"), try open("description"), try row.decode(column: "bank_reference", as: String?.self)].compactMap { $0 }.joined(separator: " · "),
                candidates: candidates
            )
        }
    }

    /// Staff apply a line waiting for review, an unidentified one, or one held in suspense, to a loan they chose.
    public func apply(lineID: String, to loanID: String, lenderID: String, actor: Administration.Actor) async throws {
        try await apply(lineID: lineID, shares: [(loanID, nil)], lenderID: lenderID, actor: actor)
    }
}
