import CarteraCore
import Compliance
import Testing

@Suite("UIF report files: the 36-column SOFOM layout, validated before writing")
struct UIFReportTests {
    static let filer = UIFReport.Filer(entity: "123456", locality: "09015001", postalCode: "06000")
    static func cash(_ centavos: Int64 = 16_000_000) -> UIFReport.Operation {
        UIFReport.Operation(
            operationType: "09", instrument: "01", account: "ln_7f3a", amount: .mxn(centavos: centavos), date: CalendarDate(year: 2026, month: 8, day: 14)!,
            givenNames: "José María", paternalSurname: "Núñez", maternalSurname: "Peña; López", rfc: "NUPJ-800101-AB1", street: "Av. Juárez 10",
            neighbourhood: "Centro", cityCode: "09015001", activity: "8944098"
        )
    }

    @Test("A relevantes record: 36 fields, folio 000001, amount with two decimals, upper case, separators in text replaced; columns 14 and 29–36 empty")
    func relevant() throws {
        let text = try UIFReport.file(.relevant, period: UIFReport.period(.relevant, reportDate: CalendarDate(year: 2026, month: 9, day: 30)!), filer: Self.filer, operations: [Self.cash()]).get()
        #expect(text == "1;202609;000001;001002;123456;09015001;06000;09;01;LN_7F3A;160000.00;MXN;20260814;;1;1;;JOSÉ MARÍA;NÚÑEZ;PEÑA, LÓPEZ;NUPJ800101AB1;;;AV. JUÁREZ 10;CENTRO;09015001;;8944098;;;;;;;;\r\n")
        #expect(text.split(separator: ";", omittingEmptySubsequences: false).count == 36)
    }

    @Test("An empty quarter is one record with only columns 1, 2, 4 and 5")
    func nilReport() throws {
        let text = try UIFReport.file(.relevant, period: "202612", filer: Self.filer, operations: [], lineEnding: "\n").get()
        #expect(text == "1;202612;;001002;123456" + String(repeating: ";", count: 31) + "\n")
    }

    @Test("An inusual record carries its detection date, consecutive 00, description and reasons")
    func unusual() throws {
        var operation = Self.cash(14_000_000)
        operation.detected = CalendarDate(year: 2026, month: 8, day: 20)
        operation.description = "Tres pagos en efectivo\nen 30 días"
        operation.reasons = "Posible fraccionamiento"
        let text = try UIFReport.file(.unusual, period: "20260901", filer: Self.filer, operations: [operation]).get()
        #expect(text.hasSuffix("\r\n"))
        let fields = text.dropLast().split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == 36 && fields[0] == "2" && fields[1] == "20260901" && fields[13] == "20260820" && fields[28] == "00")
        #expect(fields[34] == "TRES PAGOS EN EFECTIVO EN 30 DÍAS" && fields[35] == "POSIBLE FRACCIONAMIENTO")
    }

    @Test("Every broken rule is reported with its row and column, and nothing is written")
    func refused() {
        var operation = Self.cash(0)
        operation.rfc = "ABC"
        operation.activity = "12"
        operation.date = CalendarDate(year: 2026, month: 10, day: 2)!
        operation.reasons = "no va en relevantes"
        guard case .failure(let list) = UIFReport.file(.relevant, period: "202609", filer: Self.filer, operations: [operation]) else {
            Issue.record("a file with broken rules was written")
            return
        }
        #expect(list.issues.map(\.column) == [11, 13, 35, 21, 28])
        #expect(list.issues.allSatisfy { $0.row == 1 })
        guard case .failure(let periods) = UIFReport.file(.relevant, period: "202608", filer: Self.filer, operations: []) else { return }
        #expect(periods.issues == [UIFReport.Issue(row: 0, column: 2, message: "el periodo de relevantes es el último mes de un trimestre (03, 06, 09 o 12)")])
        var late = Self.cash()
        late.description = "x"
        late.reasons = "y"
        guard case .failure(let unusual) = UIFReport.file(.unusual, period: "20260901", filer: Self.filer, operations: [late]) else { return }
        #expect(unusual.issues.map(\.message) == ["falta la fecha de detección"])
    }
}
