import CarteraCore
import Compliance
import Testing

@Suite("Exchange-rate files: Banxico's SIE export and plain CSV")
struct ExchangeRateFileTests {
    @Test("The SIE export's title lines are skipped, N/E days left out, rates kept exactly in millionths; plain CSV with ISO dates too")
    func reads() throws {
        let sie = """
            "Banco de México"
            ""
            "Tipo de cambio"
            "Título","Tipo de cambio Pesos por dólar E.U.A. Para solventar obligaciones denominadas en moneda extranjera Fecha de determinación (FIX)"
            "Periodo disponible","12/11/1991 - 27/11/2026"
            "Fecha","SF43718"
            "24/11/2026","18.4312"
            "25/11/2026","N/E"
            "26/11/2026","18.5"
            "27/11/2026","18.123456"

            """
        let rates = try ExchangeRateFile.parse(Array(sie.utf8))
        #expect(rates.map(\.date.text) == ["2026-11-24", "2026-11-26", "2026-11-27"])
        #expect(rates.map(\.pesoMillionthsPerDollar) == [18_431_200, 18_500_000, 18_123_456])
        let plain = try ExchangeRateFile.parse(Array("\u{FEFF}fecha,tipo_de_cambio\n2026-11-27,18.1234\n2026-11-27,18.1234\n".utf8))
        #expect(plain == [ExchangeRates.Rate(date: CalendarDate(text: "2026-11-27")!, pesoMillionthsPerDollar: 18_123_400)])
    }

    @Test("A bad date, a bad rate, a decimal comma, seven decimals, a day twice with two rates or no header reject the file with its line")
    func rejects() {
        func failure(_ text: String) -> ExchangeRateFile.Invalid? {
            do { _ = try ExchangeRateFile.parse(Array(text.utf8)); return nil } catch { return error }
        }
        #expect(failure("Fecha,FIX\n31/02/2026,18.1\n")?.line == 2)
        #expect(failure("Fecha,FIX\n27/11/2026,18,1\n")?.reason.contains("coma decimal") == true)
        #expect(failure("Fecha,FIX\n27/11/2026,dieciocho\n")?.reason.contains("no es un tipo de cambio") == true)
        #expect(failure("Fecha,FIX\n27/11/2026,18.1234567\n")?.line == 2)
        #expect(failure("Fecha,FIX\n27/11/2026,18.1\n27/11/2026,18.2\n")?.reason == "el 2026-11-27 aparece dos veces con tipos de cambio distintos")
        #expect(failure("27/11/2026,18.1\n")?.reason.contains("Fecha") == true)
        #expect(failure("Fecha,FIX\n25/11/2026,N/E\n")?.reason == "no hay ningún tipo de cambio")
    }
}
