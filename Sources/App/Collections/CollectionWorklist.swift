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

    public func list(lenderID: String, limit: Int = 200, scope: Scope = .all) async throws -> List {
        let today = book.today()
        return try await database.withConnection { db in
            guard let date = try await db.raw(
                "SELECT MAX(business_date) AS d FROM close_runs WHERE lender_id = \(bind: lenderID) AND status = 'done'"
            ).first(decodingColumn: "d", as: String?.self).flatMap({ $0 }).flatMap(CalendarDate.init(text:)) else {
                return List(date: nil, modelVersion: nil, modelAUC: nil, entries: [], total: 0)
            }
            let owing = try await CollectionReports.snapshots(lenderID: lenderID, date: date, on: db).filter { $0.status == "active" && $0.amountDue > 0 }
            let model = try await RollRiskTraining.latest(lenderID: lenderID, on: db)
            let holds = try await ContactBook.holds(lenderID: lenderID, on: db)
            let promises = try await ContactBook.promiseStates(lenderID: lenderID, asOf: today, on: db)
            var contacts: [String: (ContactOutcome, String, String?)] = [:]
            for row in try await db.raw(
                "SELECT loan_id, outcome, recorded_at, next_action_on FROM collection_contacts WHERE lender_id = \(bind: lenderID) ORDER BY recorded_at, id"
            ).all() {
                guard let outcome = ContactOutcome(rawValue: try row.decode(column: "outcome", as: String.self)) else { continue }
                contacts[try row.decode(column: "loan_id", as: String.self)] = (
                    outcome, try row.decode(column: "recorded_at", as: String.self), try row.decode(column: "next_action_on", as: String?.self)
                )
            }
            let assigned = try await CollectionAssignments.assignments(lenderID: lenderID, on: db)
            let visible = owing.filter { snapshot in
                let assignee = assigned[snapshot.loanID]
                switch scope {
                case .all: return true
                case .workableBy(let user): return assignee == nil || assignee == user
                case .assignedTo(let user): return assignee == user
                case .unassigned: return assignee == nil
                }
            }
            var entries: [Entry] = visible.map { snapshot in
                let probability = model?.model.probability(snapshot)
                let held = holds[snapshot.loanID]?.isEmpty == false
                let promise = promises[snapshot.loanID]
                // Centavos at stake: amount due × the model's probability, or × (days past due + 1) / 91 before a model.
                var priority = probability.map { RollRiskModel.expectedLoss(amountDue: snapshot.amountDue, probability: $0) }
                    ?? Int64(Int128(snapshot.amountDue) * Int128(min(snapshot.daysPastDue + 1, 91)) / 91)
                if held || promise == .open { priority /= 1_000 }
                let contact = contacts[snapshot.loanID].map { (outcome: $0.0, at: $0.1, nextActionOn: $0.2) }
                return Entry(
                    snapshot: snapshot, segment: BehaviourSegment.of(snapshot), probability: probability, priority: priority,
                    reasons: model?.model.reasons(snapshot) ?? [], promise: promise, held: held, lastContact: contact,
                    nextAction: Self.nextAction(snapshot, held: held, promise: promise, contact: contact, today: today), assignee: assigned[snapshot.loanID]
                )
            }
            entries.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.snapshot.loanID < $1.snapshot.loanID }
            return List(date: date, modelVersion: model?.version, modelAUC: model?.model.holdoutAUC, entries: Array(entries.prefix(limit)), total: entries.count)
        }
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
