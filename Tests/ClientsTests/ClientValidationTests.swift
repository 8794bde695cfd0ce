import Foundation
import CarteraCore
import Clients
import Testing

/// Sample people: the published CURP `HEGG560427MVZRRL04` (a woman born 1956-04-27 in Veracruz) and an RFC with the
/// same date and a computed check digit.
enum Samples {
    static let today = CalendarDate(text: "2026-11-26")!
    static let rfcBody = "HEGG560427AB"
    static let rfc = rfcBody + String(RFC.checkDigit(for: rfcBody)!)

    static var address: ClientProfile.Address {
        .init(street: "  Av. Juárez ", exteriorNumber: "120", neighborhood: "Centro", municipality: "Xalapa", city: "Xalapa",
              state: "vz", postalCode: "91000")
    }

    static var individual: ClientProfile {
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

    static var company: ClientProfile {
        ClientProfile(
            kind: .company,
            company: .init(
                legalName: "Servicios Administrativos del Golfo, S.A. de C.V.", rfc: "SAT970701NN3",
                incorporationDate: CalendarDate(text: "1997-07-01")!, businessActivity: "Servicios de consultoría",
                representatives: [.init(name: "Gloria Hernández García", curp: "HEGG560427MVZRRL04")],
                beneficialOwners: [.init(name: "Gloria Hernández García", ownershipPercent: "59.5"), .init(name: "Otro Socio", ownershipPercent: "40.5")]
            ),
            address: address, phones: ["2281234567"]
        )
    }
}

@Suite("Client identification data")
struct ClientValidationTests {
    @Test("A complete persona física is normalised: identifiers upper-case, phone ten digits, e-mail lower-case")
    func individual() throws {
        let profile = try ClientValidation.validated(Samples.individual, today: Samples.today)
        let person = try #require(profile.individual)
        #expect(person.curp == "HEGG560427MVZRRL04")
        #expect(person.rfc == Samples.rfc)
        #expect(person.sex == "M")
        #expect(profile.phones == ["2281234567"])
        #expect(profile.email == "gloria.hernandez@example.mx")
        #expect(profile.address.street == "Av. Juárez")
        #expect(profile.address.state == "VZ")
        #expect(profile.displayName == "Gloria Hernández García")
    }

    @Test("The CURP must agree with the birth date and the sex; the RFC with the CURP")
    func crossChecks() {
        var profile = Samples.individual
        profile.individual?.birthDate = CalendarDate(text: "1956-04-28")!
        profile.individual?.sex = "H"
        profile.individual?.rfc = "HEGG560428AB" + String(RFC.checkDigit(for: "HEGG560428AB")!)
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(profile, today: Samples.today) }
        do {
            _ = try ClientValidation.validated(profile, today: Samples.today)
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["individual.birthDate", "individual.sex", "individual.rfc"])
            #expect(error.issues.allSatisfy { $0.code == "curp_mismatch" })
        }
    }

    @Test("Every problem is reported at once, with its field")
    func allProblems() {
        var profile = Samples.individual
        profile.individual?.givenNames = "  "
        profile.individual?.curp = "HEGG560427MVZRRL05"
        profile.address.postalCode = "9100"
        profile.phones = ["12345"]
        profile.email = "no es correo"
        do {
            _ = try ClientValidation.validated(profile, today: Samples.today)
            Issue.record("accepted invalid data")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["individual.givenNames", "individual.curp", "address.postalCode", "phones[0]", "email"])
            #expect(error.message.hasPrefix("Revise los datos del cliente:"))
        }
    }

    @Test("Minors and dates in the future are refused")
    func dates() {
        var minor = Samples.individual
        minor.individual?.birthDate = CalendarDate(text: "2010-01-01")!
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(minor, today: Samples.today) }
        var future = Samples.company
        future.company?.incorporationDate = CalendarDate(text: "2027-01-01")!
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(future, today: Samples.today) }
    }

    @Test("Persona moral: RFC of 12 characters, representatives, ownership up to 100%")
    func company() throws {
        let profile = try ClientValidation.validated(Samples.company, today: Samples.today)
        #expect(profile.company?.beneficialOwners.map(\.ownershipPercent) == ["59.50", "40.50"])
        #expect(profile.rfc == "SAT970701NN3")
        do {
            _ = try ClientValidation.validated(profile, today: Samples.today)  // normalised data validates again unchanged
        }
        var over = Samples.company
        over.company?.beneficialOwners[1].ownershipPercent = "40.51"
        over.company?.representatives = []
        over.company?.rfc = Samples.rfc
        do {
            _ = try ClientValidation.validated(over, today: Samples.today)
            Issue.record("accepted invalid company")
        } catch {
            #expect(Set(error.issues.map(\.code)) == ["over_100", "required", "wrong_type"])
        }
    }

    @Test("A card number in any text is refused")
    func cardNumbers() {
        var profile = Samples.individual
        profile.address.interiorNumber = "4111 1111 1111 1111"
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(profile, today: Samples.today) }
    }

    @Test("Phone and e-mail normalisation")
    func contacts() {
        #expect(ClientValidation.normalizePhone("55 1234 5678") == "5512345678")
        #expect(ClientValidation.normalizePhone("+52 55 1234 5678") == "5512345678")
        #expect(ClientValidation.normalizePhone("525512345678") == "5512345678")
        #expect(ClientValidation.normalizePhone("5512345") == nil)
        #expect(ClientValidation.normalizeEmail("A@B.MX") == "a@b.mx")
        #expect(ClientValidation.normalizeEmail("a@b") == nil)
        #expect(ClientValidation.normalizeEmail("a b@c.mx") == nil)
    }

    @Test("The JSON shape of the API round-trips")
    func json() throws {
        let profile = try ClientValidation.validated(Samples.individual, today: Samples.today)
        let data = try JSONEncoder().encode(profile)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""birthDate":"1956-04-27""#))
        #expect(text.contains(#""kind":"individual""#))
        #expect(try JSONDecoder().decode(ClientProfile.self, from: data) == profile)
    }
}
