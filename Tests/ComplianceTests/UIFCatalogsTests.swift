import Compliance
import Testing

@Suite("UIF catalogues: the lender's activity and locality keys")
struct UIFCatalogsTests {
    @Test("Looked up without accents, case or extra spaces; malformed keys, unknown catalogues and conflicting rows are refused with their line")
    func parse() throws {
        let catalogs = try UIFCatalogs.parse(Array("catalogo,texto,clave\nactividad,Comerciante en pequeño,8944098\nlocalidad,\"Xalapa, VZ\",30087001\nactividad,comerciante en pequeno,8944098\n".utf8))
        #expect(catalogs.activity("  COMERCIANTE   EN PEQUEÑO ") == "8944098" && catalogs.activity("Comerciante") == nil)
        #expect(catalogs.locality(city: "xalapa", state: "vz") == "30087001" && catalogs.locality(city: "Xalapa", state: "DF") == nil)
        func failure(_ text: String) -> UIFCatalogs.Invalid? {
            do { _ = try UIFCatalogs.parse(Array(text.utf8)); return nil } catch { return error }
        }
        #expect(failure("texto,clave\n")?.line == 1)
        #expect(failure("catalogo,texto,clave\nactividad,Comerciante,894409\n")?.reason == "la clave de actividad tiene 7 dígitos")
        #expect(failure("catalogo,texto,clave\nmoneda,Peso,MXN\n")?.line == 2)
        #expect(failure("catalogo,texto,clave\nactividad,Comerciante,8944098\nactividad,COMERCIANTE,8944099\n")?.line == 3)
    }
}
