import CarteraCore
import Foundation
import Reconciliation
import Testing

/// Bank CSV exports through the BBVA, Banorte and Santander profiles. No bank publishes sample files: these are
/// written to each bank's published column layout (see `notes/spei-and-banks.md` §6.4) with made-up movements.
@Suite("Bank CSV statements")
struct BankCSVParserTests {
    static let bbva = """
        FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO
        25/11/2026,SPEI RECIBIDO BANORTE / 0041782016 PAGO CREDITO LN 123,,"12,500.00","112,500.00"
        25/11/2026,PAGO CUENTA DE TERCERO / 0041782016 BNET 0113831760,"-2,500.00",,"100,000.00"
        26/11/2026,SPEI RECIBIDO BANORTE / 0041782016 PAGO CREDITO LN 123,,"12,500.00","112,500.00"
        26/11/2026,SPEI RECIBIDO BANORTE / 0041782016 PAGO CREDITO LN 123,,"12,500.00","112,500.00"
        """

    @Test("A large file read in parts gives exactly what one reader gives: same entries, order, keys and the first error's line")
    func readInParts() throws {
        var text = "FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n"
        for row in 0..<6_000 {
            let day = 1 + row % 28
            // Every 7th row repeats an earlier one (identical rows across the parts' cuts); every 11th has a quoted line break.
            // Every 13th has a stray quote inside an unquoted field (O"BRIEN), which misleads a cut that counts quotes.
            let concept = row % 11 == 0 ? "\"SPEI RECIBIDO\nLINEA \(row % 50)\"" : row % 13 == 0 ? "PAGO O\"BRIEN \(row)" : "SPEI RECIBIDO \(row % 7 == 0 ? 0 : row)"
            text += "\(String(format: "%02d", day))/11/2026,\(concept),,\"\(row % 90 + 1),250.00\",\n"
        }
        let data = Data(text.utf8)
        let one = try BankCSVParser.parse(data, profile: .bbva, account: "012180001234567897", workers: 1)
        for workers in [2, 3, 7] {
            let parts = try BankCSVParser.parse(data, profile: .bbva, account: "012180001234567897", workers: workers)
            #expect(parts == one, "\(workers) parts")
        }
        #expect(one.entries.count == 6_000 && Set(one.entries.map(\.naturalKey)).count == 6_000)
        // A bad row late in the file: the same error, on the same line, however it is read.
        let broken = Data((text + "31/02/2026,MAL,,1.00,\n" + "01/12/2026,BIEN,,1.00,\n").utf8)
        var messages: [String] = []
        for workers in [1, 4] {
            do {
                _ = try BankCSVParser.parse(broken, profile: .bbva, account: "012180001234567897", workers: workers)
            } catch {
                messages.append("\(error.code) \(error.location ?? "")")
            }
        }
        #expect(messages.count == 2 && messages[0] == messages[1] && messages[0].hasPrefix("csv_date_invalid"))
        let lines = text.filter { $0 == "\n" }.count
        #expect(messages.first?.hasSuffix("línea \(lines + 1)") == true, "\(messages)")
    }

    @Test("BBVA: split cargo/abono columns written with thousands separators and a minus on the cargo; two identical rows stay two")
    func bbva() throws {
        let statement = try BankCSVParser.parse(Data(Self.bbva.utf8), profile: .bbva, account: "012180001234567897")
        #expect(statement.entries.map(\.amount) == [1_250_000, -250_000, 1_250_000, 1_250_000])
        #expect(statement.entries[0].bookingDate == CalendarDate(year: 2026, month: 11, day: 25) && statement.entries[0].description?.hasPrefix("SPEI RECIBIDO") == true)
        let keys = statement.entries.map(\.naturalKey)
        #expect(Set(keys).count == 4 && keys[2] != keys[3] && keys[2].dropLast() == keys[3].dropLast())
        // The same file read again gives the same keys (importing it twice adds nothing).
        #expect(try BankCSVParser.parse(Data(Self.bbva.utf8), profile: .bbva, account: "012180001234567897").entries.map(\.naturalKey) == keys)
    }

    @Test("Banorte in Latin-1 with a preamble, accents in the headers, `-` for empty amounts, a reference and the detailed description")
    func banorteLatin1() throws {
        let text = """
            Banorte - Consulta de movimientos
            Cuenta: 0123456789
            FECHA,REFERENCIA,DESCRIPCIÓN,COD. TRANSAC,SUCURSAL,DEPÓSITOS,RETIROS,SALDO,MOVIMIENTO,DESCRIPCIÓN DETALLADA
            20/11/2026,8846512,DEPOSITO SPEI,1234,0001,"3,450.75",-,"53,450.75",1,"CUENTA: 002180700000000011 RFC: LOPA800101AB1 PAGO ANA LÓPEZ"
            21/11/2026,8846513,COMISION,5678,0001,-,150.00,"53,300.75",2,COMISION POR MANEJO
            """
        let latin1 = try #require(text.data(using: .isoLatin1))
        #expect(String(data: latin1, encoding: .utf8) == nil)  // really Latin-1
        let statement = try BankCSVParser.parse(latin1, profile: .banorte, account: "0123456789")
        #expect(statement.entries.map(\.amount) == [345_075, -15_000])
        #expect(statement.entries[0].bankReference == "8846512" && statement.entries[0].remittance?.contains("ANA LÓPEZ") == true)
    }

    @Test("Santander: apostrophe-guarded compact dates, an unsigned amount with a +/- column, the beneficiary's CLABE and name")
    func santander() throws {
        let text = """
            Fecha,Hora,Descripcion,Cargo/Abono,Importe,Saldo,Referencia,Concepto,Clabe Beneficiario,Nombre Beneficiario
            '25112026,10:31,ABONO SPEI,+,"1,000.00","5,000.00",7788,PAGO LN 77,012180001234567897,ANA LOPEZ
            '26112026,09:02,CARGO SPEI,-,250.50,"4,749.50",7789,RENTA,002180700000000011,INMOBILIARIA SA
            """
        let statement = try BankCSVParser.parse(Data(text.utf8), profile: .santander, account: "014180655000000001")
        #expect(statement.entries.map(\.amount) == [100_000, -25_050])
        #expect(statement.entries[0].bookingDate == CalendarDate(year: 2026, month: 11, day: 25))
        #expect(statement.entries[1].counterpartyName == "INMOBILIARIA SA" && statement.entries[1].counterpartyAccount == "002180700000000011")
        #expect(statement.entries[0].remittance == "PAGO LN 77" && statement.entries[0].bankReference == "7788")
        // A mark that is neither a charge nor a deposit is refused, never guessed.
        let odd = text.replacingOccurrences(of: ",-,250.50", with: ",?,250.50")
        #expect { try BankCSVParser.parse(Data(odd.utf8), profile: .santander, account: "X") } throws: {
            ($0 as? StatementError)?.code == "csv_mark_invalid" && ($0 as? StatementError)?.location == "línea 3"
        }
    }

    @Test("A lender's own profile: semicolons and one signed amount column")
    func customProfile() throws {
        let profile = CSVProfile(name: "mibanco", delimiter: ";", date: "Fecha", dateStyle: .iso, amounts: .signed("Monto"), description: "Detalle")
        let text = "Fecha;Detalle;Monto\n2026-11-20;Pago;1.250,00\n"
        // A decimal comma is not this profile's: refused with the line, not read as 1.25.
        #expect(throws: StatementError.self) { try BankCSVParser.parse(Data(text.utf8), profile: profile, account: "X") }
        let statement = try BankCSVParser.parse(Data("Fecha;Detalle;Monto\n2026-11-20;Pago;-1250.00\n".utf8), profile: profile, account: "X")
        #expect(statement.entries.map(\.amount) == [-125_000])
    }

    @Test("Refused with the line at fault", arguments: [
        ("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n31/02/2026,X,,1.00,1.00\n", "csv_date_invalid", "línea 2"),
        ("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n01/02/2026,X,,uno,1.00\n", "csv_amount_invalid", "línea 2"),
        ("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n01/02/2026,X,5.00,1.00,1.00\n", "csv_amount_ambiguous", "línea 2"),
        ("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n01/02/2026,X,,,1.00\n", "csv_amount_missing", "línea 2"),
        ("Fecha,Importe\n01/02/2026,1.00\n", "csv_header_missing", "línea 1"),
    ])
    func refused(text: String, code: String, place: String) {
        #expect {
            try BankCSVParser.parse(Data(text.utf8), profile: .bbva, account: "X")
        } throws: { error in
            (error as? StatementError)?.code == code && (error as? StatementError)?.location == place
        }
    }

    @Test("Totals after the movements (no date) end the rows")
    func footer() throws {
        let text = Self.bbva + "\nTOTAL,,\"-2,500.00\",\"37,500.00\",\n"
        #expect(try BankCSVParser.parse(Data(text.utf8), profile: .bbva, account: "X").entries.count == 4)
    }
}
