import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Lending
import SQLKit
import Store

extension LoanBook {
    /// Restructures an active loan: a new loan for what pays the old one off today (everything due, the interest of
    /// the installment in course and all principal), under a product's current version and a new term, without an
    /// opening fee. In one transaction the old loan is paid through the restructuring bridge account and becomes
    /// `reestructurado`, and the new loan is disbursed through the same account, so the bridge nets to zero.
    public func restructure(
        _ id: String, productCode: String?, term: Int, reason: String, lenderID: String, actor: Administration.Actor
    ) async throws -> Record {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !CardNumberDetector.containsCardNumber(reason) else {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Indique el motivo de la reestructura (hasta 500 caracteres, sin números de tarjeta).")
        }
        let today = today()
        let now = clock()
        return try await database.transaction { db -> Record in
            let old = try await load(id, lenderID: lenderID, on: db)
            guard old.record.status == .active, let oldTerms = old.terms, let ledgerDate = old.ledgerDate else {
                throw APIError(status: .conflict, code: "loan_status_conflict", message: "Solo se reestructura un crédito vigente; el crédito está \(old.record.status.label.lowercased()).")
            }
            // A restructure is a new credit to the client: held like a disbursement.
            try await ClientScreening.requireNoHolds(clientID: old.record.clientId, on: db)
            try await KYCFiles.requireComplete(clientID: old.record.clientId, lenderID: lenderID, today: today, on: db)
            guard let current = try await products.product(code: productCode ?? old.record.productCode, lenderID: lenderID, on: db) else {
                throw APIError(status: .unprocessableContent, code: "product_not_found", message: "No existe ese producto.")
            }
            let date = max(today, ledgerDate)
            let events = try await activeEvents(id, on: db)
            let before = try await bringLedger(old, terms: oldTerms, events: events, from: ledgerDate, to: date, now: now, actor: actor, on: db)
            let payoff = before.payoffAmount
            guard payoff.isPositive else {
                throw APIError(status: .conflict, code: "nothing_to_restructure", message: "El crédito no tiene saldo que reestructurar.")
            }
            var product = current
            product.openingFee = .amount(.zero())
            let newTerms: LoanTerms
            do { newTerms = try LoanTerms.make(product: product, amount: payoff, term: term, disbursementDate: date) } catch let refusal as QuoteRefusal {
                throw APIError(status: .unprocessableContent, code: refusal.code, message: refusal.message)
            }
            let newID = "ln_" + APIClients.randomHex(bytes: 10)

            // The old loan is paid off through the bridge.
            let event = LoanEvent(id: APIClients.timeOrderedID("pay_", at: now), sequence: old.nextSequence, valueDate: date, kind: .payment(amount: payoff, excess: .reduceTerm))
            let after = try replay(oldTerms, events + [event], date)
            guard after.status == .paidOff else {
                throw APIError(status: .internalServerError, code: "restructure_incomplete", message: "El pago de la reestructura no liquidó el crédito; no se registró nada.")
            }
            var lines = Journal.difference(from: before.ledgerBalances(), to: after.ledgerBalances(), loanID: id)
            lines.append(Journal.Line(account: .restructureBridge, loanID: id, amount: payoff.minorUnits))
            let payment = try Journal.Posting(
                Journal.Draft(lenderID: lenderID, loanID: id, eventID: event.id, kind: "payment", valueDate: date,
                              description: "Liquidación por reestructura con el crédito \(newID): \(reason)", lines: lines),
                at: now, by: actor.id
            )
            // The new loan, disbursed through the bridge.
            try await db.raw(
                """
                INSERT INTO loans (id, lender_id, client_id, product_code, product_version, status, amount, term, terms, disbursement_channel,
                                   disbursement_reference, disbursed_on, ledger_date, next_sequence, row_version, created_at, created_by,
                                   decided_at, decided_by, decision_note, restructured_from, updated_at)
                VALUES (\(bind: newID), \(bind: lenderID), \(bind: old.record.clientId), \(bind: product.code), \(bind: product.version),
                        \(bind: LoanStatus.active.rawValue), \(bind: payoff.minorUnits), \(bind: term),
                        \(bind: String(decoding: try TermsCache.encoder.encode(newTerms), as: UTF8.self)), \(bind: MoneyChannel.restructure.rawValue),
                        \(bind: id), \(bind: date.text), \(bind: date.text), 1, 1, \(bind: now.text), \(bind: actor.id), \(bind: now.text),
                        \(bind: actor.id), \(bind: reason), \(bind: id), \(bind: now.text))
                """
            ).run()
            var disbursement = Journal.difference(from: [:], to: try replay(newTerms, [], date).ledgerBalances(), loanID: newID)
            disbursement.append(Journal.Line(account: .restructureBridge, loanID: newID, amount: -newTerms.disbursed.minorUnits))
            let opening = try Journal.Posting(
                Journal.Draft(lenderID: lenderID, loanID: newID, eventID: nil, kind: "disbursement", valueDate: date,
                              description: "Disposición por reestructura del crédito \(id)", lines: disbursement),
                at: now, by: actor.id
            )
            try await Journal.write([payment, opening], on: db)
            try await db.raw(
                """
                INSERT INTO loan_events (id, loan_id, sequence, kind, value_date, amount, excess, channel, reference, note, allocation, entry_id, recorded_at, recorded_by)
                VALUES (\(bind: event.id), \(bind: id), \(bind: event.sequence), 'payment', \(bind: date.text), \(bind: payoff.minorUnits), 'reduce_term',
                        \(bind: MoneyChannel.restructure.rawValue), \(bind: newID), \(bind: reason),
                        \(bind: String(decoding: try TermsCache.encoder.encode(after.allocations[event.id] ?? []), as: UTF8.self)), \(bind: payment.id),
                        \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await updateLoan(old, status: .restructured, ledgerDate: date, nextSequence: old.nextSequence + 1, now: now, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "loan.restructure", objectType: "loan", objectID: id, at: now, change: "\(newID) \(payoff.minorUnits) \(term) \(reason)"),
                on: db
            )
            return try await load(newID, lenderID: lenderID, on: db).record
        }
    }
}
