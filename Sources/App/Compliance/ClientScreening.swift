import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store
import Synchronization

/// Screens clients, their legal representatives and beneficial owners against the imported lists — at onboarding, on
/// every list update and on request — keeps each possible match as a hit to review, and applies what a confirmed match
/// means: a blocked-list or sanctions match suspends the client's operations and opens a case (a 24-hour report for a
/// blocked person).
public struct ClientScreening: Sendable {
    let database: Database
    let keys: LiveKeys
    let cases: ComplianceCases
    let clock: @Sendable () -> Timestamp
    let index: Index
    public var options = NameScreening.Options()

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
        cases = ComplianceCases(database: database, keys: keys, clock: clock)
        index = Index()
    }

    /// When a client was screened.
    public enum Occasion: String, Sendable, Codable {
        case onboarding = "alta"
        case listUpdate = "actualizacion_lista"
        case request = "solicitud"
        /// A payment from someone else: its ordering party.
        case payment = "pago"
    }

    /// Who in the client's file was screened.
    public enum Role: String, Sendable, Codable {
        case client = "cliente"
        case representative = "representante"
        case owner = "beneficiario"
        /// Who paid one of the client's loans (a transfer's ordering party).
        case counterparty = "contraparte"

        public var label: String {
            switch self {
            case .client: "Cliente"
            case .representative: "Representante legal"
            case .owner: "Beneficiario controlador"
            case .counterparty: "Contraparte de un pago"
            }
        }
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending = "pendiente"
        case dismissed = "descartada"
        case confirmed = "confirmada"

        public var label: String {
            switch self {
            case .pending: "Pendiente de revisión"
            case .dismissed: "Descartada (no es la persona listada)"
            case .confirmed: "Confirmada"
            }
        }
    }

    /// A name in a client's file, with what identifies it.
    public struct Subject: Sendable, Hashable {
        public let role: Role
        public let name: String
        public let birthDate: String?
        public let identifiers: [String]
    }

    /// Everyone in the file that is screened: the client, and for a company its representatives and beneficial owners.
    public static func subjects(of profile: ClientProfile) -> [Subject] {
        switch profile.kind {
        case .individual:
            guard let person = profile.individual else { return [] }
            return [Subject(role: .client, name: profile.displayName, birthDate: person.birthDate.text, identifiers: [person.curp] + (person.rfc.map { [$0] } ?? []))]
        case .company:
            guard let company = profile.company else { return [] }
            return [Subject(role: .client, name: company.legalName, birthDate: nil, identifiers: [company.rfc])]
                + company.representatives.map { Subject(role: .representative, name: $0.name, birthDate: nil, identifiers: [$0.rfc, $0.curp].compactMap { $0 }) }
                + company.beneficialOwners.map { Subject(role: .owner, name: $0.name, birthDate: nil, identifiers: [$0.rfc, $0.curp].compactMap { $0 }) }
        }
    }

    /// A possible match as stored.
    public struct Hit: Sendable, Codable, Equatable {
        public let id: String
        public let clientId: String
        public let role: Role
        public let subjectName: String
        public let list: String
        public let purpose: ListPurpose
        public let entryId: String
        public let entryName: String
        public let score: Double
        public let matchedName: String
        public let reason: String
        public let status: Status
        public let foundAt: Timestamp
        public let occasion: Occasion
        public let reviewedAt: Timestamp?
        public let reviewedBy: String?
        public let reviewNote: String?
    }

    /// The lists as last read, with their screening index; rebuilt when a list is imported again.
    final class Index: Sendable {
        let current = Mutex<(Watchlists.Snapshot, NameScreening)?>(nil)
    }

    /// The screening index for the lists as they are now.
    func screening(on db: any SQLDatabase) async throws -> (Watchlists.Snapshot, NameScreening) {
        let watchlists = Watchlists(database: database)
        let version = try await watchlists.version(on: db)
        if let cached = index.current.withLock({ $0 }), cached.0.version == version { return cached }
        let snapshot = try await watchlists.snapshot(on: db)
        let built = (snapshot, NameScreening(entries: snapshot.entries))
        index.current.withLock { $0 = built }
        return built
    }

    /// What screening one file found: each subject's matches at or over the threshold.
    struct Found {
        let subject: Subject
        let match: NameScreening.Match
    }

    func find(_ profile: ClientProfile, with screening: NameScreening) -> [Found] {
        Self.subjects(of: profile).flatMap { subject in
            screening.screen(name: subject.name, birthDate: subject.birthDate, identifiers: subject.identifiers, options: options)
                .filter(\.isMatch).map { Found(subject: subject, match: $0) }
        }
    }

    /// Screens a client's file inside the caller's transaction (onboarding, a change of the file) and records new hits;
    /// returns them. A hit already recorded for the same person and version of the list entry is not recorded again.
    @discardableResult
    public func screen(clientID: String, profile: ClientProfile, lenderID: String, occasion: Occasion, actor: Administration.Actor, on db: any SQLDatabase) async throws -> [Hit] {
        let (snapshot, screening) = try await screening(on: db)
        guard !snapshot.entries.isEmpty else { return [] }
        return try await record(find(profile, with: screening), clientID: clientID, lenderID: lenderID, snapshot: snapshot, occasion: occasion, actor: actor, on: db)
    }

    func record(
        _ found: [Found], clientID: String, lenderID: String, snapshot: Watchlists.Snapshot, occasion: Occasion, actor: Administration.Actor, on db: any SQLDatabase
    ) async throws -> [Hit] {
        let cipher = keys.cipher
        let now = clock()
        var hits: [Hit] = []
        for item in found {
            let entry = item.match.entry
            let folded = NameText.tokens(item.subject.name).joined(separator: " ")
            let subjectIndex = cipher.blindIndex("\(item.subject.role.rawValue):\(folded)", field: "screening_hits.subject")
            let id = "sh_" + APIClients.randomHex(bytes: 10)
            let basisPoints = Int((item.match.score * 10_000).rounded())
            let inserted = try await db.raw(
                """
                INSERT INTO screening_hits (id, lender_id, client_id, subject, subject_index, subject_name, list, entry_id, entry_sha256, entry_name,
                    score_basis_points, matched_name, reason, status, found_at, found_by, occasion)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: clientID), \(bind: item.subject.role.rawValue), \(bind: subjectIndex),
                    \(bind: cipher.encrypt(item.subject.name, field: "screening_hits.subject_name")), \(bind: entry.list), \(bind: entry.id),
                    \(bind: snapshot.digest(of: entry)), \(bind: entry.name), \(bind: basisPoints),
                    \(bind: cipher.encrypt(item.match.matchedName, field: "screening_hits.matched_name")), \(bind: item.match.reason),
                    \(bind: Status.pending.rawValue), \(bind: now.text), \(bind: actor.id), \(bind: occasion.rawValue))
                ON CONFLICT (client_id, subject_index, list, entry_id, entry_sha256) DO NOTHING
                RETURNING id
                """
            ).first()
            guard inserted != nil else { continue }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "compliance.screening_hit", objectType: "client", objectID: clientID, at: now, change: "\(id) \(entry.list) \(entry.id) \(basisPoints)"),
                on: db
            )
            hits.append(Hit(
                id: id, clientId: clientID, role: item.subject.role, subjectName: item.subject.name, list: entry.list, purpose: snapshot.purposes[entry.list] ?? .ownList,
                entryId: entry.id, entryName: entry.name, score: Double(basisPoints) / 10_000, matchedName: item.match.matchedName, reason: item.match.reason,
                status: .pending, foundAt: now, occasion: occasion, reviewedAt: nil, reviewedBy: nil, reviewNote: nil
            ))
        }
        return hits
    }

    /// Screens who paid one of the client's loans against the lists (inside the caller's transaction); a match is
    /// recorded as a hit on the client for review (role «contraparte»). Returns the new hits and whether the payer matches
    /// a blocked-persons or sanctions list (recorded now or before): then the money is held, not applied.
    public func screenCounterparty(
        name: String, identifiers: [String], clientID: String, lenderID: String, actor: Administration.Actor, on db: any SQLDatabase
    ) async throws -> (hits: [Hit], holds: Bool) {
        let (snapshot, screening) = try await screening(on: db)
        guard !snapshot.entries.isEmpty, !NameText.tokens(name).isEmpty || !identifiers.isEmpty else { return ([], false) }
        let subject = Subject(role: .counterparty, name: name, birthDate: nil, identifiers: identifiers)
        let found = screening.screen(name: name, birthDate: nil, identifiers: identifiers, options: options).filter(\.isMatch).map { Found(subject: subject, match: $0) }
        let hits = try await record(found, clientID: clientID, lenderID: lenderID, snapshot: snapshot, occasion: .payment, actor: actor, on: db)
        // Held while a blocking or sanctions match of this payer is pending or confirmed; a dismissed one no longer holds.
        let subjectIndex = keys.cipher.blindIndex("\(Role.counterparty.rawValue):\(NameText.tokens(name).joined(separator: " "))", field: "screening_hits.subject")
        var holds = false
        for item in found where [.blocking, .sanctions].contains(snapshot.purposes[item.match.entry.list] ?? .ownList) {
            let status = try await db.raw(
                """
                SELECT status FROM screening_hits WHERE client_id = \(bind: clientID) AND subject_index = \(bind: subjectIndex) AND list = \(bind: item.match.entry.list)
                AND entry_id = \(bind: item.match.entry.id) AND entry_sha256 = \(bind: snapshot.digest(of: item.match.entry))
                """
            ).first(decodingColumn: "status", as: String.self)
            if status != Status.dismissed.rawValue { holds = true }
        }
        return (hits, holds)
    }

    /// What re-screening every client found.
    public struct Summary: Sendable, Codable, Equatable {
        public let clients: Int
        public let subjects: Int
        public let newHits: Int
        /// New hits per list.
        public let byList: [String: Int]
        public let listsVersion: String
    }

    /// Re-screens every client (with representatives and beneficial owners) against the lists as they are now, a page of
    /// clients per transaction; `progress` is told how many clients are done of how many.
    public func screenAll(actor: Administration.Actor, occasion: Occasion = .listUpdate, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let (snapshot, screening) = try await database.withConnection { try await self.screening(on: $0) }
        let total = try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM clients").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        var after = ""
        var clients = 0
        var subjects = 0
        var byList: [String: Int] = [:]
        let decoder = JSONDecoder()
        while true {
            let from = after
            let rows = try await database.withConnection { db in
                try await db.raw("SELECT id, lender_id, profile FROM clients WHERE id > \(bind: from) ORDER BY id LIMIT 500").all()
            }
            guard let last = rows.last else { break }
            after = try last.decode(column: "id", as: String.self)
            var page: [(String, String, [Found])] = []
            for row in rows {
                let text = try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field)
                let profile = try decoder.decode(ClientProfile.self, from: Data(text.utf8))
                subjects += Self.subjects(of: profile).count
                let found = snapshot.entries.isEmpty ? [] : find(profile, with: screening)
                if !found.isEmpty { page.append((try row.decode(column: "id", as: String.self), try row.decode(column: "lender_id", as: String.self), found)) }
            }
            if !page.isEmpty {
                let found = page
                let recorded = try await database.transaction { db in
                    var hits: [Hit] = []
                    for (client, lender, found) in found {
                        let new = try await record(found, clientID: client, lenderID: lender, snapshot: snapshot, occasion: occasion, actor: actor, on: db)
                        // A new match raises the client's grade at once.
                        if !new.isEmpty { try await RiskGrades(database: database, keys: keys, clock: clock).assess(clientID: client, occasion: .listMatch, actor: actor, on: db) }
                        hits += new
                    }
                    return hits
                }
                for hit in recorded { byList[hit.list, default: 0] += 1 }
            }
            clients += rows.count
            progress(clients, max(total, clients))
        }
        return Summary(clients: clients, subjects: subjects, newHits: byList.values.reduce(0, +), byList: byList, listsVersion: snapshot.version)
    }

    /// Hits, pending ones first (newest first within each status); `status` and `clientID` narrow them.
    public func hits(status: Status? = nil, clientID: String? = nil, lenderID: String, limit: Int = 200) async throws -> [Hit] {
        var conditions: SQLQueryString = ""
        if let status { conditions = conditions + " AND h.status = \(bind: status.rawValue)" }
        if let clientID { conditions = conditions + " AND h.client_id = \(bind: clientID)" }
        let filter = conditions
        return try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.hitColumns) FROM screening_hits h LEFT JOIN watchlists w ON w.list = h.list
                WHERE h.lender_id = \(bind: lenderID)\(filter)
                ORDER BY CASE h.status WHEN 'pendiente' THEN 0 ELSE 1 END, h.found_at DESC, h.id LIMIT \(literal: limit)
                """
            ).all().map(decode)
        }
    }

    static let hitColumns = """
        h.id, h.client_id, h.subject, h.subject_name, h.list, w.purpose, h.entry_id, h.entry_name, h.score_basis_points, h.matched_name, h.reason,
        h.status, h.found_at, h.occasion, h.reviewed_at, h.reviewed_by, h.review_note
        """

    func decode(_ row: any SQLRow) throws -> Hit {
        Hit(
            id: try row.decode(column: "id", as: String.self), clientId: try row.decode(column: "client_id", as: String.self),
            role: Role(rawValue: try row.decode(column: "subject", as: String.self)) ?? .client,
            subjectName: try keys.decrypt(try row.decode(column: "subject_name", as: String.self), field: "screening_hits.subject_name"),
            list: try row.decode(column: "list", as: String.self),
            purpose: try row.decode(column: "purpose", as: String?.self).flatMap(ListPurpose.init(rawValue:)) ?? .ownList,
            entryId: try row.decode(column: "entry_id", as: String.self), entryName: try row.decode(column: "entry_name", as: String.self),
            score: Double(try row.decode(column: "score_basis_points", as: Int.self)) / 10_000,
            matchedName: try keys.decrypt(try row.decode(column: "matched_name", as: String.self), field: "screening_hits.matched_name"),
            reason: try row.decode(column: "reason", as: String.self), status: Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            foundAt: try ComplianceCases.instant(row, "found_at"), occasion: Occasion(rawValue: try row.decode(column: "occasion", as: String.self)) ?? .request,
            reviewedAt: try row.decode(column: "reviewed_at", as: String?.self).flatMap(Timestamp.init(text:)),
            reviewedBy: try row.decode(column: "reviewed_by", as: String?.self),
            reviewNote: try row.decode(column: "review_note", as: String?.self).map { try keys.decrypt($0, field: "screening_hits.review_note") }
        )
    }

    /// What reviewing a hit did.
    public struct Review: Sendable, Codable, Equatable {
        public let hit: Hit
        /// The client's operations were suspended (a confirmed blocked-list or sanctions match).
        public let suspended: Bool
        /// The case opened for the match (a 24-hour report for a blocked person, an inusual otherwise).
        public let caseId: String?
    }

    /// Records the review of a pending hit: dismissed (not the listed person) or confirmed, with the reviewer's reasons.
    /// A confirmed blocked-list match suspends the client and opens a 24-hour report case; a confirmed sanctions match
    /// suspends and opens an inusual case; a confirmed internal-list match opens an inusual case; a PEP match is kept
    /// for the risk grade.
    public func review(_ hitID: String, confirm: Bool, note: String, lenderID: String, actor: Administration.Actor) async throws -> Review {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count >= 5 else {
            throw APIError(status: .unprocessableContent, code: "review_note_required", message: "Escriba por qué la coincidencia es o no es la persona listada (datos que comparó).")
        }
        guard !CardNumberDetector.containsCardNumber(note) else {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en las notas.")
        }
        let now = clock()
        let cipher = keys.cipher
        return try await database.transaction { db in
            guard let row = try await db.raw(
                "SELECT \(unsafeRaw: Self.hitColumns) FROM screening_hits h LEFT JOIN watchlists w ON w.list = h.list WHERE h.id = \(bind: hitID) AND h.lender_id = \(bind: lenderID)"
            ).first() else {
                throw APIError(status: .notFound, code: "hit_not_found", message: "No existe esa coincidencia. Revise la lista de coincidencias pendientes.")
            }
            let hit = try decode(row)
            let status: Status = confirm ? .confirmed : .dismissed
            let updated = try await db.raw(
                """
                UPDATE screening_hits SET status = \(bind: status.rawValue), reviewed_at = \(bind: now.text), reviewed_by = \(bind: actor.id),
                    review_note = \(bind: cipher.encrypt(note, field: "screening_hits.review_note"))
                WHERE id = \(bind: hitID) AND status = 'pendiente' RETURNING id
                """
            ).first()
            guard updated != nil else {
                throw APIError(status: .conflict, code: "hit_already_reviewed", message: "La coincidencia ya fue revisada (\(hit.status.label.lowercased())); vea su revisión en el expediente.")
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: confirm ? "compliance.hit_confirmed" : "compliance.hit_dismissed", objectType: "client", objectID: hit.clientId, at: now, change: "\(hitID) \(note)"),
                on: db
            )
            var suspended = false
            var caseID: String?
            if confirm {
                if hit.purpose.suspendsOperations {
                    try await db.raw(
                        """
                        INSERT INTO client_holds (id, lender_id, client_id, reason, source, placed_at, placed_by)
                        VALUES (\(bind: "ch_" + APIClients.randomHex(bytes: 10)), \(bind: lenderID), \(bind: hit.clientId),
                                \(bind: "Coincidencia confirmada en la lista \(hit.list) (\(hit.entryId))"), \(bind: hitID), \(bind: now.text), \(bind: actor.id))
                        """
                    ).run()
                    try await AuditLog.append(
                        Administration.entry(actor: actor, action: "client.suspended", objectType: "client", objectID: hit.clientId, at: now, change: "\(hit.list) \(hitID)"),
                        on: db
                    )
                    suspended = true
                }
                if hit.purpose != .pep {
                    let kind: CaseWorkflow.Kind = hit.purpose == .blocking ? .twentyFourHours : .unusual
                    caseID = try await cases.open(
                        kind: kind, clientID: hit.clientId, subject: hit.role == .client ? nil : hit.subjectName, origin: "lista:\(hit.list):\(hitID)",
                        summary: "\(hit.role.label) «\(hit.subjectName)» confirmado como «\(hit.entryName)» (\(hit.entryId)) de la lista \(hit.list)"
                            + (suspended ? "; operaciones del cliente suspendidas." : ".") + " Revisión: \(note)",
                        // The deadline runs from when the match was found, not from its review.
                        detectedAt: hit.foundAt, lenderID: lenderID, actor: actor, on: db
                    )
                }
            }
            try await RiskGrades(database: database, keys: keys, clock: clock).assess(clientID: hit.clientId, occasion: .listMatch, actor: actor, on: db)
            let reviewed = try decode(try await db.raw(
                "SELECT \(unsafeRaw: Self.hitColumns) FROM screening_hits h LEFT JOIN watchlists w ON w.list = h.list WHERE h.id = \(bind: hitID)"
            ).first()!)
            return Review(hit: reviewed, suspended: suspended, caseId: caseID)
        }
    }

    /// Lifts a client's suspension: only by an act of the UIF or a final court ruling, which the note must cite.
    public func lift(clientID: String, note: String, lenderID: String, actor: Administration.Actor) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count >= 10 else {
            throw APIError(status: .unprocessableContent, code: "lift_note_required", message: "Cite el oficio de la UIF o la resolución judicial que levanta la suspensión.")
        }
        let now = clock()
        let cipher = keys.cipher
        try await database.transaction { db in
            let lifted = try await db.raw(
                """
                UPDATE client_holds SET lifted_at = \(bind: now.text), lifted_by = \(bind: actor.id), lift_note = \(bind: cipher.encrypt(note, field: "client_holds.lift_note"))
                WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID) AND lifted_at IS NULL RETURNING id
                """
            ).all()
            guard !lifted.isEmpty else {
                throw APIError(status: .conflict, code: "client_not_suspended", message: "El cliente no tiene operaciones suspendidas.")
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "client.suspension_lifted", objectType: "client", objectID: clientID, at: now, change: note),
                on: db
            )
        }
    }

    /// Why the client's operations are held, in Spanish: an active suspension, or a blocked-list or sanctions match not
    /// yet reviewed. Empty when the client may operate.
    public static func holds(clientID: String, on db: any SQLDatabase) async throws -> [String] {
        var reasons = try await db.raw(
            "SELECT reason FROM client_holds WHERE client_id = \(bind: clientID) AND lifted_at IS NULL ORDER BY placed_at"
        ).all().map { "Operaciones suspendidas: " + (try $0.decode(column: "reason", as: String.self)) + "." }
        let pending = try await db.raw(
            """
            SELECT DISTINCT h.list FROM screening_hits h JOIN watchlists w ON w.list = h.list
            WHERE h.client_id = \(bind: clientID) AND h.status = 'pendiente' AND w.purpose IN ('bloqueo', 'sanciones') ORDER BY h.list
            """
        ).all().map { try $0.decode(column: "list", as: String.self) }
        if !pending.isEmpty {
            reasons.append("Coincidencia pendiente de revisión en \(pending.joined(separator: ", ")): el oficial de cumplimiento debe revisarla antes de operar.")
        }
        return reasons
    }

    /// What staff outside compliance are told about a held client: nothing of lists or matches (the client must not
    /// learn of them from whoever serves it).
    public static let holdMessage = "Operación retenida por cumplimiento: consulte al oficial de cumplimiento."

    /// Refuses an operation for a client whose operations are held, without saying why (only compliance sees that).
    public static func requireNoHolds(clientID: String, on db: any SQLDatabase) async throws {
        guard try await holds(clientID: clientID, on: db).isEmpty else {
            throw APIError(status: .conflict, code: "client_on_hold", message: holdMessage)
        }
    }
}
