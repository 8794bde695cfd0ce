import Foundation
import CarteraCore
import Clients

/// Checks a client's identification file against the policy: which documents each person in it needs, which are
/// there, verified and in force, and when the file must be updated for the client's risk grade.
public enum KYCFileCheck {
    /// One document the file needs, and how it stands.
    public struct Item: Sendable, Equatable, Codable {
        public enum State: String, Sendable, Codable {
            case missing = "falta"
            case awaitingVerification = "por_cotejar"
            case rejected = "rechazado"
            case expired = "vencido"
            /// A proof of address older than the policy allows when it was received.
            case outdated = "antiguo"
            case complete = "completo"
        }

        public let kind: KYCDocumentKind
        public let subject: KYCSubject
        /// The person the document is of (the client's, a representative's or an owner's name).
        public let subjectName: String
        public let state: State
        /// The document that decides the state, when there is one.
        public let documentId: String?
        public let expiresOn: CalendarDate?
        /// Whether a complete item expires within the reminder window.
        public let expiresSoon: Bool
        /// What staff read, in Spanish.
        public let message: String
    }

    /// The whole file's standing on a day.
    public struct Status: Sendable, Equatable, Codable {
        public let items: [Item]
        /// Data the file lacks beyond documents.
        public let dataIssues: [String]
        /// When the file is next due for its periodic update.
        public let updateDue: CalendarDate
        public let updateOverdue: Bool
        public let updateSoon: Bool

        /// Every required document is there, verified and in force, no data is missing and the update is not overdue.
        public var isComplete: Bool { dataIssues.isEmpty && !updateOverdue && items.allSatisfy { $0.state == .complete } }

        /// Why the file is incomplete, in Spanish, one reason a line.
        public var reasons: [String] {
            dataIssues + items.filter { $0.state != .complete }.map(\.message)
                + (updateOverdue ? ["La actualización periódica del expediente venció el \(updateDue.text); revise los datos y documentos con el cliente y regístrela."] : [])
        }

        /// What is coming due within the reminder window.
        public var reminders: [String] {
            items.filter(\.expiresSoon).map(\.message) + (updateSoon ? ["La actualización periódica del expediente vence el \(updateDue.text)."] : [])
        }
    }

    /// The documents a file of `shape` needs under `policy`, with whose they are.
    public static func requirements(for shape: KYCFileShape, policy: KYCPolicy) -> [(kind: KYCDocumentKind, subject: KYCSubject)] {
        var result: [(KYCDocumentKind, KYCSubject)] = []
        switch shape.kind {
        case .individual:
            for kind in policy.individual where kind.scope == .client {
                if kind == .rfcCertificate, !shape.hasRFC { continue }
                result.append((kind, .client))
            }
        case .company:
            for kind in policy.company {
                switch kind.scope {
                case .client:
                    result.append((kind, .client))
                case .representative:
                    for position in stride(from: 1, through: shape.representatives, by: 1) { result.append((kind, .representative(position))) }
                case .beneficialOwner:
                    for (index, share) in shape.ownerBasisPoints.enumerated() where share >= policy.beneficialOwnerBasisPoints {
                        result.append((kind, .beneficialOwner(index + 1)))
                    }
                }
            }
        }
        return result
    }

    /// The file's standing on `today`: `documents` are every document stored for the client (superseded ones are
    /// ignored), `grade` its current risk grade, `lastUpdate` the day the file was last updated (its opening when
    /// never). `names` name the people in messages (`representante-2` when absent).
    public static func evaluate(
        shape: KYCFileShape, names: [KYCSubject: String] = [:], documents: [KYCDocumentFacts], grade: RiskGrade, lastUpdate: CalendarDate,
        policy: KYCPolicy, today: CalendarDate
    ) -> Status {
        let current = documents.filter { $0.status != .superseded }
        let items = requirements(for: shape, policy: policy).map { requirement in
            item(for: requirement.kind, subject: requirement.subject, name: names[requirement.subject] ?? requirement.subject.description,
                 candidates: current.filter { $0.kind == requirement.kind && $0.subject == requirement.subject },
                 policy: policy, today: today)
        }
        var dataIssues: [String] = []
        if shape.kind == .company {
            if shape.representatives == 0 {
                dataIssues.append("No hay representante legal o apoderado registrado; agréguelo a los datos del cliente.")
            }
            if shape.ownerBasisPoints.isEmpty {
                dataIssues.append("No hay beneficiario controlador registrado; identifique al propietario real en los datos del cliente.")
            }
        }
        let due = lastUpdate.adding(months: policy.updateMonths.months(for: grade))
        let overdue = today > due
        return Status(
            items: items, dataIssues: dataIssues, updateDue: due, updateOverdue: overdue,
            updateSoon: !overdue && today.days(until: due) <= Int64(policy.reminderDays)
        )
    }

    static func item(
        for kind: KYCDocumentKind, subject: KYCSubject, name: String, candidates: [KYCDocumentFacts], policy: KYCPolicy, today: CalendarDate
    ) -> Item {
        let whose = subject == .client ? "" : name == subject.description ? " (\(name))" : " de \(name)"
        let label = kind.label + whose
        func make(_ state: Item.State, _ document: KYCDocumentFacts?, _ message: String, soon: Bool = false) -> Item {
            Item(kind: kind, subject: subject, subjectName: name, state: state, documentId: document?.id, expiresOn: document?.expiresOn, expiresSoon: soon, message: message)
        }
        func isOutdated(_ document: KYCDocumentFacts) -> Bool {
            guard kind.needsIssueDate, let issued = document.issuedOn else { return false }
            return issued.days(until: document.receivedOn) > Int64(policy.addressProofMaxDays)
        }
        func isExpired(_ document: KYCDocumentFacts) -> Bool {
            guard let expires = document.expiresOn else { return false }
            return expires < today
        }
        // Newest first: the decision is taken on the best document, then the newest.
        let ordered = candidates.sorted { ($0.receivedOn, $0.id) > ($1.receivedOn, $1.id) }
        if let good = ordered.first(where: { $0.status == .verified && !isExpired($0) && !isOutdated($0) }) {
            let soon = good.expiresOn.map { today.days(until: $0) <= Int64(policy.reminderDays) } ?? false
            let message = soon ? "\(label): vence el \(good.expiresOn!.text); pida la nueva al cliente." : "\(label): cotejado."
            return make(.complete, good, message, soon: soon)
        }
        if let pending = ordered.first(where: { $0.status == .received && !isExpired($0) && !isOutdated($0) }) {
            return make(.awaitingVerification, pending, "\(label): recibido el \(pending.receivedOn.text), falta cotejarlo contra el original.")
        }
        guard let newest = ordered.first else {
            return make(.missing, nil, "Falta \(label.lowercasedFirst); súbalo al expediente.")
        }
        if newest.status == .rejected {
            return make(.rejected, newest, "\(label): rechazado (\(newest.rejectionReason ?? "vea el motivo en el expediente")); suba uno válido.")
        }
        if isExpired(newest) {
            return make(.expired, newest, "\(label): venció el \(newest.expiresOn!.text); suba la vigente.")
        }
        return make(.outdated, newest, "\(label): el comprobante tenía más de \(policy.addressProofMaxDays) días al recibirse; suba uno reciente.")
    }

    /// `"25"`, `"25.5"`, `"25.50"` → 2500, 2550, 2550; nil when it is not a percentage.
    static func basisPoints(_ percent: String) -> Int? {
        let parts = percent.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : "0"
        guard fraction.count <= 2, fraction.allSatisfy(\.isNumber) else { return nil }
        fraction = fraction.padding(toLength: 2, withPad: "0", startingAt: 0)
        return whole * 100 + (Int(fraction) ?? 0)
    }
}

extension String {
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
