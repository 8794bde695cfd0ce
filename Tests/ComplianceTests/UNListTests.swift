import CarteraCore
import Compliance
import Testing

@Suite("The UN Security Council's consolidated list as XML")
struct UNListTests {
    /// A small consolidated list: two individuals (one without its reference number) and an entity.
    static let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://scsanctions.un.org/resources/xsd/consolidated-list.xsd" dateGenerated="2024-05-02T10:00:04.397Z">
          <INDIVIDUALS>
            <INDIVIDUAL>
              <DATAID>6908001</DATAID>
              <VERSIONNUM>1</VERSIONNUM>
              <FIRST_NAME>JOSÉ</FIRST_NAME>
              <SECOND_NAME>LUIS</SECOND_NAME>
              <THIRD_NAME>RAMÍREZ</THIRD_NAME>
              <FOURTH_NAME>GARZA</FOURTH_NAME>
              <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
              <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER>
              <LISTED_ON>2010-03-01</LISTED_ON>
              <COMMENTS1>Ficticio, para pruebas.</COMMENTS1>
              <NATIONALITY><VALUE>Mexico</VALUE></NATIONALITY>
              <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
              <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Pepe Ramírez</ALIAS_NAME></INDIVIDUAL_ALIAS>
              <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>El Ingeniero</ALIAS_NAME></INDIVIDUAL_ALIAS>
              <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
              <INDIVIDUAL_ADDRESS><CITY>Monterrey</CITY><COUNTRY>Mexico</COUNTRY></INDIVIDUAL_ADDRESS>
              <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1965-08-20</DATE></INDIVIDUAL_DATE_OF_BIRTH>
              <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1966</FROM_YEAR><TO_YEAR>1968</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
              <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1970</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
              <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Monterrey</CITY><COUNTRY>Mexico</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
              <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>G-1234567</NUMBER><ISSUING_COUNTRY>Mexico</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
              <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT><NUMBER>RAGJ650820HNLMRS09</NUMBER></INDIVIDUAL_DOCUMENT>
              <SORT_KEY/>
              <SORT_KEY_LAST_MOD/>
            </INDIVIDUAL>
            <INDIVIDUAL>
              <DATAID>6908002</DATAID>
              <VERSIONNUM>2</VERSIONNUM>
              <FIRST_NAME>AHMED</FIRST_NAME>
              <SECOND_NAME>ALI</SECOND_NAME>
              <THIRD_NAME/>
              <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
              <LISTED_ON>2016-11-30</LISTED_ON>
              <COMMENTS1/>
              <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1961</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
            </INDIVIDUAL>
          </INDIVIDUALS>
          <ENTITIES>
            <ENTITY>
              <DATAID>110001</DATAID>
              <VERSIONNUM>1</VERSIONNUM>
              <FIRST_NAME>AL-NUR TRADING COMPANY</FIRST_NAME>
              <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
              <REFERENCE_NUMBER>QDe.901</REFERENCE_NUMBER>
              <LISTED_ON>2012-01-01</LISTED_ON>
              <COMMENTS1/>
              <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Nur Trading</ALIAS_NAME></ENTITY_ALIAS>
              <ENTITY_ADDRESS><CITY>Kabul</CITY><COUNTRY>Afghanistan</COUNTRY></ENTITY_ADDRESS>
            </ENTITY>
          </ENTITIES>
        </CONSOLIDATED_LIST>
        """

    func failure(_ text: String) -> ListFileError? {
        do {
            _ = try UNList.parse(Array(text.utf8))
            return nil
        } catch { return error }
    }

    @Test("An individual: four name parts given names first, Good and Low aliases (empty ones skipped), an exact date, a range of years, a year, a passport and a national ID")
    func individual() throws {
        let entries = try UNList.parse(Array(Self.document.utf8))
        #expect(entries.map(\.id) == ["UN:QDi.901", "UN:6908002", "UN:QDe.901"])
        #expect(entries[0] == ListEntry(
            id: "UN:QDi.901", list: UNList.name, kind: .individual, name: "JOSÉ LUIS RAMÍREZ GARZA", aliases: ["Pepe Ramírez", "El Ingeniero"],
            programs: ["Al-Qaida"],
            identifiers: [ListEntry.Identifier(type: "PASAPORTE", number: "G1234567"), ListEntry.Identifier(type: "ID_NACIONAL", number: "RAGJ650820HNLMRS09")],
            birthDates: ["1965-08-20", "1966", "1967", "1968", "1970"], remarks: "Ficticio, para pruebas."
        ))
    }

    @Test("Without REFERENCE_NUMBER the id is the DATAID; an entity is named by FIRST_NAME and keeps its alias")
    func fallbackAndEntity() throws {
        let entries = try UNList.parse(Array(Self.document.utf8))
        #expect(entries[1] == ListEntry(id: "UN:6908002", list: "UN", kind: .individual, name: "AHMED ALI", programs: ["DPRK"], birthDates: ["1961"]))
        #expect(entries[2] == ListEntry(id: "UN:QDe.901", list: "UN", kind: .entity, name: "AL-NUR TRADING COMPANY", aliases: ["Nur Trading"], programs: ["Al-Qaida"]))
    }

    @Test("Screening finds the Spanish-named individual by his name, by an alias and by his passport")
    func screening() throws {
        let screening = NameScreening(entries: try UNList.parse(Array(Self.document.utf8)))
        #expect(screening.screen(name: "José Luis Ramírez Garza").first?.entry.id == "UN:QDi.901")
        #expect(screening.screen(name: "Jose Luis Ramirez Garza").first?.isMatch == true)
        #expect(screening.screen(name: "Pepe Ramirez").first?.entry.id == "UN:QDi.901")
        #expect(screening.screen(name: "Otra Persona", identifiers: ["G1234567"]).first?.reason == "PASAPORTE idéntico")
    }

    @Test("A list without individuals or entities is empty")
    func empty() throws {
        #expect(try UNList.parse(Array("<CONSOLIDATED_LIST dateGenerated=\"2024-05-02T10:00:04.397Z\"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>".utf8)).isEmpty)
    }

    @Test("A malformed document, another root, an entry without name or ids, and a repeated reference number reject the file with a line")
    func refused() {
        let malformed = failure("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID></INDIVIDUALS>\n</CONSOLIDATED_LIST>\n")
        #expect(malformed == ListFileError(line: 3, reason: "el XML está mal formado o incompleto"))
        #expect(failure("<sdnList/>") == ListFileError(line: 1, reason: "el elemento raíz es <sdnList>, no <CONSOLIDATED_LIST> de la ONU"))
        #expect(failure("<CONSOLIDATED_LIST>\n<ENTITIES>\n<ENTITY><FIRST_NAME>X</FIRST_NAME></ENTITY>\n</ENTITIES>\n</CONSOLIDATED_LIST>")
            == ListFileError(line: 3, reason: "a la entrada <ENTITY> le faltan <REFERENCE_NUMBER> y <DATAID>"))
        #expect(failure("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME> </FIRST_NAME></INDIVIDUAL>\n</INDIVIDUALS>\n</CONSOLIDATED_LIST>")
            == ListFileError(line: 3, reason: "a la entrada 7 le falta el nombre (<FIRST_NAME>)"))
        let repeated = """
            <CONSOLIDATED_LIST>
            <INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ANA</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>
            <ENTITIES><ENTITY><DATAID>2</DATAID><FIRST_NAME>ANA SA</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></ENTITY></ENTITIES>
            </CONSOLIDATED_LIST>
            """
        #expect(failure(repeated) == ListFileError(line: 3, reason: "la entrada QDi.1 se repite"))
    }
}
