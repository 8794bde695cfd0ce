import CarteraCore
import Clients

/// Sample people: the published CURP `HEGG560427MVZRRL04` (a woman born 1956-04-27 in Veracruz) and an RFC with the
/// same date and a computed check digit.
public enum ClientSamples {
    public static let today = CalendarDate(text: "2026-11-26")!
    public static let rfcBody = "HEGG560427AB"
    public static let rfc = rfcBody + String(RFC.checkDigit(for: rfcBody)!)

    public static var address: ClientProfile.Address {
        .init(street: "  Av. Juárez ", exteriorNumber: "120", neighborhood: "Centro", municipality: "Xalapa", city: "Xalapa",
              state: "vz", postalCode: "91000")
    }

    public static var individual: ClientProfile {
        ClientProfile(
            kind: .individual,
            individual: .init(
                givenNames: "Gloria", paternalSurname: "Hernández", maternalSurname: "García", sex: "m",
                birthDate: CalendarDate(text: "1956-04-27")!, birthState: "VZ", occupation: "Comerciante", curp: "hegg560427mvzrrl04",
                rfc: rfc.lowercased()
            ),
            address: address, phones: ["+52 (228) 123-4567"], email: " Gloria.Hernandez@Example.MX "
        )
    }

    public static var company: ClientProfile {
        ClientProfile(
            kind: .company,
            company: .init(
                legalName: "Servicios Administrativos del Golfo, S.A. de C.V.", rfc: "SAT970701NN3",
                incorporationDate: CalendarDate(text: "1997-07-01")!, businessActivity: "Servicios de consultoría",
                representatives: [.init(name: "Gloria Hernández García", curp: "HEGG560427MVZRRL04")],
                beneficialOwners: [.init(name: "Gloria Hernández García", ownershipPercent: "59.5"), .init(name: "Otro Socio", ownershipPercent: "40.5")]
            ),
            address: address, phones: ["2289876543"]
        )
    }
}
