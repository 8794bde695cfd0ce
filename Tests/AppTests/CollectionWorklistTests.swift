@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Lending
import LoanCollections
import SQLKit
import Store
import Testing

/// The roll-risk model trained on a generated portfolio and the collectors' worklist it ranks.
@Suite("Collections worklist: roll-risk model, segments, contact log")
struct CollectionWorklistTests {
    @Test("Trained on a generated portfolio the model separates the loans that get worse (holdout AUC reported and above 0.7), is versioned and audited; the worklist is ranked by probability × amount due, independently recomputed, with segments; a collector's contact moves the next action", arguments: TestEngine.available)
    func trainAndRank(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let staff = try await TestStaff.seed(database)
            _ = staff
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            _ = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: lender, count: 160, lateShare: 55, seed: 77)
            let book = LoanBook(database: database)
            let training = RollRiskTraining(database: database, book: book)
            let result = try await training.train(lenderID: lender, asOf: book.today(), actor: .commandLine)
            #expect(result.version == 1 && result.examples >= 100, "\(result)")
            #expect(result.training + result.holdout == result.examples)
            let auc = try #require(result.holdoutAUC)
            #expect(auc > 0.7, "holdout AUC \(auc)")
            #expect(try await training.train(lenderID: lender, asOf: book.today(), actor: .commandLine).version == 2)
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'collections.model_trained'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 2)

            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: book.today().adding(days: -1))
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            let list = try await CollectionWorklist(database: database, directory: directory, book: book).list(lenderID: lender)
            #expect(list.modelVersion == 2 && !list.entries.isEmpty)
            // Independently: every active snapshot owing something, scored with the stored model, sorted by p × amount.
            let (snapshots, model) = try await database.withConnection { db in
                let rows = try await db.raw(
                    "SELECT loan_id, model FROM loan_snapshots s JOIN collection_models m ON m.lender_id = s.lender_id AND m.version = 2 WHERE s.amount_due > 0 AND s.status = 'active'"
                ).all()
                let model = try JSONDecoder().decode(RollRiskModel.self, from: Data(try rows[0].decode(column: "model", as: String.self).utf8))
                let snapshots = try await db.raw(
                    """
                    SELECT snapshot_date, loan_id, client_id, product_code, disbursed_on, status, days_past_due, bucket, non_performing, restructured,
                        principal_outstanding, overdue_principal, overdue_interest, overdue_charges, amount_due, installments_overdue, next_due_date, late_installments
                    FROM loan_snapshots WHERE amount_due > 0 AND status = 'active'
                    """
                ).all().map { row in
                    LoanSnapshot(
                        date: CalendarDate(text: try row.decode(column: "snapshot_date", as: String.self))!, loanID: try row.decode(column: "loan_id", as: String.self),
                        clientID: "", productCode: "", disbursedOn: CalendarDate(text: try row.decode(column: "disbursed_on", as: String.self))!, status: "active",
                        daysPastDue: try row.decode(column: "days_past_due", as: Int.self), bucket: "", nonPerforming: try row.decode(column: "non_performing", as: Bool.self),
                        restructured: try row.decode(column: "restructured", as: Bool.self), principalOutstanding: try row.decode(column: "principal_outstanding", as: Int64.self),
                        overduePrincipal: 0, overdueInterest: 0, overdueCharges: try row.decode(column: "overdue_charges", as: Int64.self),
                        amountDue: try row.decode(column: "amount_due", as: Int64.self), installmentsOverdue: try row.decode(column: "installments_overdue", as: Int.self),
                        lateInstallments: try row.decode(column: "late_installments", as: Int.self), nextDueDate: nil
                    )
                }
                return (snapshots, model)
            }
            let expected = snapshots.map { ($0.loanID, Int64((Double($0.amountDue) * (model.probability($0) * 10_000).rounded() / 10_000).rounded(.down))) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
            #expect(list.total == snapshots.count)
            #expect(list.entries.map(\.snapshot.loanID) == Array(expected.prefix(200)))
            #expect(list.entries.allSatisfy { $0.segment == BehaviourSegment.of($0.snapshot) })

            // A collector calls the top account and agrees to call again in three days.
            let top = try #require(list.entries.first)
            try await ContactBook(database: database, keys: TestKeys.live).logContact(
                loanID: top.snapshot.loanID, lenderID: lender, channel: .voice, outcome: .reached, note: "Pagará el viernes", nextActionOn: book.today().adding(days: 3),
                actor: .commandLine
            )
            let after = try await CollectionWorklist(database: database, directory: directory, book: book).list(lenderID: lender)
            let entry = try #require(after.entries.first { $0.snapshot.loanID == top.snapshot.loanID })
            #expect(entry.nextAction == "Siguiente contacto el \(book.today().adding(days: 3).text)" && entry.lastContact?.outcome == .reached)

            try await makeApp(database).test(.router) { app in
                let gestor = TestBrowser(app)
                try await gestor.signIn(TestStaff.username(.gestorCobranza))
                let page = try await gestor.get("/cobranza/gestion")
                #expect(page.status == .ok && page.text.contains("modelo v2") && page.text.contains(top.snapshot.loanID) && page.text.contains("Siguiente contacto el"))
                let file = try await gestor.get("/cobranza/creditos/\(top.snapshot.loanID)")
                #expect(file.text.contains("Pagará el viernes") && file.text.contains("Contactado, sin promesa"))
                let logged = try await gestor.post("/cobranza/creditos/\(top.snapshot.loanID)/contactos", ["canal": "sms", "resultado": "no_contesta", "nota": ""])
                #expect(logged.location == "/cobranza/creditos/\(top.snapshot.loanID)?aviso=contacto")

                // Accounts shared between two gestores by a supervisor; each works only theirs and the common pool.
                let second = try await Administration(database: database, keys: TestKeys.live, bcryptCost: 4).createUser(
                    username: "u.gestor.dos", displayName: "Zulema Gestora", role: .gestorCobranza, password: TestStaff.password, lenderID: nil, clientID: nil,
                    actor: .commandLine
                )
                let first = try #require(staff.ids[.gestorCobranza])
                let pool = try await CollectionWorklist(database: database, directory: directory, book: book).list(lenderID: lender, limit: .max)
                let supervisor = TestBrowser(app)
                try await supervisor.signIn(TestStaff.username(.administrador))
                let secret = try #require(Authenticator.secret(fromPage: try await supervisor.get("/cuenta/segundo-factor").text))
                try await supervisor.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: Date())])
                #expect(try await supervisor.get("/cobranza/gestion").text.contains("Repartir las cuentas sin gestor"))
                let shared = try await supervisor.post("/cobranza/gestion/repartir", ["gestor_\(first)": "1", "gestor_\(second.id)": "1"])
                #expect(shared.location == "/cobranza/gestion?repartidas=\(pool.total)")
                // In turns, in the worklist's order, by the gestores' names ("Gestor de cobranza" before "Zulema Gestora").
                let assigned = try await CollectionAssignments(database: database, keys: TestKeys.live).assignments(lenderID: lender)
                #expect(assigned.count == pool.total)
                for (index, entry) in pool.entries.enumerated() { #expect(assigned[entry.snapshot.loanID] == (index % 2 == 0 ? first : second.id)) }
                let mine = pool.entries[0].snapshot.loanID
                let theirs = pool.entries[1].snapshot.loanID

                let own = try await gestor.get("/cobranza/gestion").text
                #expect(own.contains("/cobranza/creditos/\(mine)\"") && !own.contains("/cobranza/creditos/\(theirs)\""))
                #expect(!own.contains("Repartir las cuentas"))
                let refused = try await gestor.post("/cobranza/creditos/\(theirs)/contactos", ["canal": "voice", "resultado": "no_contesta", "nota": ""])
                #expect(refused.status == .unprocessableContent && refused.text.contains("asignada a otro gestor"))
                #expect(try await gestor.post("/cobranza/creditos/\(mine)/contactos", ["canal": "voice", "resultado": "no_contesta", "nota": ""]).location != nil)
                // The supervisor's filter, and the account taken back to the pool: now the first gestor may work it.
                let filtered = try await supervisor.get("/cobranza/gestion?gestor=\(second.id)").text
                #expect(filtered.contains("/cobranza/creditos/\(theirs)\"") && !filtered.contains("/cobranza/creditos/\(mine)\""))
                #expect(try await supervisor.get("/cobranza/creditos/\(theirs)").text.contains("Zulema Gestora"))
                let released = try await supervisor.post("/cobranza/creditos/\(theirs)/gestor", ["gestor": ""])
                #expect(released.location == "/cobranza/creditos/\(theirs)?aviso=gestor")
                #expect(try await gestor.post("/cobranza/creditos/\(theirs)/contactos", ["canal": "voice", "resultado": "no_contesta", "nota": ""]).location != nil)
                // Only active gestores of the lender can be given accounts.
                let wrong = try await supervisor.post("/cobranza/creditos/\(theirs)/gestor", ["gestor": try #require(staff.ids[.auditor])])
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("no es un gestor de cobranza activo"))
                #expect(try await gestor.post("/cobranza/gestion/repartir", [:]).status == .forbidden)
                let assignmentsAudited = try await database.withConnection { db in
                    try await db.raw("SELECT action, COUNT(*) AS n FROM audit_log WHERE action LIKE 'collections.%assigned' GROUP BY action ORDER BY action").all().map {
                        "\(try $0.decode(column: "action", as: String.self)) \(try $0.decode(column: "n", as: Int.self))"
                    }
                }
                #expect(assignmentsAudited == ["collections.assigned 2", "collections.unassigned 1"])
            }
        }
    }

    @Test("The worklist read through the priorities the close stored equals ranking every owing loan — every scope, short lists cut inside ties, accounts on hold or with an open promise demoted; a model trained after the close is used at once", arguments: TestEngine.available)
    func storedPriorities(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let staff = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            _ = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: lender, count: 120, lateShare: 55, seed: 91)
            let book = LoanBook(database: database)
            let training = RollRiskTraining(database: database, book: book)
            _ = try await training.train(lenderID: lender, asOf: book.today(), actor: .commandLine)
            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: book.today().adding(days: -1))
            let worklist = CollectionWorklist(database: database, directory: ClientDirectory(database: database, keys: TestKeys.live), book: book)

            // The close stored each owing loan's priority with the model of its run, and nothing for the others.
            let run = try await database.withConnection { db in
                try await db.raw("SELECT priority_model FROM close_runs WHERE status = 'done'").first(decodingColumn: "priority_model", as: Int?.self)
            }
            #expect(run == 1)
            let model = try #require(try await database.withConnection { db in try await RollRiskTraining.latest(lenderID: lender, on: db) })
            let ranking = WorklistRanking(modelVersion: 1, model: model.model)
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT \(CollectionReports.snapshotColumns), priority FROM loan_snapshots").all().map {
                    (try CollectionReports.snapshot($0), try $0.decode(column: "priority", as: Int64?.self))
                }
            }
            #expect(stored.allSatisfy { ranking.priority($0.0) == $0.1 })
            let owing = stored.filter { $0.1 != nil }
            #expect(owing.count >= 20 && owing.count < stored.count, "\(owing.count) of \(stored.count)")

            // Ties: two owing loans made to stake exactly what a third does (the cut of a short list falls among them).
            let byPriority = owing.sorted { $0.1! > $1.1! }
            try await database.withConnection { db in
                try await db.raw("UPDATE loan_snapshots SET priority = \(bind: byPriority[4].1!) WHERE loan_id IN (\(bind: byPriority[5].0.loanID), \(bind: byPriority[6].0.loanID))").run()
            }
            // Shared between a gestor and the pool; the top account on hold, the second with an open promise.
            let gestor = try #require(staff.ids[.gestorCobranza])
            try await CollectionAssignments(database: database, keys: TestKeys.live).assign(
                byPriority.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.0.loanID), to: gestor, lenderID: lender, actor: .commandLine
            )
            let contacts = ContactBook(database: database, keys: TestKeys.live)
            _ = try await contacts.placeHold(loanID: byPriority[0].0.loanID, lenderID: lender, reason: .dispute, note: "Aclaración", actor: .commandLine)
            _ = try await contacts.promise(
                loanID: byPriority[1].0.loanID, lenderID: lender, amount: .mxn(centavos: 10_000), dueOn: book.today().adding(days: 5), toleranceDays: 2,
                today: book.today(), actor: .commandLine
            )

            func compare(_ label: String) async throws {
                for scope: CollectionWorklist.Scope in [.all, .workableBy(gestor), .assignedTo(gestor), .unassigned] {
                    for limit in [1, 3, 5, 7, owing.count - 1, .max] {
                        let fast = try await worklist.list(lenderID: lender, limit: limit, scope: scope)
                        try await database.withConnection { db in try await db.raw("UPDATE close_runs SET priority_model = NULL").run() }
                        let full = try await worklist.list(lenderID: lender, limit: limit, scope: scope)
                        try await database.withConnection { db in try await db.raw("UPDATE close_runs SET priority_model = \(bind: run)").run() }
                        #expect(fast.total == full.total, "\(label) \(scope) \(limit)")
                        #expect(fast.entries.map(\.snapshot.loanID) == full.entries.map(\.snapshot.loanID), "\(label) \(scope) \(limit)")
                        #expect(fast.entries.map(\.priority) == full.entries.map(\.priority), "\(label) \(scope) \(limit)")
                    }
                }
            }
            try await compare("model 1")
            let all = try await worklist.list(lenderID: lender, limit: .max)
            #expect(all.total == owing.count && !all.entries.prefix(2).contains { [byPriority[0].0.loanID, byPriority[1].0.loanID].contains($0.snapshot.loanID) })
            #expect(all.entries.first { $0.snapshot.loanID == byPriority[0].0.loanID }?.priority == WorklistRanking.demoted(byPriority[0].1!))

            // Retrained after the close: the list ranks with version 2 at once (every owing loan), until the next close.
            _ = try await training.train(lenderID: lender, asOf: book.today(), actor: .commandLine)
            let retrained = try await worklist.list(lenderID: lender, limit: 5)
            #expect(retrained.modelVersion == 2 && retrained.total == owing.count)
        }
    }

    @Test("Dunning policies: versioned per code; the most specific for a loan's product and segment wins; a step whose template is missing or for another channel, or an unknown product, is refused")
    func policies() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            func save(_ code: String, _ steps: [DunningPolicy.Step], product: String? = nil, segment: BehaviourSegment? = nil) async throws -> DunningPolicy {
                try await DunningPolicies.save(code: code, steps: steps, productCode: product, segment: segment, lenderID: lender, actor: .commandLine, database: database, now: .now)
            }
            let sms = DunningPolicy.Step(offsetDays: 1, channel: .sms, template: "atraso_temprano")
            let mail = DunningPolicy.Step(offsetDays: 15, channel: .email, template: "atraso_15")
            #expect(try await save("general", [sms]).version == 1)
            #expect(try await save("general", [sms, mail]).version == 2)
            _ = try await save("mensual", [mail], product: "MENSUAL")
            _ = try await save("criticos", [DunningPolicy.Step(offsetDays: 30, channel: .voice, template: "atraso_30")], segment: .critical)
            _ = try await save("mensual_criticos", [DunningPolicy.Step(offsetDays: 7, channel: .whatsapp, template: "atraso_7")], product: "MENSUAL", segment: .critical)
            let loaded = try await database.withConnection { db in try await DunningPolicies.load(lenderID: lender, on: db) }
            #expect(loaded.policy(productCode: "OTRO", segment: .punctual).code == "general")
            #expect(loaded.policy(productCode: "OTRO", segment: .punctual).version == 2)
            #expect(loaded.policy(productCode: "MENSUAL", segment: .punctual).code == "mensual")
            #expect(loaded.policy(productCode: "OTRO", segment: .critical).code == "criticos")
            #expect(loaded.policy(productCode: "MENSUAL", segment: .critical).code == "mensual_criticos")
            #expect(DunningPolicies(policies: []).policy(productCode: "X", segment: .punctual) == .standard)
            await #expect(throws: CollectionRefusal.self) { try await save("x", [DunningPolicy.Step(offsetDays: 1, channel: .whatsapp, template: "atraso_temprano")]) }
            await #expect(throws: CollectionRefusal.self) { try await save("x", [DunningPolicy.Step(offsetDays: 1, channel: .sms, template: "no_existe")]) }
            await #expect(throws: CollectionRefusal.self) { try await save("x", [sms], product: "NO_EXISTE") }
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'collections.dunning_policy'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 5)
        }
    }

    @Test("Effectiveness between two closed days: CEI from the snapshots and the loans disbursed, cash flow totals equal the installments falling due and the payments received, read through the loan book", arguments: TestEngine.available)
    func effectiveness(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            _ = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: lender, count: 60, lateShare: 40, seed: 3)
            let book = LoanBook(database: database)
            let to = book.today().adding(days: -1)
            let from = to.adding(days: -40)
            let close = EndOfDayClose(database: database, book: book)
            _ = try await close.close(lenderID: lender, through: from)
            _ = try await close.close(lenderID: lender, through: to)
            let report = try await CollectionEffectiveness.compute(lenderID: lender, from: from, to: to, database: database)
            let (beginning, ending, current, disbursed, loans) = try await database.withConnection { db in
                func total(_ sql: SQLQueryString) async throws -> Int64 { try await db.raw(sql).first(decodingColumn: "t", as: Int64?.self).flatMap { $0 } ?? 0 }
                return (
                    try await total("SELECT CAST(SUM(principal_outstanding) AS BIGINT) AS t FROM loan_snapshots WHERE snapshot_date = \(bind: from.text) AND status = 'active'"),
                    try await total("SELECT CAST(SUM(principal_outstanding) AS BIGINT) AS t FROM loan_snapshots WHERE snapshot_date = \(bind: to.text) AND status = 'active'"),
                    try await total("SELECT CAST(SUM(principal_outstanding) AS BIGINT) AS t FROM loan_snapshots WHERE snapshot_date = \(bind: to.text) AND status = 'active' AND days_past_due = 0"),
                    try await total("SELECT CAST(SUM(amount) AS BIGINT) AS t FROM loans WHERE disbursed_on > \(bind: from.text) AND disbursed_on <= \(bind: to.text)"),
                    try await db.raw("SELECT id FROM loans WHERE disbursed_on IS NOT NULL").all(decodingColumn: "id", as: String.self)
                )
            }
            #expect(report.beginning == beginning && report.endingTotal == ending && report.endingCurrent == current && report.disbursed == disbursed)
            #expect(report.ceiBasisPoints == CollectionKPIs.ceiBasisPoints(beginning: beginning, disbursed: disbursed, endingTotal: ending, endingCurrent: current))
            var projected: Int64 = 0
            var collected: Int64 = 0
            var latePaid: [Int: DelinquencyTotals.Tally] = [:]
            for loan in loans {
                let position = try await book.position(loan, lenderID: lender).1
                // An installment is projected on its due date when the close saw its loan that day (it has a snapshot).
                let seen = try await database.withConnection { db in
                    Set(try await db.raw("SELECT snapshot_date FROM loan_snapshots WHERE loan_id = \(bind: loan)").all(decodingColumn: "snapshot_date", as: String.self))
                }
                projected += position?.installments.filter { $0.dueDate > from && $0.dueDate <= to && seen.contains($0.dueDate.text) }
                    .reduce(Int64(0)) { $0 + $1.scheduledPayment.minorUnits } ?? 0
                var paidDays: Set<String> = []
                for payment in try await book.payments(loan, lenderID: lender) where payment.kind == "payment" && payment.reversal == nil
                    && payment.valueDate > from.text && payment.valueDate <= to.text {
                    collected += try Money(parsing: payment.amount).minorUnits
                    paidDays.insert(payment.valueDate)
                }
                // Installments finished late by a day's payments: owed the day before, nothing regular left that day
                // (the loan's events replayed through each day).
                let events = try await database.withConnection { db in
                    try await db.raw(
                        "SELECT id, sequence, value_date, amount, excess FROM loan_events WHERE loan_id = \(bind: loan) AND kind = 'payment' AND reversed_at IS NULL"
                    ).all().map { row in
                        LoanEvent(
                            id: try row.decode(column: "id", as: String.self), sequence: try row.decode(column: "sequence", as: Int64.self),
                            valueDate: CalendarDate(text: try row.decode(column: "value_date", as: String.self))!,
                            kind: .payment(amount: .mxn(centavos: try row.decode(column: "amount", as: Int64.self)), excess: ExcessPolicy(rawValue: try row.decode(column: "excess", as: String.self))!)
                        )
                    }
                }
                for text in paidDays {
                    let day = try #require(CalendarDate(text: text))
                    guard let terms = position?.terms else { continue }
                    let before = try LoanReplay.replaying(terms: terms, events: events.filter { $0.valueDate < day }, through: day.adding(days: -1)).result.installments
                    let after = try LoanReplay.replaying(terms: terms, events: events.filter { $0.valueDate <= day }, through: day).result.installments
                    for installment in after where installment.dueDate < day && installment.remainingRegular.isZero
                        && before.contains(where: { $0.number == installment.number && !$0.remainingRegular.isZero }) {
                        latePaid[Int(day.daysSince1970 - installment.dueDate.daysSince1970), default: .init()].loans += 1
                        latePaid[Int(day.daysSince1970 - installment.dueDate.daysSince1970), default: .init()].principal += installment.scheduledPayment.minorUnits
                    }
                }
            }
            #expect(report.weekly.reduce(Int64(0)) { $0 + $1.projected } == projected && report.monthly.reduce(Int64(0)) { $0 + $1.projected } == projected)
            #expect(report.weekly.reduce(Int64(0)) { $0 + $1.actual } == collected && report.monthly.reduce(Int64(0)) { $0 + $1.actual } == collected)
            #expect(projected > 0, "\(loans.count) loans, \(report.weekly)")
            let daysToCollect = try #require(report.daysToCollect)
            #expect(daysToCollect == DaysToCollect(histogram: latePaid), "\(latePaid.sorted { $0.key < $1.key }) \(report.daysToCollect.map { "\($0)" } ?? "")")
            #expect(daysToCollect.installments >= 1 && daysToCollect.meanHundredths >= 100)

            // Vintages: one cohort per month of disbursement in the last year, each with its loans.
            let curves = try await VintageReport.compute(lenderID: lender, asOf: to, database: database, book: book)
            let since = CalendarDate(year: to.year, month: to.month, day: 1)!.adding(months: -12)
            let cohorts = try await database.withConnection { db in
                try await db.raw("SELECT disbursed_on FROM loans WHERE disbursed_on >= \(bind: since.text) AND disbursed_on <= \(bind: to.text)").all(decodingColumn: "disbursed_on", as: String.self)
            }
            #expect(curves.cohorts.map(\.cohort) == Set(cohorts.map { String($0.prefix(7)) }).sorted())
            #expect(curves.cohorts.map(\.loans).reduce(0, +) == cohorts.count)
            #expect(curves.cohorts.allSatisfy { $0.byCountBasisPoints.allSatisfy { (0...10_000).contains($0) } })
            #expect(curves.cohorts.contains { $0.byCountBasisPoints.contains { $0 > 0 } })
        }
    }
}
