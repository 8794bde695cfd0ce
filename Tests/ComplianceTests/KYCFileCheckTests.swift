import CarteraCore
import CarteraTestSupport
import Clients
@testable import Compliance
import Foundation
import Testing

@Suite("Identification file: checklist per person type, document states, expiry and periodic update by risk grade")
struct KYCFileCheckTests {
    static let today = CalendarDate(text: "2026-11-26")!
    static let policy = KYCPolicy.standard

    static func document(
        _ id: String, _ kind: KYCDocumentKind, _ subject: KYCSubject = .client, _ status: KYCDocumentFacts.Status = .verified,
        received: String = "2026-11-20", issued: String? = nil, expires: String? = nil
    ) -> KYCDocumentFacts {
        KYCDocumentFacts(
            id: id, kind: kind, subject: subject, status: status, receivedOn: CalendarDate(text: received)!,
            issuedOn: issued.flatMap(CalendarDate.init(text:)), expiresOn: expires.flatMap(CalendarDate.init(text:))
        )
    }

    /// A complete file of a persona física with an RFC.
    static var completeIndividual: [KYCDocumentFacts] {
        [
            document("d1", .officialID, expires: "2031-12-31"), document("d2", .curpCertificate), document("d3", .rfcCertificate),
            document("d4", .proofOfAddress, issued: "2026-10-01"), document("d5", .ownBehalfDeclaration),
        ]
    }

    static func evaluate(_ shape: KYCFileShape, _ documents: [KYCDocumentFacts], grade: RiskGrade = .low, lastUpdate: String = "2026-11-01", today: CalendarDate = today) -> KYCFileCheck.Status {
        KYCFileCheck.evaluate(shape: shape, documents: documents, grade: grade, lastUpdate: CalendarDate(text: lastUpdate)!, policy: policy, today: today)
    }

    @Test("Which documents each person type needs: the RFC certificate only with an RFC; each representative's power and ID; IDs of owners from 25 %")
    func requirements() {
        let individual = KYCFileShape(profile: ClientSamples.individual)
        #expect(individual == KYCFileShape(kind: .individual, hasRFC: true))
        #expect(KYCFileCheck.requirements(for: individual, policy: Self.policy).map(\.kind) == [.officialID, .curpCertificate, .rfcCertificate, .proofOfAddress, .ownBehalfDeclaration])
        #expect(!KYCFileCheck.requirements(for: KYCFileShape(kind: .individual, hasRFC: false), policy: Self.policy).contains { $0.kind == .rfcCertificate })

        let company = KYCFileShape(profile: ClientSamples.company)
        #expect(company == KYCFileShape(kind: .company, hasRFC: true, representatives: 1, ownerBasisPoints: [5950, 4050]))
        let shape = KYCFileShape(kind: .company, hasRFC: true, representatives: 2, ownerBasisPoints: [3000, 2499, 2500])
        let needed = KYCFileCheck.requirements(for: shape, policy: Self.policy).map { "\($0.kind.rawValue)@\($0.subject)" }
        #expect(needed == [
            "escritura_constitutiva@cliente", "cedula_rfc@cliente", "comprobante_domicilio@cliente",
            "poder_representante@representante-1", "poder_representante@representante-2",
            "identificacion_representante@representante-1", "identificacion_representante@representante-2",
            "declaracion_beneficiario_controlador@cliente",
            "identificacion_beneficiario@beneficiario-1", "identificacion_beneficiario@beneficiario-3",
        ])
        // A company without representatives or owners lacks data, whatever its documents.
        let bare = Self.evaluate(KYCFileShape(kind: .company, hasRFC: true), [])
        #expect(bare.dataIssues.count == 2 && !bare.isComplete)
    }

    @Test("Each item's state: missing, waiting for cotejo, rejected, expired, an old proof of address, complete; the best document decides")
    func states() {
        let shape = KYCFileShape(kind: .individual, hasRFC: true)
        let complete = Self.evaluate(shape, Self.completeIndividual)
        #expect(complete.isComplete && complete.reasons.isEmpty && complete.items.allSatisfy { $0.state == .complete })

        func state(of kind: KYCDocumentKind, _ documents: [KYCDocumentFacts]) -> KYCFileCheck.Item {
            Self.evaluate(shape, documents).items.first { $0.kind == kind }!
        }
        let others = Self.completeIndividual.filter { $0.kind != .officialID && $0.kind != .proofOfAddress }
        #expect(state(of: .officialID, others).state == .missing)
        #expect(state(of: .officialID, others).message == "Falta identificación oficial; súbalo al expediente.")
        #expect(state(of: .officialID, [Self.document("a", .officialID, .client, .received, expires: "2030-01-01")]).state == .awaitingVerification)
        #expect(state(of: .officialID, [Self.document("a", .officialID, .client, .rejected, expires: "2030-01-01")]).state == .rejected)
        // Expired the day before: expired; on its last day: still complete, and due soon.
        #expect(state(of: .officialID, [Self.document("a", .officialID, expires: "2026-11-25")]).state == .expired)
        let lastDay = state(of: .officialID, [Self.document("a", .officialID, expires: "2026-11-26")])
        #expect(lastDay.state == .complete && lastDay.expiresSoon)
        // Reminder window: 30 days before expiry is soon, 31 is not.
        #expect(state(of: .officialID, [Self.document("a", .officialID, expires: "2026-12-26")]).expiresSoon)
        #expect(!state(of: .officialID, [Self.document("a", .officialID, expires: "2026-12-27")]).expiresSoon)
        // A proof of address: 90 days old when received counts, 91 does not.
        #expect(state(of: .proofOfAddress, [Self.document("p", .proofOfAddress, received: "2026-11-20", issued: "2026-08-22")]).state == .complete)
        #expect(state(of: .proofOfAddress, [Self.document("p", .proofOfAddress, received: "2026-11-20", issued: "2026-08-21")]).state == .outdated)
        // A rejected newer upload does not undo a verified one; a superseded one never counts.
        let both = [Self.document("old", .officialID, expires: "2030-01-01"), Self.document("new", .officialID, .client, .rejected, received: "2026-11-25", expires: "2031-01-01")]
        #expect(state(of: .officialID, both).documentId == "old")
        #expect(state(of: .officialID, [Self.document("s", .officialID, .client, .superseded, expires: "2030-01-01")]).state == .missing)
        // A document of the right kind but another person does not count.
        #expect(state(of: .officialID, [Self.document("x", .officialID, .representative(1), expires: "2030-01-01")]).state == .missing)
    }

    @Test("The periodic update falls due by risk grade (36, 24, 12 months) from the last update; overdue makes the file incomplete")
    func periodicUpdate() {
        let shape = KYCFileShape(kind: .individual, hasRFC: true)
        for (grade, due) in [(RiskGrade.low, "2029-11-01"), (.medium, "2028-11-01"), (.high, "2027-11-01")] {
            #expect(Self.evaluate(shape, Self.completeIndividual, grade: grade).updateDue.text == due)
        }
        let onDueDay = Self.evaluate(shape, Self.completeIndividual, grade: .high, lastUpdate: "2025-11-26")
        #expect(onDueDay.isComplete && onDueDay.updateSoon && !onDueDay.updateOverdue && onDueDay.reminders.count == 1)
        let dayAfter = Self.evaluate(shape, Self.completeIndividual, grade: .high, lastUpdate: "2025-11-25")
        #expect(!dayAfter.isComplete && dayAfter.updateOverdue && dayAfter.reasons == ["La actualización periódica del expediente venció el 2026-11-25; revise los datos y documentos con el cliente y regístrela."])
    }

    @Test("Subjects, shares, formats and the policy's own checks")
    func parts() {
        #expect(KYCSubject(text: " Representante-2 ") == .representative(2) && KYCSubject(text: "beneficiario-1")?.description == "beneficiario-1")
        #expect(KYCSubject(text: "representante-0") == nil && KYCSubject(text: "socio-1") == nil && KYCSubject(text: "cliente") == .client)
        #expect(KYCFileCheck.basisPoints("25") == 2500 && KYCFileCheck.basisPoints("25.5") == 2550 && KYCFileCheck.basisPoints("0.07") == 7)
        #expect(KYCFileCheck.basisPoints("25.555") == nil && KYCFileCheck.basisPoints("x") == nil && KYCFileCheck.basisPoints("-1") == nil)
        #expect(KYCDocumentFormat.detect(Array("%PDF-1.7\n".utf8)) == .pdf)
        #expect(KYCDocumentFormat.detect([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(KYCDocumentFormat.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(KYCDocumentFormat.detect(Array("GIF89a".utf8)) == nil && KYCDocumentFormat.detect([UInt8]()) == nil)
        #expect(Self.policy.problems.isEmpty)
        var inverted = Self.policy
        inverted.updateMonths = .init(bajo: 12, medio: 24, alto: 36)
        inverted.individual.append(.powerOfAttorney)
        #expect(inverted.problems.count == 2)
    }
}
