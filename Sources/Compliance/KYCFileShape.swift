import Clients

/// What of a client's data decides which documents its file needs — person type, whether it has an RFC, how many
/// representatives and the beneficial owners' shares — without any name or identifier, so it can be stored in the
/// clear and the file checked where personal data is not decrypted (the disbursement path).
public struct KYCFileShape: Sendable, Codable, Equatable {
    public var kind: ClientProfile.Kind
    public var hasRFC: Bool
    public var representatives: Int
    /// Each beneficial owner's share in basis points (2500 = 25 %), in the order of the client's data.
    public var ownerBasisPoints: [Int]

    public init(kind: ClientProfile.Kind, hasRFC: Bool, representatives: Int = 0, ownerBasisPoints: [Int] = []) {
        self.kind = kind
        self.hasRFC = hasRFC
        self.representatives = representatives
        self.ownerBasisPoints = ownerBasisPoints
    }

    public init(profile: ClientProfile) {
        switch profile.kind {
        case .individual:
            self.init(kind: .individual, hasRFC: profile.individual?.rfc != nil)
        case .company:
            self.init(
                kind: .company, hasRFC: true, representatives: profile.company?.representatives.count ?? 0,
                // A share that cannot be read counts as 100 %: the owner must be identified.
                ownerBasisPoints: (profile.company?.beneficialOwners ?? []).map { KYCFileCheck.basisPoints($0.ownershipPercent) ?? 10_000 }
            )
        }
    }

    /// The names of the people in the file, by subject, for the messages staff read.
    public static func names(of profile: ClientProfile) -> [KYCSubject: String] {
        var names: [KYCSubject: String] = [.client: profile.displayName]
        for (index, person) in (profile.company?.representatives ?? []).enumerated() { names[.representative(index + 1)] = person.name }
        for (index, owner) in (profile.company?.beneficialOwners ?? []).enumerated() { names[.beneficialOwner(index + 1)] = owner.name }
        return names
    }
}
