import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import Lending
import Payments
import SQLKit
import Store

extension PaymentIntentBook {
    /// What a gateway reported, for `paidAhead`: the caller's index, then the report.
    typealias PaidReport = (index: Int, provider: GatewayProvider, chargeID: String?, intentID: String?, outcome: GatewayOutcome, paidAt: Timestamp?, source: String)

    /// A gateway's report that an intent was paid, worked out before the outbox's transaction: the intent as read then,
    /// and its payment as the lending core would post it (from the loan's cached replay when it can).
    /// A class: the batch passes it around without copying what it holds.
    final class PaidAhead: Sendable {
        /// Which of the caller's items it settles.
        let index: Int
        let record: PaymentIntentRecord
        /// The intent after the report.
        let intent: PaymentIntent
        let chargeID: String
        let job: LoanBook.PaymentJob
        let fee: Money?
        let source: String

        init(index: Int, record: PaymentIntentRecord, intent: PaymentIntent, chargeID: String, job: LoanBook.PaymentJob, fee: Money?, source: String) {
            self.index = index
            self.record = record
            self.intent = intent
            self.chargeID = chargeID
            self.job = job
            self.fee = fee
            self.source = source
        }

        /// The same report, its payment to be worked out in the transaction.
        func withoutSpeculation() -> PaidAhead {
            var job = job
            job.speculation = nil
            return PaidAhead(index: index, record: record, intent: intent, chargeID: chargeID, job: job, fee: fee, source: source)
        }
    }

    /// The paid reports among `reports` that can be settled together: each about an intent not paid yet, named by id
    /// and by the charge it records (or none yet), paid today (a payment dated earlier is checked against the loan's
    /// disbursement one by one). Their payments are worked out now, on the caller's thread, chained per loan — after
    /// `chain`, payments worked out but not written yet, when given; the rest (and a second report about the same
    /// intent) are left for `settle` one by one. Returns them with the last payment worked out of each loan paid here
    /// (a loan whose payment could not be worked out ahead is left out: its payments go to the transaction).
    func paidAhead(
        _ reports: [PaidReport], now: Timestamp, after chain: [String: LoanBook.Speculation] = [:]
    ) async throws -> (ahead: [PaidAhead], chain: [String: LoanBook.Speculation]) {
        let candidates = reports.filter { report in
            guard case .paid = report.outcome, report.intentID != nil, report.chargeID != nil else { return false }
            return true
        }
        guard !candidates.isEmpty else { return ([], [:]) }
        let ids = Array(Set(candidates.compactMap(\.intentID)))
        let records = try await database.withConnection { db in
            try await db.raw("SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE id IN (\(binds: ids))").all().map(PaymentIntentRecord.init)
        }
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let today = book.today()
        var taken = Set<String>()
        // The previous batch is written before this one: its events are no longer pending.
        let earlier = chain.mapValues(\.written)
        var previous: [String: LoanBook.Speculation] = [:]
        var notAhead = Set<String>()
        var ahead: [PaidAhead] = []
        for report in candidates {
            guard let intentID = report.intentID, let chargeID = report.chargeID, let record = byID[intentID], record.provider == report.provider,
                !record.status.isPaid, record.providerChargeId == nil || record.providerChargeId == chargeID, !taken.contains(intentID)
            else { continue }
            let paidDay = Self.paidDay(report.paidAt, today: today)
            var intent = record.intent
            guard paidDay == today, case .postPayment(let amount, let fee)? = try? intent.apply(report.outcome, at: now) else { continue }
            taken.insert(intentID)
            var job = LoanBook.PaymentJob(
                loanID: record.loanId, lenderID: record.lenderId, amount: amount, valueDate: paidDay, channel: record.provider.channel,
                reference: record.id, excess: .advance, actor: Self.gatewayActor(record.provider), idempotency: nil, now: now
            )
            job.instrument = TransactionMonitor.instrument(ofGatewayMethod: record.method)
            // A loan whose payment could not be worked out ahead is worked out in the transaction, so are its next ones.
            if !notAhead.contains(record.loanId) {
                job.speculation = await book.speculate(job, after: previous[record.loanId] ?? earlier[record.loanId])
                if job.speculation == nil { notAhead.insert(record.loanId) }
                previous[record.loanId] = job.speculation
            }
            ahead.append(PaidAhead(index: report.index, record: record, intent: intent, chargeID: chargeID, job: job, fee: fee, source: report.source))
        }
        return (ahead, previous)
    }

    /// Settles paid reports worked out by `paidAhead` inside the caller's transaction, with a few multi-row statements:
    /// the intents are locked and must be as read then; their payments go through the lending core's one posting path
    /// together (`LoanBook.post`), the gateway's fees to its clearing account, and each intent moves to paid with its
    /// audit entry. Returns the caller's indices it settled (with their intents) and the replays to keep after the
    /// commit; an intent changed meanwhile, or whose payment the loan refuses (it goes to suspense), is left for
    /// `settle` one by one.
    func settlePaid(
        _ ahead: [PaidAhead], now: Timestamp, on db: any SQLDatabase
    ) async throws -> (settled: [(index: Int, intentID: String, asWorkedOut: Bool)], carried: [ReplayCache.Entry]) {
        guard !ahead.isEmpty else { return ([], []) }
        let lock: SQLQueryString = database.dialect == .postgres ? " ORDER BY id FOR UPDATE" : ""
        var versions: [String: (PaymentIntentStatus, Int64)] = [:]
        for row in try await db.raw("SELECT id, status, row_version FROM payment_intents WHERE id IN (\(binds: ahead.map(\.record.id)))\(lock)").all() {
            versions[try row.decode(column: "id", as: String.self)] = (
                try row.decode(column: "status", named: PaymentIntentStatus.self), try row.decode(column: "row_version", as: Int64.self)
            )
        }
        let unchanged = ahead.filter { item in versions[item.record.id].map { $0 == (item.record.status, item.record.rowVersion) } ?? false }
        guard !unchanged.isEmpty else { return ([], []) }
        let (results, carried) = try await book.post(unchanged.map(\.job), on: db)
        var posted: [(PaidAhead, paymentID: String)] = []
        for (item, result) in zip(unchanged, results) {
            if case .success(let payment) = result { posted.append((item, payment.id)) }
        }
        // Written as worked out ahead: the payment is the one speculated (a payment worked out again has a new id).
        let speculated = Set(unchanged.compactMap { $0.job.speculation?.plan.record.id })
        guard !posted.isEmpty else { return ([], carried) }
        let today = book.today()
        let fees = try posted.compactMap { item, _ -> Journal.Posting? in
            guard let fee = item.fee, fee.isPositive else { return nil }
            return try Journal.Posting(Self.feeDraft(fee, of: item.record, on: today), at: now, by: Self.gatewayActor(item.record.provider).id)
        }
        try await Journal.write(fees, on: db)
        let values = posted.map { item, paymentID -> SQLQueryString in
            let intent = item.intent
            return """
                (\(bind: item.record.id), \(bind: item.record.rowVersion), \(bind: intent.status.rawValue), \(bind: intent.received?.minorUnits ?? 0),
                 \(bind: intent.fee?.minorUnits), \(bind: paymentID), \(bind: item.chargeID))
                """
        }
        // The fee column is NULL for an unknown fee: its type comes from the table, not from the VALUES list.
        let updated = try await db.raw(
            """
            UPDATE payment_intents SET status = v.column3, received = CAST(v.column4 AS BIGINT), fee = CAST(v.column5 AS BIGINT), failure_code = NULL,
                failure_message = NULL, payment_id = v.column6, provider_charge_id = v.column7, queries = 0, updated_at = \(bind: now.text),
                row_version = payment_intents.row_version + 1
            FROM (VALUES \(values.joined(separator: ", "))) AS v
            WHERE payment_intents.id = v.column1 AND payment_intents.row_version = CAST(v.column2 AS BIGINT)
            RETURNING payment_intents.id
            """
        ).all()
        guard updated.count == posted.count else { throw StoreError.busy(detail: "payment intents changed concurrently") }
        try await AuditLog.append(contentsOf: posted.map { item, _ in Self.moved(item.record, to: item.intent.status, source: item.source, at: now) }, on: db)
        return (posted.map { ($0.0.index, $0.0.record.id, speculated.contains($0.paymentID)) }, carried)
    }

    /// Who settles what a gateway reports.
    static func gatewayActor(_ provider: GatewayProvider) -> Administration.Actor {
        Administration.Actor(kind: .system, id: "gateway:\(provider.rawValue)")
    }
}
