import CarteraCore

/// What a complete identification file needs, how long its documents stay good and how often it is updated by risk
/// grade. Versioned per lender; the compliance officer publishes a new version.
///
/// The defaults follow the 4ª disposición's lists and common practice where the rules leave the figure to the entity
/// (proof of address at most three months old, yearly update for alto — both marked unverified in the notes).
public struct KYCPolicy: Sendable, Codable, Equatable {
    /// Documents every persona física's file holds (the RFC certificate only when the client has an RFC).
    public var individual: [KYCDocumentKind]
    /// Documents every persona moral's file holds; representative and beneficial-owner kinds are required for each of
    /// them.
    public var company: [KYCDocumentKind]
    /// A proof of address older than this when received does not count.
    public var addressProofMaxDays: Int
    /// Beneficial owners holding at least this share (in basis points: 2500 = 25 %) must be identified with a document.
    public var beneficialOwnerBasisPoints: Int
    /// Months between updates of the file, by risk grade.
    public var updateMonths: UpdateMonths
    /// Days before an expiry or an update is due when staff are reminded.
    public var reminderDays: Int
    /// Whether a disbursement waits for a complete file (off only for lenders migrating paper files).
    public var blocksDisbursement: Bool

    public struct UpdateMonths: Sendable, Codable, Equatable {
        public var bajo: Int
        public var medio: Int
        public var alto: Int

        public init(bajo: Int, medio: Int, alto: Int) {
            self.bajo = bajo
            self.medio = medio
            self.alto = alto
        }

        public func months(for grade: RiskGrade) -> Int {
            switch grade {
            case .low: bajo
            case .medium: medio
            case .high: alto
            }
        }
    }

    public init(
        individual: [KYCDocumentKind], company: [KYCDocumentKind], addressProofMaxDays: Int, beneficialOwnerBasisPoints: Int,
        updateMonths: UpdateMonths, reminderDays: Int, blocksDisbursement: Bool
    ) {
        self.individual = individual
        self.company = company
        self.addressProofMaxDays = addressProofMaxDays
        self.beneficialOwnerBasisPoints = beneficialOwnerBasisPoints
        self.updateMonths = updateMonths
        self.reminderDays = reminderDays
        self.blocksDisbursement = blocksDisbursement
    }

    /// The policy in force until a lender publishes its own.
    public static let standard = KYCPolicy(
        individual: [.officialID, .curpCertificate, .rfcCertificate, .proofOfAddress, .ownBehalfDeclaration],
        company: [.incorporationDeed, .rfcCertificate, .proofOfAddress, .powerOfAttorney, .representativeID, .beneficialOwnerDeclaration, .beneficialOwnerID],
        addressProofMaxDays: 90,
        beneficialOwnerBasisPoints: 2500,
        updateMonths: UpdateMonths(bajo: 36, medio: 24, alto: 12),
        reminderDays: 30,
        blocksDisbursement: true
    )

    /// What is wrong with the policy itself, in Spanish; empty when it can be published.
    public var problems: [String] {
        var problems: [String] = []
        if individual.contains(where: { $0.scope != .client }) {
            problems.append("Una persona física no tiene representantes ni beneficiarios en su expediente: quite los documentos de representante o beneficiario de la lista de persona física.")
        }
        if individual.contains(.other) || company.contains(.other) { problems.append("«otro» no puede ser un documento obligatorio.") }
        if !(1...366).contains(addressProofMaxDays) { problems.append("La antigüedad máxima del comprobante de domicilio debe estar entre 1 y 366 días.") }
        if !(1...10_000).contains(beneficialOwnerBasisPoints) { problems.append("El umbral de beneficiario controlador debe estar entre 0.01 % y 100 %.") }
        for (grade, months) in [("bajo", updateMonths.bajo), ("medio", updateMonths.medio), ("alto", updateMonths.alto)] where !(1...120).contains(months) {
            problems.append("La actualización para riesgo \(grade) debe ser entre 1 y 120 meses.")
        }
        if !(updateMonths.alto <= updateMonths.medio && updateMonths.medio <= updateMonths.bajo) {
            problems.append("Un riesgo mayor no puede actualizarse con menos frecuencia que uno menor (alto ≤ medio ≤ bajo meses).")
        }
        if !(0...180).contains(reminderDays) { problems.append("Los días de aviso deben estar entre 0 y 180.") }
        return problems
    }
}
