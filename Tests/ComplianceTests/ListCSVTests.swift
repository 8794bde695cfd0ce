import CarteraCore
import Compliance
import Testing

@Suite("A lender's own list as CSV (LPB, PEP, internal)")
struct ListCSVTests {
    @Test("Columns in any order, commas or semicolons, aliases and programs by «|», identifiers normalised; the entries screen by alias and RFC")
    func parse() throws {
        let text = """
            nombre,id,tipo,alias,rfc,fecha_nacimiento,programa,otra
            "PÉREZ LÓPEZ, Juan Carlos",17,persona,Juanca Pérez|El Güero,PELJ-800101-AB1,1980-01-01,LPB|UIF,x
            Comercializadora Ñandú S.A. de C.V.,18,entidad,,CNA-010101-XY2,,LPB,
            \n
            """
        let entries = try ListCSV.parse(Array(text.utf8), list: "LPB")
        #expect(entries.count == 2)
        #expect(entries[0] == ListEntry(
            id: "LPB:17", list: "LPB", kind: .individual, name: "PÉREZ LÓPEZ, Juan Carlos", aliases: ["Juanca Pérez", "El Güero"], programs: ["LPB", "UIF"],
            identifiers: [ListEntry.Identifier(type: "RFC", number: "PELJ800101AB1")], birthDates: ["1980-01-01"]
        ))
        #expect(entries[1].kind == .entity && entries[1].identifiers.map(\.number) == ["CNA010101XY2"] && entries[1].birthDates.isEmpty)
        let semicolons = try ListCSV.parse(Array("id;nombre\n1;Ana Ruiz\n".utf8), list: "PEP")
        #expect(semicolons.map(\.id) == ["PEP:1"] && semicolons[0].name == "Ana Ruiz")

        let screening = NameScreening(entries: entries)
        #expect(screening.screen(name: "Juan Carlos Pérez López").first?.entry.id == "LPB:17")
        #expect(screening.screen(name: "Juanca Perez").first?.isMatch == true)
        #expect(screening.screen(name: "Otra Persona", identifiers: ["PELJ800101AB1"]).first?.reason == "RFC idéntico")
        #expect(screening.screen(name: "Comercializadora Nandu SA de CV").first?.entry.id == "LPB:18")
    }

    @Test("Each bad file names its line and what to fix: no id/nombre columns, an empty file, a repeated id, an unknown tipo, a bad date, a short row, a row without a name")
    func refused() {
        func failure(_ text: String) -> ListCSV.Failure? {
            do { _ = try ListCSV.parse(Array(text.utf8), list: "LPB"); return nil } catch { return error }
        }
        #expect(failure("nombre,rfc\nAna,X\n")?.reason.hasPrefix("faltan las columnas id y nombre") == true)
        #expect(failure("")?.line == 1)
        #expect(failure("id,nombre\n1,Ana\n1,Beto\n") == ListCSV.Failure(line: 3, reason: "el id 1 se repite"))
        #expect(failure("id,nombre,tipo\n1,Ana,barco\n") == ListCSV.Failure(line: 2, reason: "tipo «barco»: use persona o entidad"))
        #expect(failure("id,nombre,fecha_nacimiento\n1,Ana,01/02/1980\n") == ListCSV.Failure(line: 2, reason: "fecha_nacimiento «01/02/1980»: use AAAA-MM-DD o el año"))
        #expect(failure("id,nombre,rfc\n1,Ana\n") == ListCSV.Failure(line: 2, reason: "tiene 2 columnas y el encabezado 3"))
        #expect(failure("id,nombre\n1, . \n") == ListCSV.Failure(line: 2, reason: "falta el nombre"))
        #expect(failure("id,nombre\n1,\"Ana\n") == ListCSV.Failure(line: 2, reason: "unas comillas no se cierran"))
        #expect(ListCSV.Failure(line: 3, reason: "el id 1 se repite").message.contains("línea 3"))
    }
}
