import Foundation
import CarteraCore
import CarteraTestSupport
import Clients
import Testing

@Suite("Client identification data")
struct ClientValidationTests {
    @Test("A complete persona física is normalised: identifiers upper-case, phone ten digits, e-mail lower-case")
    func individual() throws {
        let profile = try ClientValidation.validated(ClientSamples.individual, today: ClientSamples.today)
        let person = try #require(profile.individual)
        #expect(person.curp == "HEGG560427MVZRRL04")
        #expect(person.rfc == ClientSamples.rfc)
        #expect(person.sex == "M")
        #expect(profile.phones == ["2281234567"])
        #expect(profile.email == "gloria.hernandez@example.mx")
        #expect(profile.address.street == "Av. Juárez")
        #expect(profile.address.state == "VZ")
        #expect(profile.displayName == "Gloria Hernández García")
    }

    @Test("The CURP must agree with the birth date and the sex; the RFC with the CURP")
    func crossChecks() {
        var profile = ClientSamples.individual
        profile.individual?.birthDate = CalendarDate(text: "1956-04-28")!
        profile.individual?.sex = "H"
        profile.individual?.rfc = "HEGG560428AB" + String(RFC.checkDigit(for: "HEGG560428AB")!)
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(profile, today: ClientSamples.today) }
        do {
            _ = try ClientValidation.validated(profile, today: ClientSamples.today)
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["individual.birthDate", "individual.sex", "individual.rfc"])
            #expect(error.issues.allSatisfy { $0.code == "curp_mismatch" })
        }
    }

    @Test("Every problem is reported at once, with its field")
    func allProblems() {
        var profile = ClientSamples.individual
        profile.individual?.givenNames = "  "
        profile.individual?.curp = "HEGG560427MVZRRL05"
        profile.address.postalCode = "9100"
        profile.phones = ["12345"]
        profile.email = "no es correo"
        do {
            _ = try ClientValidation.validated(profile, today: ClientSamples.today)
            Issue.record("accepted invalid data")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["individual.givenNames", "individual.curp", "address.postalCode", "phones[0]", "email"])
            #expect(error.message.hasPrefix("Revise los datos del cliente:"))
        }
    }

    @Test("Minors and dates in the future are refused")
    func dates() {
        var minor = ClientSamples.individual
        minor.individual?.birthDate = CalendarDate(text: "2010-01-01")!
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(minor, today: ClientSamples.today) }
        var future = ClientSamples.company
        future.company?.incorporationDate = CalendarDate(text: "2027-01-01")!
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(future, today: ClientSamples.today) }
    }

    @Test("Persona moral: RFC of 12 characters, representatives, ownership up to 100%")
    func company() throws {
        let profile = try ClientValidation.validated(ClientSamples.company, today: ClientSamples.today)
        #expect(profile.company?.beneficialOwners.map(\.ownershipPercent) == ["59.50", "40.50"])
        #expect(profile.rfc == "SAT970701NN3")
        do {
            _ = try ClientValidation.validated(profile, today: ClientSamples.today)  // normalised data validates again unchanged
        }
        var over = ClientSamples.company
        over.company?.beneficialOwners[1].ownershipPercent = "40.51"
        over.company?.representatives = []
        over.company?.rfc = ClientSamples.rfc
        do {
            _ = try ClientValidation.validated(over, today: ClientSamples.today)
            Issue.record("accepted invalid company")
        } catch {
            #expect(Set(error.issues.map(\.code)) == ["over_100", "required", "wrong_type"])
        }
    }

    @Test("A card number in any text is refused")
    func cardNumbers() {
        var profile = ClientSamples.individual
        profile.address.interiorNumber = "4111 1111 1111 1111"
        #expect(throws: ClientValidation.Rejected.self) { try ClientValidation.validated(profile, today: ClientSamples.today) }
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
        let profile = try ClientValidation.validated(ClientSamples.individual, today: ClientSamples.today)
        let data = try JSONEncoder().encode(profile)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""birthDate":"1956-04-27""#))
        #expect(text.contains(#""kind":"individual""#))
        #expect(try JSONDecoder().decode(ClientProfile.self, from: data) == profile)
    }
}
