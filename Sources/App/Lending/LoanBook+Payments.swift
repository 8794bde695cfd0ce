import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Lending
import SQLKit
import Store

extension LoanBook {
    /// A payment as asked for (API, command line, back office).
    public struct PaymentRequest: Sendable, Codable, Hashable {
        /// `"1250.00"`.
        public var amount: String
        /// The date the money arrived (today when omitted); may be earlier than today, never later.
        public var valueDate: String?
        public var channel: MoneyChannel
        /// The bank's or gateway's reference: a second payment with the same channel and reference is refused.
        public var reference: String?
        /// Where money beyond what is due goes (pago adelantado by default).
        public var excess: ExcessPolicy?

        public init(amount: String, valueDate: String? = nil, channel: MoneyChannel, reference: String? = nil, excess: ExcessPolicy? = nil) {
            self.amount = amount
            self.valueDate = valueDate
            self.channel = channel
            self.reference = reference
            self.excess = excess
        }
    }

    /// A recorded payment (or write-off) and how it was applied when recorded.
    public struct PaymentRecord: Sendable, Codable {
        public struct Line: Sendable, Codable {
            public let installment: Int?
            public let component: String
            public let amount: String
        }
        public struct Reversal: Sendable, Codable {
            public let at: String
            public let by: String
            public let reason: String
            public let entryId: String
        }
        public let id: String
        public let loanId: String
        public let kind: String
        public let sequence: Int64
        public let valueDate: String
        public let amount: String
        public let channel: String?
        public let reference: String?
        public let excess: String?
        public let allocation: [Line]
        public let entryId: String
        public let recordedAt: String
        public let recordedBy: String
        public let reversal: Reversal?
        /// The loan's status after the payment.
        public let loanStatus: LoanStatus?
    }

    static let idempotencyInProgress = APIError(
        status: .conflict, code: "idempotency_in_progress", message: "Otra solicitud con la misma Idempotency-Key sigue en curso. Reintente en unos segundos."
    )
    static let idempotencyMismatch = APIError(
        status: .unprocessableContent, code: "idempotency_key_reused",
        message: "La Idempotency-Key ya se usó con otra solicitud. Use una clave nueva para una solicitud distinta."
    )

    /// Reverses a payment with a reason: the payment stops counting, the loan is replayed without it and compensating
    /// entries take every account back, in one transaction.
    public func reverse(_ loanID: String, payment paymentID: String, reason: String, lenderID: String, actor: Administration.Actor) async throws -> PaymentRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Indique el motivo de la cancelación del pago (hasta 500 caracteres).")
        }
        if CardNumberDetector.containsCardNumber(reason) {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en el motivo.")
        }
        let now = clock()
        return try await database.transaction { db -> PaymentRecord in
            try await reverse(loanID, payment: paymentID, reason: reason, lenderID: lenderID, actor: actor, now: now, on: db)
        }
    }

    /// Reverses a payment inside the caller's transaction (the reason already checked).
    func reverse(
        _ loanID: String, payment paymentID: String, reason: String, lenderID: String, actor: Administration.Actor, now: Timestamp, on db: any SQLDatabase
    ) async throws -> PaymentRecord {
        let loan = try await load(loanID, lenderID: lenderID, on: db)
        guard let terms = loan.terms, let ledgerDate = loan.ledgerDate else {
            throw APIError(status: .conflict, code: "loan_not_disbursed", message: "El crédito no se ha dispuesto.")
        }
        guard let row = try await db.raw(
            "SELECT id, kind, amount, channel, reversed_at FROM loan_events WHERE id = \(bind: paymentID) AND loan_id = \(bind: loanID)"
        ).first() else {
            throw APIError(status: .notFound, code: "payment_not_found", message: "Ese pago no existe en este crédito.")
        }
        guard try row.decode(column: "kind", as: String.self) == "payment" else {
            throw APIError(status: .conflict, code: "not_a_payment", message: "Solo se cancelan pagos.")
        }
        guard try row.decode(column: "reversed_at", as: String?.self) == nil else {
            throw APIError(status: .conflict, code: "payment_already_reversed", message: "Ese pago ya estaba cancelado.")
        }
        let amount = try row.decode(column: "amount", as: Int64.self)
        let channel = MoneyChannel(rawValue: try row.decode(column: "channel", as: String?.self) ?? "") ?? .transfer
        // A restructured loan was paid off by its new loan: undoing any of its payments would leave the debt twice.
        guard loan.record.status != .restructured, channel != .restructure else {
            throw APIError(status: .conflict, code: "loan_restructured",
                           message: "El crédito fue reestructurado; sus pagos ya no se cancelan. Haga los ajustes en el crédito nuevo.")
        }
        let events = try await activeEvents(loanID, on: db)
        // Dated the lender's last closed day at the earliest: the close leaves a loan with nothing to post at an earlier
        // ledger date, and the reversal belongs to the books of today, not of that day.
        let asOf = try await Self.bookDay(ledgerDate, lenderID: lenderID, on: db)
        let before = try await bringLedger(loan, terms: terms, events: events, from: ledgerDate, to: asOf, now: now, actor: actor, on: db)
        let after = try replay(terms, events.filter { $0.id != paymentID }, asOf)
        var lines = Journal.difference(from: before.ledgerBalances(), to: after.ledgerBalances(), loanID: loanID)
        lines.append(Journal.Line(account: channel.account, loanID: loanID, amount: -amount))
        let entryID = try await Journal.post(
            Journal.Draft(lenderID: lenderID, loanID: loanID, eventID: paymentID, kind: "reversal", valueDate: asOf,
                          description: "Cancelación del pago \(paymentID): \(reason)", lines: lines),
            at: now, by: actor.id, on: db
        )
        try await db.raw(
            """
            UPDATE loan_events SET reversed_at = \(bind: now.text), reversed_by = \(bind: actor.id), reversal_reason = \(bind: reason),
                reversal_entry_id = \(bind: entryID)
            WHERE id = \(bind: paymentID)
            """
        ).run()
        // PLD monitoring: a payment recorded in error leaves the relevantes and the windows (its cases stay).
        try await TransactionMonitor.markReversed(operationID: paymentID, at: now, on: db)
        let status = LoanStatus(after.status)
        try await updateLoan(loan, status: status, ledgerDate: asOf, nextSequence: loan.nextSequence, now: now, on: db)
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "payment.reverse", objectType: "loan", objectID: loanID, at: now, change: "\(paymentID) \(reason)"),
            on: db
        )
        return try await payments(loanID, on: db).first { $0.id == paymentID }!
    }

    /// Writes a loan off today (castigo), with a reason; later payments are recoveries.
    public func writeOff(_ loanID: String, reason: String, lenderID: String, actor: Administration.Actor) async throws -> PaymentRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !CardNumberDetector.containsCardNumber(reason) else {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Indique el motivo del castigo (hasta 500 caracteres, sin números de tarjeta).")
        }
        let today = today()
        let now = clock()
        return try await database.transaction { db -> PaymentRecord in
            let loan = try await load(loanID, lenderID: lenderID, on: db)
            guard loan.record.status == .active, let terms = loan.terms, let ledgerDate = loan.ledgerDate else {
                throw APIError(status: .conflict, code: "loan_status_conflict", message: "Solo se castiga un crédito vigente; el crédito está \(loan.record.status.label.lowercased()).")
            }
            let events = try await activeEvents(loanID, on: db)
            let asOf = max(today, ledgerDate)
            let before = try await bringLedger(loan, terms: terms, events: events, from: ledgerDate, to: asOf, now: now, actor: actor, on: db)
            let event = LoanEvent(id: "wo_" + APIClients.randomHex(bytes: 10), sequence: loan.nextSequence, valueDate: asOf, kind: .writeOff)
            let after = try replay(terms, events + [event], asOf)
            let lines = Journal.difference(from: before.ledgerBalances(), to: after.ledgerBalances(), loanID: loanID)
            let entryID = try await Journal.post(
                Journal.Draft(lenderID: lenderID, loanID: loanID, eventID: event.id, kind: "write_off", valueDate: asOf,
                              description: "Castigo del crédito \(loanID): \(reason)", lines: lines),
                at: now, by: actor.id, on: db
            )
            try await db.raw(
                """
                INSERT INTO loan_events (id, loan_id, sequence, kind, value_date, amount, note, allocation, entry_id, recorded_at, recorded_by)
                VALUES (\(bind: event.id), \(bind: loanID), \(bind: event.sequence), 'write_off', \(bind: asOf.text), 0, \(bind: reason), '[]',
                        \(bind: entryID), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await updateLoan(loan, status: .writtenOff, ledgerDate: asOf, nextSequence: loan.nextSequence + 1, now: now, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "loan.write_off", objectType: "loan", objectID: loanID, at: now, change: reason),
                on: db
            )
            return try await payments(loanID, on: db).first { $0.id == event.id }!
        }
    }

    /// The day an entry that corrects a loan is posted at: its ledger date, or the lender's last closed day when that is
    /// later (the end-of-day close moves a loan's ledger date only when it posts something for it).
    static func bookDay(_ ledgerDate: CalendarDate, lenderID: String, on db: any SQLDatabase) async throws -> CalendarDate {
        let closed = try await db.raw("SELECT closed_through FROM business_dates WHERE lender_id = \(bind: lenderID)")
            .first(decodingColumn: "closed_through", as: String.self).flatMap(CalendarDate.init(text:))
        return max(ledgerDate, closed ?? ledgerDate)
    }

    /// Posts what accrued between the loan's ledger date and `date` (recognised interest, moratorium interest, late
    /// fees, vigente → vencida) as an accrual entry, and returns the position at `date`.
    func bringLedger(
        _ loan: Loaded, terms: LoanTerms, events: [LoanEvent], from ledgerDate: CalendarDate, to date: CalendarDate, now: Timestamp,
        actor: Administration.Actor, on db: any SQLDatabase
    ) async throws -> LoanPosition {
        let atLedger = try replay(terms, events, ledgerDate)
        guard date > ledgerDate else { return atLedger }
        let atDate = try replay(terms, events, date)
        try await postAccrual(loan, from: atLedger, to: atDate, date: date, now: now, actor: actor, on: db)
        return atDate
    }

    func updateLoan(_ loan: Loaded, status: LoanStatus, ledgerDate: CalendarDate, nextSequence: Int64, now: Timestamp, on db: any SQLDatabase) async throws {
        let updated = try await db.raw(
            """
            UPDATE loans SET status = \(bind: status.rawValue), ledger_date = \(bind: ledgerDate.text), next_sequence = \(bind: nextSequence),
                row_version = row_version + 1, updated_at = \(bind: now.text)
            WHERE id = \(bind: loan.record.id) AND row_version = \(bind: loan.rowVersion)
            RETURNING id
            """
        ).all()
        // Transactions are serializable, so this cannot happen; if it ever did, nothing of the payment is kept.
        guard updated.count == 1 else { throw StoreError.busy(detail: "loan \(loan.record.id) changed concurrently") }
    }

    static func line(_ line: AllocationLine) -> PaymentRecord.Line {
        PaymentRecord.Line(installment: line.installment, component: line.component.rawValue, amount: QuoteDocument.amount(line.amount))
    }

    /// A loan's payments and write-offs, in order of recording, with their reversals.
    public func payments(_ loanID: String, lenderID: String) async throws -> [PaymentRecord] {
        try await database.withConnection { db in
            _ = try await load(loanID, lenderID: lenderID, on: db)
            return try await payments(loanID, on: db)
        }
    }

    func payments(_ loanID: String, on db: any SQLDatabase) async throws -> [PaymentRecord] {
        let status = try await db.raw("SELECT status FROM loans WHERE id = \(bind: loanID)").first(decodingColumn: "status", as: String.self)
        return try await db.raw(
            """
            SELECT id, sequence, kind, value_date, amount, excess, channel, reference, allocation, entry_id, recorded_at, recorded_by,
                   reversed_at, reversed_by, reversal_reason, reversal_entry_id
            FROM loan_events WHERE loan_id = \(bind: loanID) ORDER BY sequence
            """
        ).all().map { row in
            let allocation = try JSONDecoder().decode([AllocationLine].self, from: Data(try row.decode(column: "allocation", as: String.self).utf8))
            var reversal: PaymentRecord.Reversal?
            if let at = try row.decode(column: "reversed_at", as: String?.self) {
                reversal = PaymentRecord.Reversal(
                    at: at, by: try row.decode(column: "reversed_by", as: String?.self) ?? "", reason: try row.decode(column: "reversal_reason", as: String?.self) ?? "",
                    entryId: try row.decode(column: "reversal_entry_id", as: String?.self) ?? ""
                )
            }
            return PaymentRecord(
                id: try row.decode(column: "id", as: String.self), loanId: loanID, kind: try row.decode(column: "kind", as: String.self),
                sequence: try row.decode(column: "sequence", as: Int64.self), valueDate: try row.decode(column: "value_date", as: String.self),
                amount: QuoteDocument.amount(.mxn(centavos: try row.decode(column: "amount", as: Int64.self))),
                channel: try row.decode(column: "channel", as: String?.self), reference: try row.decode(column: "reference", as: String?.self),
                excess: try row.decode(column: "excess", as: String?.self), allocation: allocation.map(Self.line),
                entryId: try row.decode(column: "entry_id", as: String.self), recordedAt: try row.decode(column: "recorded_at", as: String.self),
                recordedBy: try row.decode(column: "recorded_by", as: String.self), reversal: reversal, loanStatus: status.flatMap(LoanStatus.init(rawValue:))
            )
        }
    }
}
