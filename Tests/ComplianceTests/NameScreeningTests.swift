import CarteraCore
import CarteraTestSupport
@testable import Compliance
import Foundation
import Testing

@Suite("Name screening: Spanish names against OFAC's SDN list")
struct NameScreeningTests {
    /// The SDN fixture (`../shared/fixtures/sanctions/sdn.csv` and `alt.csv`, January 2019), parsed once.
    static let sdn: [ListEntry]? = {
        guard SharedFixtures.enabled else { return nil }
        return try? SDNList.parse(sdn: [UInt8](SharedFixtures.data("sanctions/sdn.csv")), alt: [UInt8](SharedFixtures.data("sanctions/alt.csv")))
    }()
    static let screening: NameScreening? = sdn.map(NameScreening.init(entries:))

    @Test("Names fold accents and Ñ, drop particles and legal forms, expand Ma., Fco. and Gpe.")
    func normalisation() {
        #expect(NameText.tokens("José María NÚÑEZ de la Peña Ñandú Xóchitl Güereña") == ["jose", "maria", "nunez", "pena", "nandu", "xochitl", "guerena"])
        #expect(NameText.tokens("Ma. Gpe. Fco. Hdez. y O'Neill") == ["maria", "guadalupe", "francisco", "hernandez", "oneill"])
        #expect(NameText.tokens("DISTRIBUIDORA IMPERIAL DE BAJA CALIFORNIA, S.A. DE C.V.") == ["distribuidora", "imperial", "baja", "california"])
        #expect(NameText.tokens("GUZMAN LOERA, Joaquin") == ["guzman", "loera", "joaquin"])
        #expect(NameText.tokens(" , . ") == [])
    }

    @Test("Spanish sounds share a key: Gonzalez/Gonsales, Javier/Xavier, Vázquez/Basques, Yolanda/Llolanda; others do not")
    func phonetic() {
        #expect(PhoneticKey.of("gonzalez") == PhoneticKey.of("gonsales"))
        #expect(PhoneticKey.of("javier") == PhoneticKey.of("xavier"))
        #expect(PhoneticKey.of("vazquez") == PhoneticKey.of("basques"))
        #expect(PhoneticKey.of("yolanda") == PhoneticKey.of("llolanda"))
        #expect(PhoneticKey.of("hernandez") == PhoneticKey.of("ernandes"))
        #expect(PhoneticKey.of("garcia") != PhoneticKey.of("garza"))
        // One typo away, the neighbourhoods meet.
        #expect(!Set(PhoneticKey.neighbourhood("guzman")).isDisjoint(with: PhoneticKey.neighbourhood("guzmen")))
    }

    @Test("The SDN CSV: 7,379 entries with their aliases, programs, RFC/CURP and dates of birth from the remarks", .enabled(if: SharedFixtures.enabled))
    func parse() throws {
        let entries = try #require(Self.sdn)
        #expect(entries.count == 7_379)
        #expect(entries.filter { $0.kind == .individual }.count == 3_845)
        let chapo = try #require(entries.first { $0.id == "OFAC-SDN:6861" })
        #expect(chapo.name == "GUZMAN LOERA, Joaquin" && chapo.aliases.count == 18 && chapo.aliases.contains("GUZMAN, Chapo") && chapo.programs == ["SDNTK"])
        let aguilar = try #require(entries.first { $0.id == "OFAC-SDN:7163" })
        #expect(aguilar.identifiers.contains(ListEntry.Identifier(type: "RFC", number: "AUAM530929")) && aguilar.birthDates == ["1953-09-29"])
        // Alternates (`alt. DOB`, `alt. R.F.C.`), numbers after `#` and ranges of birth years are read too.
        let remarks = "DOB 01 Jan 1953 to 31 Dec 1954; alt. DOB 31 Aug 1955; R.F.C. # PMA-910805 (Mexico); alt. R.F.C. PMA-910805-XY1 (Mexico)."
        #expect(SDNList.birthDates(remarks) == ["1953", "1954", "1955-08-31"])
        #expect(SDNList.identifiers(remarks).map(\.number) == ["PMA910805", "PMA910805XY1"])
        let company = try #require(entries.first { $0.id == "OFAC-SDN:7156" })
        #expect(company.kind == .entity && company.identifiers == [ListEntry.Identifier(type: "RFC", number: "DIB771110HQ1")])
        // The raw file's DOS end-of-file byte and CRLF are tolerated; a broken quote names its line.
        let raw = Array("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n".utf8) + [0x1A]
        #expect(try SDNList.parse(sdn: raw).map(\.name) == ["AEROCARIBBEAN AIRLINES"])
        #expect(throws: SDNList.Failure(line: 2, reason: "unas comillas no se cierran")) {
            try SDNList.parse(sdn: raw.dropLast() + Array("37,\"ROTO,-0-\n".utf8))
        }
    }

    @Test("Exact cases: a listed name in any order and case finds its entry first; an RFC without homoclave against the full one scores 0.95; a date of birth qualifies", .enabled(if: SharedFixtures.enabled))
    func exact() throws {
        let screening = try #require(Self.screening)
        let chapo = screening.screen(name: "Joaquín Guzmán Loera")
        #expect(chapo.first?.entry.id == "OFAC-SDN:6861" && chapo.first?.isMatch == true)
        #expect(screening.screen(name: "guzman loera joaquin").first?.entry.id == "OFAC-SDN:6861")
        let byRFC = screening.screen(name: "Nombre Cualquiera", identifiers: ["AUAM-530929-AB1"])
        #expect(byRFC.first?.entry.id == "OFAC-SDN:7163" && byRFC.first?.score == 0.95 && byRFC.first?.reason == "RFC sin homoclave coincide")
        let born = screening.screen(name: "Miguel Aguilar Amao", birthDate: "1953-09-29").first { $0.entry.id == "OFAC-SDN:7163" }
        let otherYear = screening.screen(name: "Miguel Aguilar Amao", birthDate: "1990-01-01").first { $0.entry.id == "OFAC-SDN:7163" }
        #expect((born?.score ?? 0) > (otherYear?.score ?? 1))
    }

    @Test("A typo that changes two sounds (Marcela/Marcala) is still one typo; a listed nickname is found from the name; an RFC matches with or without homoclave on either side")
    func edges() {
        let entries = [
            ListEntry(id: "L:1", list: "L", kind: .individual, name: "RUIZ LOPEZ, Marcela"),
            ListEntry(id: "L:2", list: "L", kind: .individual, name: "PACO MENDEZ TREJO"),
            ListEntry(id: "L:3", list: "L", kind: .entity, name: "DISTRIBUIDORA MODELO", identifiers: [.init(type: "RFC", number: "DMO-910522")]),
            ListEntry(id: "L:4", list: "L", kind: .individual, name: "SOTO, Ana", identifiers: [.init(type: "RFC", number: "SOAA-800101-AB1")]),
        ]
        let screening = NameScreening(entries: entries)
        let marcela = screening.screen(name: "Marcala Ruiz Lopez").first
        #expect(marcela?.entry.id == "L:1" && marcela?.isMatch == true)
        #expect(screening.screen(name: "Francisco Méndez Trejo").first?.entry.id == "L:2")
        let company = screening.screen(name: "Otra", identifiers: ["DMO910522K11"]).first
        #expect(company?.entry.id == "L:3" && company?.score == 0.95 && company?.reason == "RFC sin homoclave coincide")
        #expect(screening.screen(name: "Otra", identifiers: ["SOAA800101"]).first?.entry.id == "L:4")
        let exact = screening.screen(name: "Otra", identifiers: ["SOAA800101AB1"]).first
        #expect(exact?.score == 1 && exact?.reason == "RFC idéntico")
    }

    /// Variants of a listed person's name as a client could write it: given name first with accents, surname first, the
    /// maternal surname left out, one typo, a nickname.
    static func variants(of entry: ListEntry, random: inout SeededRandom) -> [(kind: String, name: String)] {
        let parts = entry.name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return [] }
        let surnames = parts[0].split(separator: " ").map(String.init)
        let given = parts[1].split(separator: " ").map(String.init)
        guard !surnames.isEmpty, !given.isEmpty, surnames.count + given.count >= 2 else { return [] }
        func accented(_ word: String) -> String {
            let map: [Character: Character] = ["a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "A": "Á", "E": "É", "I": "Í", "O": "Ó", "U": "Ú"]
            var characters = Array(word)
            if let last = characters.lastIndex(where: { map[$0] != nil }) { characters[last] = map[characters[last]]! }
            return String(characters)
        }
        var result: [(String, String)] = [
            ("acentos", (given + surnames).map(accented).joined(separator: " ")),
            ("apellidos primero", (surnames + given).joined(separator: " ").lowercased()),
        ]
        if surnames.count >= 2 { result.append(("sin materno", (given + surnames.dropLast()).joined(separator: " "))) }
        var words = given + surnames
        if let index = words.indices.filter({ words[$0].count >= 5 }).max(by: { words[$0].count < words[$1].count }) {
            var letters = Array(words[index])
            let position = 1 + Int(random.next() % UInt64(letters.count - 2))
            let replacement = Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(random.next() % 26)))
            letters[position] = letters[position].lowercased() == String(replacement) ? (replacement == "e" ? "a" : "e") : replacement
            words[index] = String(letters)
            result.append(("errata", words.joined(separator: " ")))
        }
        let folded = given.map { NameText.tokens($0).first ?? "" }
        if let index = folded.indices.first(where: { name in SpanishNicknames.names.contains { $0.value.first == folded[name] } }),
            let nickname = SpanishNicknames.names.filter({ $0.value.first == folded[index] }).map(\.key).sorted().first {
            var nicknamed = given
            nicknamed[index] = nickname.capitalized
            result.append(("apodo", (nicknamed + surnames).joined(separator: " ")))
        }
        return result
    }

    @Test("Recall: variants of listed individuals' names (accents, order, missing maternal surname, a typo, a nickname) find their entry at the default threshold in ≥ 95 % of cases", .enabled(if: SharedFixtures.enabled))
    func recall() throws {
        let entries = try #require(Self.sdn)
        let screening = try #require(Self.screening)
        var random = SeededRandom(seed: 2026)
        let individuals = entries.filter { $0.kind == .individual && $0.name.contains(",") }
        var sample = individuals.filter { $0.programs.contains("SDNTK") }
        sample += individuals.filter { !$0.programs.contains("SDNTK") }.shuffled(using: &random).prefix(400)
        var found = 0, total = 0
        var missed: [String: Int] = [:], examples: [String] = []
        for entry in sample {
            for (kind, name) in Self.variants(of: entry, random: &random) {
                total += 1
                if screening.screen(name: name).contains(where: { $0.entry.id == entry.id && $0.isMatch }) {
                    found += 1
                } else {
                    missed[kind, default: 0] += 1
                    if examples.count < 15 { examples.append("\(kind): \(name) ← \(entry.name)") }
                }
            }
        }
        let recall = Double(found) / Double(total)
        #expect(total > 3_000)
        #expect(recall >= 0.95, "recall \(recall) (\(found) of \(total)); missed by kind \(missed); e.g. \(examples)")
    }

    static let givenNames = [
        "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Francisco", "Antonio", "Alejandro", "Jorge", "Fernando", "Ricardo", "Eduardo",
        "Roberto", "Daniel", "Sergio", "Manuel", "Javier", "Arturo", "Rafael", "Pedro", "Raúl", "Héctor", "Óscar", "Alberto", "Guadalupe",
        "María", "Ana", "Rosa", "Laura", "Patricia", "Leticia", "Gabriela", "Verónica", "Adriana", "Alejandra", "Claudia", "Silvia", "Sofía",
        "Mariana", "Fernanda", "Daniela", "Valeria", "Ximena", "Andrea", "Paola", "Elena", "Teresa", "Martha", "Yolanda", "Margarita",
    ]
    static let surnames = [
        "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez",
        "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo",
        "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán",
        "Velázquez", "Muñoz", "Rojas", "Salazar", "Contreras", "Luna", "Ortega", "Guerrero", "Estrada", "Bautista", "Cortés", "Soto",
        "Alvarado", "Espinoza", "Lara", "Ávila", "Ríos", "Cervantes", "Silva", "Delgado", "Vega", "Márquez", "Sandoval", "Fuentes", "Carrillo",
        "León", "Ayala", "Pacheco", "Escobar", "Zúñiga", "Nava", "Rangel", "Trejo", "Valdez", "Acosta", "Ibarra", "Solís", "Navarro",
    ]

    @Test("False hits: ordinary Mexican names (one or two given names, two surnames) reach the default threshold against the SDN list in ≤ 1 % of cases", .enabled(if: SharedFixtures.enabled))
    func falseHits() throws {
        let screening = try #require(Self.screening)
        var random = SeededRandom(seed: 11)
        var hits = 0, examples: [String] = []
        let count = 3_000
        for _ in 0..<count {
            var given = [random.element(Self.givenNames)]
            if random.next() % 3 == 0 { given.append(random.element(Self.givenNames)) }
            let name = (given + [random.element(Self.surnames), random.element(Self.surnames)]).joined(separator: " ")
            if let hit = screening.screen(name: name).first(where: \.isMatch) {
                hits += 1
                if examples.count < 15 { examples.append("\(name) → \(hit.matchedName) \(String(format: "%.3f", hit.score))") }
            }
        }
        #expect(Double(hits) / Double(count) <= 0.01, "\(hits) of \(count): \(examples)")
    }
}
