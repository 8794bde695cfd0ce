@testable import App
import CarteraCore
import CarteraTestSupport
import Clients
import Compliance
import Foundation
import Lending
import SQLKit
import Store
import Testing

@Suite("Client screening: hits at onboarding and on list updates, review, suspension and its case")
struct ClientScreeningTests {
    static func gloria(aliases: [String] = []) -> ListEntry {
        ListEntry(id: "LPB:17", list: "LPB", kind: .individual, name: "HERNANDEZ GARCIA, Gloria", aliases: aliases, birthDates: ["1956-04-27"])
    }

    static func apiError(_ body: () async throws -> Void) async -> APIError? {
        do { try await body() } catch let error as APIError { return error } catch { return nil }
        return nil
    }

    @Test("A list update finds an existing client once; a pending blocked-list hit holds the loan; confirming suspends the client and opens a 24-hour case; lifting lets it operate; a changed entry is reviewed again", arguments: TestEngine.available)
    func listUpdateReviewAndHold(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock(Timestamp(millisecondsSince1970: 1_795_000_000_000))
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let directory = ClientDirectory(database: database, keys: TestKeys.live, clock: { clock.read() })
            let screening = directory.screening
            let book = LoanBook(database: database)

            // Before any list: the client is created without hits, and its loan approved.
            let gloria = try await database.transaction { db in try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db) }
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: gloria.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            #expect(try await screening.hits(lenderID: lender).isEmpty)

            // The blocked-persons list arrives: re-screening everyone finds her once, and again finds nothing new.
            let watchlists = Watchlists(database: database, clock: { clock.read() })
            _ = try await watchlists.importList([Self.gloria()], list: "LPB", format: "csv", purpose: .blocking, files: [Array("v1".utf8)], actor: .commandLine)
            let first = try await screening.screenAll(actor: .commandLine)
            #expect(first.clients == 2 && first.newHits == 1 && first.byList == ["LPB": 1])
            #expect(try await screening.screenAll(actor: .commandLine).newHits == 0)
            let hits = try await screening.hits(lenderID: lender)
            let hit = try #require(hits.first)
            #expect(hits.count == 1 && hit.clientId == gloria.id && hit.role == .client && hit.purpose == .blocking && hit.status == .pending)
            #expect(hit.subjectName == "Gloria Hernández García" && hit.entryId == "LPB:17" && hit.occasion == .listUpdate && hit.score >= 0.85)

            // Pending on a blocked list: no disbursement and no new application for her.
            let held = await Self.apiError { _ = try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine) }
            // Staff are told only that compliance holds it (the client must not learn of the list from them).
            #expect(held?.code == "client_on_hold" && held?.message == ClientScreening.holdMessage)
            let pendingReasons = try await database.withConnection { db in try await ClientScreening.holds(clientID: gloria.id, on: db) }
            #expect(pendingReasons.first?.contains("pendiente de revisión en LPB") == true)
            let refused = await Self.apiError {
                _ = try await database.transaction { db in
                    try await book.apply(.init(clientId: gloria.id, productCode: "MENSUAL", amount: "5000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
                }
            }
            #expect(refused?.code == "loan_invalid" && refused?.details.map(\.code) == ["client_on_hold"])

            // A review needs its reasons; confirming suspends her and opens a 24-hour report due a day after detection.
            #expect(await Self.apiError { _ = try await screening.review(hit.id, confirm: true, note: " ", lenderID: lender, actor: .commandLine) }?.code == "review_note_required")
            clock.advance(seconds: 3600)
            let review = try await screening.review(hit.id, confirm: true, note: "Misma fecha de nacimiento y CURP del oficio", lenderID: lender, actor: .commandLine)
            #expect(review.suspended && review.hit.status == .confirmed && review.hit.reviewNote == "Misma fecha de nacimiento y CURP del oficio")
            let cases = ComplianceCases(database: database, keys: TestKeys.live, clock: { clock.read() })
            let opened = try await cases.detail(try #require(review.caseId), lenderID: lender).record
            #expect(opened.kind == .twentyFourHours && opened.status == .open && opened.clientId == gloria.id && opened.origin == "lista:LPB:\(hit.id)")
            // The 24 hours run from when the match was found, an hour before its review.
            #expect(opened.dueAt == hit.foundAt.adding(seconds: 86_400) && opened.detectedAt == clock.read().adding(seconds: -3600) && opened.urgency == .onTime && opened.summary.contains("«Gloria Hernández García»"))
            #expect(await Self.apiError { _ = try await screening.review(hit.id, confirm: false, note: "otra vez", lenderID: lender, actor: .commandLine) }?.code == "hit_already_reviewed")
            let suspended = try await database.withConnection { db in try await ClientScreening.holds(clientID: gloria.id, on: db) }
            #expect(suspended == ["Operaciones suspendidas: Coincidencia confirmada en la lista LPB (LPB:17)."])
            #expect(await Self.apiError { _ = try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine) }?.code == "client_on_hold")

            // A company whose representative and owner are her: both found at onboarding; one dismissed opens nothing.
            let company = try await database.transaction { db in try await directory.create(ClientSamples.company, lenderID: lender, actor: .commandLine, on: db) }
            let companyHits = try await screening.hits(status: .pending, clientID: company.id, lenderID: lender)
            #expect(Set(companyHits.map(\.role)) == [.representative, .owner] && companyHits.allSatisfy { $0.occasion == .onboarding && $0.entryId == "LPB:17" })
            let owner = try #require(companyHits.first { $0.role == .owner })
            let dismissed = try await screening.review(owner.id, confirm: false, note: "Homónima: otra fecha de nacimiento", lenderID: lender, actor: .commandLine)
            #expect(!dismissed.suspended && dismissed.caseId == nil && dismissed.hit.status == .dismissed)

            // Only an act of the UIF lifts the suspension; then the loan is disbursed.
            #expect(await Self.apiError { try await screening.lift(clientID: gloria.id, note: "ok", lenderID: lender, actor: .commandLine) }?.code == "lift_note_required")
            try await screening.lift(clientID: gloria.id, note: "Oficio UIF 110/F/2026 de desbloqueo", lenderID: lender, actor: .commandLine)
            try await TestFiles.complete(gloria.id, lenderID: lender, database: database)
            #expect(try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine).status == .active)
            #expect(await Self.apiError { try await screening.lift(clientID: gloria.id, note: "Oficio UIF 110/F/2026", lenderID: lender, actor: .commandLine) }?.code == "client_not_suspended")

            // The entry changes (a new alias): everyone it matched is to be reviewed again, the dismissed owner too.
            _ = try await watchlists.importList([Self.gloria(aliases: ["HERNANDEZ, Gloria"])], list: "LPB", format: "csv", purpose: .blocking, files: [Array("v2".utf8)], actor: .commandLine)
            let again = try await screening.screenAll(actor: .commandLine)
            #expect(again.newHits == 3)
            #expect(try await screening.hits(status: .pending, lenderID: lender).count == 4)

            // Names are stored encrypted; every step is audited.
            let raw = try await database.withConnection { db in
                try await db.raw("SELECT subject_name, review_note FROM screening_hits").all().map {
                    (try $0.decode(column: "subject_name", as: String.self), try $0.decode(column: "review_note", as: String?.self))
                }
            }
            #expect(raw.allSatisfy { !$0.0.contains("Gloria") && !($0.1 ?? "").contains("fecha") })
            let actions = try await database.withConnection { db in
                try await db.raw("SELECT DISTINCT action FROM audit_log WHERE action LIKE 'compliance.%' OR action LIKE 'client.s%'").all(decodingColumn: "action", as: String.self)
            }
            #expect(Set(actions).isSuperset(of: ["compliance.screening_hit", "compliance.hit_confirmed", "compliance.hit_dismissed", "client.suspended", "compliance.case_opened", "client.suspension_lifted"]))
        }
    }

    @Test("A PEP or own-list confirmation does not suspend; a sanctions confirmation suspends and opens an inusual", arguments: TestEngine.available)
    func purposes(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            let watchlists = Watchlists(database: database)
            for (list, purpose) in [("PEP", ListPurpose.pep), ("INTERNA", .ownList), ("OFAC-SDN", .sanctions)] {
                let entry = ListEntry(id: "\(list):1", list: list, kind: .individual, name: "Gloria Hernández García")
                _ = try await watchlists.importList([entry], list: list, format: "csv", purpose: purpose, files: [Array(list.utf8)], actor: .commandLine)
            }
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            let gloria = try await database.transaction { db in try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db) }
            let hits = try await directory.screening.hits(clientID: gloria.id, lenderID: lender)
            #expect(Set(hits.map(\.list)) == ["PEP", "INTERNA", "OFAC-SDN"])
            var outcomes: [String: (Bool, CaseWorkflow.Kind?)] = [:]
            let cases = ComplianceCases(database: database, keys: TestKeys.live)
            for hit in hits {
                let review = try await directory.screening.review(hit.id, confirm: true, note: "Confirmada con documentos", lenderID: lender, actor: .commandLine)
                outcomes[hit.list] = (review.suspended, try await review.caseId.asyncMap { try await cases.detail($0, lenderID: lender).record.kind })
            }
            #expect(outcomes["PEP"]! == (false, nil) && outcomes["INTERNA"]! == (false, .unusual) && outcomes["OFAC-SDN"]! == (true, .unusual))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
