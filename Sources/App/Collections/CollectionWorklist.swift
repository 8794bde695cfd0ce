import CarteraCore
import Foundation
import LoanCollections
import SQLKit
import Store

/// The collectors' worklist: the loans owing something on the last closed day, ranked by what is at stake — the
/// probability of rolling to a worse bucket (the lender's latest roll-risk model) times the amount due, or, before a
/// model is trained, the amount due weighted by days past due — with the borrower's segment, the model's reasons,
/// promises, holds, the last contact and the next action. Paused loans and open promises go last.
public struct CollectionWorklist: Sendable {
    let database: Database
    let directory: ClientDirectory
    let book: LoanBook

    public init(database: Database, directory: ClientDirectory, book: LoanBook) {
        self.database = database
        self.directory = directory
        self.book = book
    }

    public struct Entry: Sendable {
        public let snapshot: LoanSnapshot
        public let segment: BehaviourSegment
        public let probability: Double?
        /// Centavos at stake (see `RollRiskModel.expectedLoss`).
        public let priority: Int64
        public let reasons: [String]
        public let promise: PromiseToPay.State?
        public let held: Bool
        public let lastContact: (outcome: ContactOutcome, at: String, nextActionOn: String?)?
        public let nextAction: String
        /// The gestor the account is assigned to (user id), nil when it is in the common pool.
        public let assignee: String?
    }

    public struct List: Sendable {
        public let date: CalendarDate?
        public let modelVersion: Int?
        public let modelAUC: Double?
        public let entries: [Entry]
        public let total: Int
    }

    /// Which accounts a list shows.
    public enum Scope: Sendable, Equatable {
        case all
        /// What a gestor may work: the accounts assigned to them and those assigned to nobody.
        case workableBy(String)
        case assignedTo(String)
        case unassigned
    }

    /// The top `limit` accounts of `scope` on the last closed day, and how many the scope holds. When that day's close
    /// ranked its owing loans with the lender's current model (the usual case) the top ones are read through an index;
    /// otherwise (a model trained since, or a day closed before the close ranked) every owing loan is ranked here.
    public func list(lenderID: String, limit: Int = 200, scope: Scope = .all) async throws -> List {
        let today = book.today()
        return try await database.withConnection { db in
            guard let run = try await db.raw(
                "SELECT business_date, priority_model FROM close_runs WHERE lender_id = \(bind: lenderID) AND status = 'done' ORDER BY business_date DESC LIMIT 1"
            ).first(), let date = CalendarDate(text: try run.decode(column: "business_date", as: String.self)) else {
                return List(date: nil, modelVersion: nil, modelAUC: nil, entries: [], total: 0)
            }
            let model = try await RollRiskTraining.latest(lenderID: lenderID, on: db)
            let ranking = WorklistRanking(modelVersion: model?.version ?? 0, model: model?.model)
            let holds = try await ContactBook.holds(lenderID: lenderID, on: db)
            let promises = try await ContactBook.promiseStates(lenderID: lenderID, asOf: today, on: db)
            let demoted = Set(holds.filter { !$0.value.isEmpty }.keys).union(promises.filter { $0.value == .open }.keys)
            let owing: [Owing]
            let total: Int
            if try run.decode(column: "priority_model", as: Int?.self) == ranking.modelVersion {
                (owing, total) = try await Self.topOwing(lenderID: lenderID, date: date, scope: scope, limit: limit, demoted: demoted, on: db)
            } else {
                owing = try await Self.allOwing(lenderID: lenderID, date: date, scope: scope, on: db)
                total = owing.count
            }
            // Ranked first; the contact log is read only for the accounts shown.
            var ranked = owing.map { owing in
                let priority = ranking.priority(owing.snapshot) ?? 0
                return (owing: owing, priority: demoted.contains(owing.snapshot.loanID) ? WorklistRanking.demoted(priority) : priority)
            }
            ranked.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.owing.snapshot.loanID < $1.owing.snapshot.loanID }
            let shown = ranked.prefix(limit)
            let contacts = try await Self.lastContacts(lenderID: lenderID, loanIDs: shown.map(\.owing.snapshot.loanID), on: db)
            let entries: [Entry] = shown.map { owing, priority in
                let snapshot = owing.snapshot
                let held = holds[snapshot.loanID]?.isEmpty == false
                let promise = promises[snapshot.loanID]
                let contact = contacts[snapshot.loanID]
                return Entry(
                    snapshot: snapshot, segment: BehaviourSegment.of(snapshot), probability: model?.model.probability(snapshot), priority: priority,
                    reasons: model?.model.reasons(snapshot) ?? [], promise: promise, held: held, lastContact: contact,
                    nextAction: Self.nextAction(snapshot, held: held, promise: promise, contact: contact, today: today), assignee: owing.assignee
                )
            }
            return List(date: date, modelVersion: model?.version, modelAUC: model?.model.holdoutAUC, entries: entries, total: total)
        }
    }

    /// An owing loan's snapshot and its gestor.
    struct Owing: Sendable {
        let snapshot: LoanSnapshot
        let assignee: String?
    }

    /// The day's owing loans of `scope` with their gestor, as a table to filter: `SELECT … FROM \(owingTable) o`.
    static func owingTable(lenderID: String, date: CalendarDate) -> SQLQueryString {
        """
        (SELECT \(CollectionReports.snapshotColumns), priority,
            (SELECT a.user_id FROM collection_assignments a WHERE a.lender_id = loan_snapshots.lender_id AND a.loan_id = loan_snapshots.loan_id) AS assignee
         FROM loan_snapshots WHERE lender_id = \(bind: lenderID) AND snapshot_date = \(bind: date.text) AND priority IS NOT NULL) o
        """
    }

    static func scopeFilter(_ scope: Scope) -> SQLQueryString {
        switch scope {
        case .all: "1 = 1"
        case .workableBy(let user): "(o.assignee IS NULL OR o.assignee = \(bind: user))"
        case .assignedTo(let user): "o.assignee = \(bind: user)"
        case .unassigned: "o.assignee IS NULL"
        }
    }

    /// The accounts that can be among the top `limit` of the scope: the `limit + demoted.count` with the highest
    /// priority the close stored (and any tied with the last of them), and the demoted ones (on hold, open promise),
    /// whose priority drops when the list is read. Every other account is outranked by at least `limit` of these.
    static func topOwing(
        lenderID: String, date: CalendarDate, scope: Scope, limit: Int, demoted: Set<String>, on db: any SQLDatabase
    ) async throws -> ([Owing], Int) {
        let table = owingTable(lenderID: lenderID, date: date)
        let filter = scopeFilter(scope)
        // Every owing loan needs no gestor looked up to be counted.
        let counted: SQLQueryString = scope == .all
            ? "SELECT COUNT(*) AS n FROM loan_snapshots WHERE lender_id = \(bind: lenderID) AND snapshot_date = \(bind: date.text) AND priority IS NOT NULL"
            : "SELECT COUNT(*) AS n FROM \(table) WHERE \(filter)"
        let total = try await db.raw(counted).first(decodingColumn: "n", as: Int.self) ?? 0
        let (wanted, overflow) = limit.addingReportingOverflow(demoted.count)
        guard !overflow, wanted < total else {
            return (try await db.raw("SELECT * FROM \(table) WHERE \(filter)").all().map(owing), total)
        }
        var found: [String: Owing] = [:]
        let top = try await db.raw("SELECT * FROM \(table) WHERE \(filter) ORDER BY o.priority DESC LIMIT \(bind: wanted)").all()
        for row in top {
            let entry = try owing(row)
            found[entry.snapshot.loanID] = entry
        }
        if let boundary = try top.last?.decode(column: "priority", as: Int64.self) {
            for entry in try await db.raw("SELECT * FROM \(table) WHERE \(filter) AND o.priority = \(bind: boundary)").all().map(owing) {
                found[entry.snapshot.loanID] = entry
            }
        }
        let ids = Array(demoted)
        for start in stride(from: 0, to: ids.count, by: 500) {
            let list = SQLList(ids[start..<min(start + 500, ids.count)].map { SQLBind($0) })
            for entry in try await db.raw("SELECT * FROM \(table) WHERE \(filter) AND o.loan_id IN (\(list))").all().map(owing) {
                found[entry.snapshot.loanID] = entry
            }
        }
        return (Array(found.values), total)
    }

    /// Every owing loan of the scope (the close did not rank them with the current model).
    static func allOwing(lenderID: String, date: CalendarDate, scope: Scope, on db: any SQLDatabase) async throws -> [Owing] {
        let owing = try await CollectionReports.snapshots(lenderID: lenderID, date: date, on: db).filter { $0.status == "active" && $0.amountDue > 0 }
        let assigned = try await CollectionAssignments.assignments(lenderID: lenderID, on: db)
        return owing.compactMap { snapshot in
            let assignee = assigned[snapshot.loanID]
            let visible = switch scope {
            case .all: true
            case .workableBy(let user): assignee == nil || assignee == user
            case .assignedTo(let user): assignee == user
            case .unassigned: assignee == nil
            }
            return visible ? Owing(snapshot: snapshot, assignee: assignee) : nil
        }
    }

    static func owing(_ row: any SQLRow) throws -> Owing {
        Owing(snapshot: try CollectionReports.snapshot(row), assignee: try row.decode(column: "assignee", as: String?.self))
    }

    /// Each loan's last contact (outcome, when, next action), for `loanIDs`.
    static func lastContacts(
        lenderID: String, loanIDs: [String], on db: any SQLDatabase
    ) async throws -> [String: (outcome: ContactOutcome, at: String, nextActionOn: String?)] {
        var contacts: [String: (outcome: ContactOutcome, at: String, nextActionOn: String?)] = [:]
        for start in stride(from: 0, to: loanIDs.count, by: 500) {
            let list = SQLList(loanIDs[start..<min(start + 500, loanIDs.count)].map { SQLBind($0) })
            for row in try await db.raw(
                """
                SELECT loan_id, outcome, recorded_at, next_action_on FROM collection_contacts
                WHERE lender_id = \(bind: lenderID) AND loan_id IN (\(list)) ORDER BY recorded_at, id
                """
            ).all() {
                guard let outcome = ContactOutcome(rawValue: try row.decode(column: "outcome", as: String.self)) else { continue }
                contacts[try row.decode(column: "loan_id", as: String.self)] = (
                    outcome, try row.decode(column: "recorded_at", as: String.self), try row.decode(column: "next_action_on", as: String?.self)
                )
            }
        }
        return contacts
    }

    static func nextAction(
        _ snapshot: LoanSnapshot, held: Bool, promise: PromiseToPay.State?, contact: (outcome: ContactOutcome, at: String, nextActionOn: String?)?, today: CalendarDate
    ) -> String {
        if held { return "En pausa: no contactar" }
        if promise == .open { return "Esperar la promesa de pago" }
        if promise == .broken || promise == .partiallyKept { return "Llamar: promesa incumplida" }
        if let next = contact?.nextActionOn, let day = CalendarDate(text: next), day > today { return "Siguiente contacto el \(next)" }
        if contact?.outcome == .wrongNumber { return "Buscar un teléfono correcto en el expediente" }
        if snapshot.daysPastDue > 30 { return "Llamar hoy" }
        if snapshot.daysPastDue > 0 { return "Llamar si no responde a los mensajes" }
        return "Recordatorio automático"
    }
}
