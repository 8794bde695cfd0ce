import CarteraCore
import CreditBureau
import Testing

@Suite("Buró de Crédito INTF tape")
struct BuroTapeTests {
    static let member = BuroTape.Member(code: "ZZ12345678", name: "Financiera Prueba SA")
    static let reportDate = CalendarDate(text: "2026-09-30")!

    static func account() -> BuroTape.Account {
        BuroTape.Account(
            paternalSurname: "Hernández", maternalSurname: "García", givenNames: "Gloria María", birthDate: CalendarDate(text: "1956-04-27")!, rfc: "HEGG560427AB1",
            sex: "M", street: "Av. Juárez 120", neighborhood: "Centro", municipality: "Xalapa", city: "Xalapa", state: "VER", postalCode: "91000",
            phone: "+52 228 123 4567", accountNumber: "abc123", numberOfPayments: 12, frequency: .monthly, paymentAmount: 123_456,
            openedOn: CalendarDate(text: "2026-01-15")!, lastPaymentOn: CalendarDate(text: "2026-09-15")!, originalAmount: 1_000_000, currentBalance: 550_049,
            pastDueBalance: 123_450, paymentsPastDue: 1, daysPastDue: 45, firstDefaultOn: CalendarDate(text: "2026-09-16")!
        )
    }

    @Test("One account: header, the PN/PA/TL segments field by field (tag, length, value), trailer with totals in whole pesos")
    func golden() throws {
        let text = try BuroTape.file(member: Self.member, reportDate: Self.reportDate, accounts: [Self.account()]).get()
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0] == ("INTF11ZZ12345678FINANCIERA PRUEB  30092026" + String(repeating: " ", count: 150 - 42)))
        #expect(lines[1] == [
            "PN09HERNANDEZ", "0006GARCIA", "0206GLORIA", "0305MARIA", "040827041956", "0513HEGG560427AB1", "0802MX", "1201F",
            "PA14AV. JUAREZ 120", "0106CENTRO", "0206XALAPA", "0306XALAPA", "0403VER", "050591000", "07102281234567",
            "TL02TL", "0110ZZ12345678", "0216FINANCIERA PRUEB", "0406ABC123", "0501I", "0601I", "0702PL", "0802MX", "100212", "1101M", "12041235",
            "130815012026", "140815092026", "150815012026", "170830092026", "210510000", "22045500", "24041235", "25011", "260203", "430816092026", "9903FIN",
        ].joined())
        #expect(lines[2] == ("TRLR" + "00000000005500" + "00000000001235" + "0000001" + "0000001" + "0000001" + "FINANCIERA PRUEB" + String(repeating: " ", count: 150 - 69)))
    }

    @Test("MOP from days past due at each boundary; a written-off account is 97")
    func mop() {
        let cases: [(Int, String)] = [(0, "01"), (1, "02"), (29, "02"), (30, "03"), (59, "03"), (60, "04"), (89, "04"), (90, "05"), (119, "05"), (120, "06"), (149, "06"), (150, "07"), (359, "07"), (360, "96")]
        for (days, code) in cases { #expect(BuroTape.mop(daysPastDue: days) == code, "\(days)") }
        #expect(BuroTape.mop(daysPastDue: 10, writtenOff: true) == "97")
    }

    @Test("A missing surname, a bad postal code, past due over the balance or no member code stop the tape, each named")
    func issues() {
        var bad = Self.account()
        bad.paternalSurname = " "
        bad.postalCode = "9100"
        var owed = Self.account()
        owed.pastDueBalance = 10_000_000
        guard case .failure(let failure) = BuroTape.file(member: BuroTape.Member(code: "", name: "X"), reportDate: Self.reportDate, accounts: [bad, owed]) else {
            Issue.record("the tape was written")
            return
        }
        #expect(failure.issues.map(\.account) == [0, 1, 1, 2])
        #expect(failure.issues.map(\.message).contains("el código postal tiene 5 dígitos"))
    }
}
