import CarteraCore
import Compliance
import Foundation
import Testing

@Suite("OFAC's SDN list as SDN.XML")
struct SDNXMLTests {
    /// A small SDN.XML in the given namespace: an individual, an entity, a vessel and an aircraft.
    static func document(namespace: String) -> String {
        """
        <?xml version="1.0" standalone="yes"?>
        <sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="\(namespace)">
          <publshInformation>
            <Publish_Date>01/15/2019</Publish_Date>
            <Record_Count>4</Record_Count>
          </publshInformation>
          <sdnEntry>
            <uid>7163</uid>
            <firstName>Miguel</firstName>
            <lastName>AGUILAR AMAO</lastName>
            <sdnType>Individual</sdnType>
            <programList>
              <program>SDNTK</program>
            </programList>
            <idList>
              <id><uid>4701</uid><idType>R.F.C.</idType><idNumber>AUAM-530929</idNumber><idCountry>Mexico</idCountry></id>
              <id><uid>4702</uid><idType>C.U.R.P.</idType><idNumber>AUAM530929HBSGMG08</idNumber><idCountry>Mexico</idCountry></id>
              <id><uid>4703</uid><idType>Passport</idType><idNumber>G0123456</idNumber><idCountry>Mexico</idCountry></id>
              <id><uid>4704</uid><idType>Website</idType><idNumber>www.ejemplo.com.mx</idNumber></id>
            </idList>
            <akaList>
              <aka><uid>5001</uid><type>a.k.a.</type><category>strong</category><lastName>AGUILAR</lastName><firstName>Miguelito</firstName></aka>
              <aka><uid>5002</uid><type>f.k.a.</type><category>weak</category><lastName>EL TIO</lastName></aka>
            </akaList>
            <addressList>
              <address><uid>6001</uid><city>Culiacan</city><stateOrProvince>Sinaloa</stateOrProvince><country>Mexico</country></address>
            </addressList>
            <nationalityList>
              <nationality><uid>6101</uid><country>Mexico</country><mainEntry>true</mainEntry></nationality>
            </nationalityList>
            <dateOfBirthList>
              <dateOfBirthItem><uid>7001</uid><dateOfBirth>15 Feb 1957</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem>
              <dateOfBirthItem><uid>7002</uid><dateOfBirth>circa 1958</dateOfBirth><mainEntry>false</mainEntry></dateOfBirthItem>
              <dateOfBirthItem><uid>7003</uid><dateOfBirth>1960 to 1962</dateOfBirth><mainEntry>false</mainEntry></dateOfBirthItem>
            </dateOfBirthList>
            <placeOfBirthList>
              <placeOfBirthItem><uid>7101</uid><placeOfBirth>Sinaloa, Mexico</placeOfBirth><mainEntry>true</mainEntry></placeOfBirthItem>
            </placeOfBirthList>
          </sdnEntry>
          <sdnEntry>
            <uid>7156</uid>
            <lastName>DISTRIBUIDORA IMPERIAL DE BAJA CALIFORNIA, S.A. DE C.V.</lastName>
            <sdnType>Entity</sdnType>
            <remarks>Linked To: AGUILAR AMAO, Miguel.</remarks>
            <programList><program>SDNTK</program></programList>
            <idList>
              <id><uid>4705</uid><idType>R.F.C.</idType><idNumber>DIB-771110-HQ1</idNumber><idCountry>Mexico</idCountry></id>
            </idList>
          </sdnEntry>
          <sdnEntry>
            <uid>9001</uid>
            <lastName>MAR DEL NORTE</lastName>
            <sdnType>Vessel</sdnType>
            <programList><program>CUBA</program><program>IRAN</program></programList>
            <vesselInfo><callSign>XYZ1</callSign><vesselType>Cargo</vesselType><vesselFlag>Panama</vesselFlag></vesselInfo>
          </sdnEntry>
          <sdnEntry>
            <uid>9002</uid>
            <lastName>XA-ABC</lastName>
            <sdnType>Aircraft</sdnType>
            <programList><program>SDNTK</program></programList>
          </sdnEntry>
        </sdnList>
        """
    }

    static let oldNamespace = "http://tempuri.org/sdnList.xsd"
    static let newNamespace = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"

    /// `xml` with every element written with `prefix:` (`<sdn:sdnEntry>`), its namespace bound to that prefix.
    static func prefixed(_ xml: String, _ prefix: String) -> String {
        var result = ""
        var characters = xml[...]
        while let character = characters.popFirst() {
            result.append(character)
            guard character == "<" else { continue }
            if characters.first == "/" {
                result.append(characters.removeFirst())
                result += "\(prefix):"
            } else if let first = characters.first, first.isLetter {
                result += "\(prefix):"
            }
        }
        return result.replacingOccurrences(of: "xmlns=", with: "xmlns:\(prefix)=")
    }

    func failure(_ text: String) -> ListFileError? {
        do {
            _ = try SDNXML.parse(Array(text.utf8))
            return nil
        } catch { return error }
    }

    @Test("An individual reads as the CSV reads it: «last, first», aliases of any type and category, programs, RFC/CURP/passport, dates, a year and a range")
    func individual() throws {
        let entries = try SDNXML.parse(Array(Self.document(namespace: Self.oldNamespace).utf8))
        #expect(entries.count == 4)
        #expect(entries[0] == ListEntry(
            id: "OFAC-SDN:7163", list: SDNList.name, kind: .individual, name: "AGUILAR AMAO, Miguel", aliases: ["AGUILAR, Miguelito", "EL TIO"],
            programs: ["SDNTK"],
            identifiers: [
                ListEntry.Identifier(type: "RFC", number: "AUAM530929"), ListEntry.Identifier(type: "CURP", number: "AUAM530929HBSGMG08"),
                ListEntry.Identifier(type: "PASAPORTE", number: "G0123456"),
            ],
            birthDates: ["1957-02-15", "1958", "1960", "1961", "1962"]
        ))
    }

    @Test("An entity keeps its remarks and RFC; a vessel and an aircraft are their own kinds with every program")
    func entityVesselAircraft() throws {
        let entries = try SDNXML.parse(Array(Self.document(namespace: Self.oldNamespace).utf8))
        #expect(entries[1] == ListEntry(
            id: "OFAC-SDN:7156", list: "OFAC-SDN", kind: .entity, name: "DISTRIBUIDORA IMPERIAL DE BAJA CALIFORNIA, S.A. DE C.V.", programs: ["SDNTK"],
            identifiers: [ListEntry.Identifier(type: "RFC", number: "DIB771110HQ1")], remarks: "Linked To: AGUILAR AMAO, Miguel."
        ))
        #expect(entries[2] == ListEntry(id: "OFAC-SDN:9001", list: "OFAC-SDN", kind: .vessel, name: "MAR DEL NORTE", programs: ["CUBA", "IRAN"]))
        #expect(entries[3].kind == .aircraft && entries[3].name == "XA-ABC" && entries[3].aliases.isEmpty && entries[3].birthDates.isEmpty)
    }

    @Test("The old namespace, the new one and the new one behind a prefix give the same entries")
    func namespaces() throws {
        let old = try SDNXML.parse(Array(Self.document(namespace: Self.oldNamespace).utf8))
        let new = try SDNXML.parse(Array(Self.document(namespace: Self.newNamespace).utf8))
        let prefixed = try SDNXML.parse(Array(Self.prefixed(Self.document(namespace: Self.newNamespace), "sdn").utf8))
        #expect(old.count == 4 && old == new && old == prefixed)
    }

    @Test("Screening finds the individual by his name in any order and accents, and by his CURP")
    func screening() throws {
        let screening = NameScreening(entries: try SDNXML.parse(Array(Self.document(namespace: Self.newNamespace).utf8)))
        #expect(screening.screen(name: "Miguel Aguilar Amao").first?.entry.id == "OFAC-SDN:7163")
        #expect(screening.screen(name: "Miguel Águilar Amao").first?.isMatch == true)
        #expect(screening.screen(name: "Otra Persona", identifiers: ["AUAM530929HBSGMG08"]).first?.reason == "CURP idéntico")
    }

    @Test("A document declaring Latin-1 is read; a list without entries is empty")
    func latin1AndEmpty() throws {
        let latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<sdnList><sdnEntry><uid>1</uid><lastName>PE".utf8) + [0xD1]
            + Array("A</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>".utf8)
        #expect(try SDNXML.parse(latin1).map(\.name) == ["PEÑA"])
        let empty = "<sdnList xmlns=\"\(Self.newNamespace)\"><publshInformation><Publish_Date>01/15/2019</Publish_Date><Record_Count>0</Record_Count></publshInformation></sdnList>"
        #expect(try SDNXML.parse(Array(empty.utf8)).isEmpty)
    }

    @Test("A malformed document, another root, an entry without uid, lastName or sdnType, and a repeated uid reject the file with a line")
    func refused() {
        let malformed = failure("<sdnList>\n<sdnEntry>\n<uid>1</uidx>\n</sdnEntry>\n</sdnList>\n")
        #expect(malformed == ListFileError(line: 3, reason: "el XML está mal formado o incompleto"))
        #expect(malformed?.message.contains("línea 3") == true)
        #expect(failure("<sdnList>\n<sdnEntry>\n<uid>1</uid>\n")?.reason == "el XML está mal formado o incompleto")
        #expect(failure("<Document/>") == ListFileError(line: 1, reason: "el elemento raíz es <Document>, no <sdnList> de OFAC"))
        #expect(failure("<sdnList>\n<sdnEntry><lastName>X</lastName><sdnType>Entity</sdnType></sdnEntry>\n</sdnList>")
            == ListFileError(line: 2, reason: "a la entrada <sdnEntry> le falta su <uid> numérico"))
        #expect(failure("<sdnList>\n<sdnEntry><uid>5</uid><firstName>Ana</firstName><sdnType>Individual</sdnType></sdnEntry>\n</sdnList>")
            == ListFileError(line: 2, reason: "a la entrada 5 le falta <lastName>"))
        #expect(failure("<sdnList>\n<sdnEntry><uid>5</uid><lastName>X</lastName></sdnEntry>\n</sdnList>")
            == ListFileError(line: 2, reason: "a la entrada 5 le falta <sdnType>"))
        let repeated = "<sdnList>\n<sdnEntry><uid>5</uid><lastName>X</lastName><sdnType>Entity</sdnType></sdnEntry>\n<sdnEntry><uid>5</uid><lastName>Y</lastName><sdnType>Entity</sdnType></sdnEntry>\n</sdnList>"
        #expect(failure(repeated) == ListFileError(line: 3, reason: "el uid 5 se repite"))
    }
}
