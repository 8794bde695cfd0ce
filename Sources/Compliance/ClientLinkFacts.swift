import Clients

extension ClientLinks {
    /// What a client's data gives to link it with others: its phones, e-mail and address; its CURP and RFC (also as the
    /// representative or beneficial owner it may be of a company); a company's representatives and its beneficial owners
    /// from `ownerBasisPoints` (2500 = 25 %), by CURP, else RFC (never by name alone). Bank accounts come from its operations.
    public static func facts(of client: String, profile: ClientProfile, ownerBasisPoints: Int = 2500) -> [Fact] {
        var facts = profile.phones.map { Fact(client: client, kind: .phone, value: $0) }
        if let email = profile.email { facts.append(Fact(client: client, kind: .email, value: email)) }
        let address = profile.address
        facts.append(Fact(
            client: client, kind: .address,
            value: [address.street, address.exteriorNumber, address.interiorNumber ?? "", address.neighborhood, address.postalCode].joined(separator: " ")
        ))
        if let person = profile.individual {
            facts.append(Fact(client: client, kind: .curp, value: person.curp))
            // The person may be a company's representative or owner: linked by the same identifier.
            for kind in [Kind.representative, .beneficialOwner] { facts.append(Fact(client: client, kind: kind, value: person.curp)) }
            if let rfc = person.rfc {
                facts.append(Fact(client: client, kind: .rfc, value: rfc))
                for kind in [Kind.representative, .beneficialOwner] { facts.append(Fact(client: client, kind: kind, value: rfc)) }
            }
        }
        if let company = profile.company {
            facts.append(Fact(client: client, kind: .rfc, value: company.rfc))
            // By identifier only: a name alone (two «Juan Hernández») would link strangers.
            for person in company.representatives {
                if let id = person.curp ?? person.rfc { facts.append(Fact(client: client, kind: .representative, value: id)) }
            }
            for owner in company.beneficialOwners where (KYCFileCheck.basisPoints(owner.ownershipPercent) ?? 10_000) >= ownerBasisPoints {
                if let id = owner.curp ?? owner.rfc { facts.append(Fact(client: client, kind: .beneficialOwner, value: id)) }
            }
        }
        return facts
    }
}
