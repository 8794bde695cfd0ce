import CarteraCore
import CarteraTestSupport
import Lending
import LoanCollections
import Foundation
import Testing

@Suite("Delinquency buckets and the daily loan snapshot")
struct DelinquencyBucketsTests {
    @Test("The standard ranges: 0, 1–30, 31–60, 61–90, 91–120, more than 120 days")
    func standard() {
        let buckets = DelinquencyBuckets.standard
        #expect([0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 5_000, -3].map { buckets.bucket(for: $0).code } == ["0", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", "91-120", "91-120", "120+", "120+", "0"])
    }

    @Test("Ranges with a gap, an overlap, an open middle, a bounded last one or a repeated code are refused, each at its field")
    func refused() {
        func issues(_ buckets: [DelinquencyBuckets.Bucket]) -> [String] {
            do {
                _ = try DelinquencyBuckets(buckets)
                return []
            } catch {
                return error.issues.map(\.field)
            }
        }
        typealias B = DelinquencyBuckets.Bucket
        #expect(issues([]) == ["buckets"])
        #expect(issues([B(code: "0", label: "Al corriente", minDays: 0, maxDays: 0), B(code: "x", label: "Atraso", minDays: 2, maxDays: nil)]) == ["buckets[1].minDays"])
        #expect(issues([B(code: "0", label: "Al corriente", minDays: 0, maxDays: 5), B(code: "x", label: "Atraso", minDays: 3, maxDays: nil)]) == ["buckets[1].minDays"])
        #expect(issues([B(code: "0", label: "Al corriente", minDays: 0, maxDays: nil), B(code: "x", label: "Atraso", minDays: 1, maxDays: nil)])
            == ["buckets[0].maxDays", "buckets[1].minDays"])
        #expect(issues([B(code: "0", label: "Al corriente", minDays: 0, maxDays: 0), B(code: "0", label: "Atraso", minDays: 1, maxDays: 9)])
            == ["buckets[1].code", "buckets[1].maxDays"])
        #expect(issues([B(code: "0", label: "Al corriente", minDays: 0, maxDays: 0), B(code: "30+", label: "Más de 30", minDays: 1, maxDays: nil)]) == [])
    }

    @Test("Stored as JSON and read back; JSON with bad ranges is refused")
    func codable() throws {
        let data = try JSONEncoder().encode(DelinquencyBuckets.standard)
        #expect(try JSONDecoder().decode(DelinquencyBuckets.self, from: data) == .standard)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(DelinquencyBuckets.self, from: Data(#"[{"code":"a","label":"A","minDays":1,"maxDays":null}]"#.utf8))
        }
    }

    static let start = CalendarDate(text: "2026-01-15")!
    static let product = Product(
        code: "P", name: "Prueba", annualRate: .percent(24), frequency: .mensual, method: .french, minimumAmount: .mxn(centavos: 100),
        maximumAmount: .mxn(centavos: 100_000_000_00), minimumTerm: 1, maximumTerm: 36
    )

    @Test("One installment of 10,000.00 at 24 % due 2026-02-15, unpaid: 30 days late it owes 200.00 + 32.00 interest and 300.00 + 48.00 moratorium; vencida only after 90 days")
    func snapshot() throws {
        let terms = try LoanTerms.make(product: Self.product, amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: Self.start)
        func snapshot(_ date: String) throws -> LoanSnapshot {
            let day = CalendarDate(text: date)!
            let position = try LoanReplay.position(terms: terms, events: [], asOf: day)
            return LoanSnapshot(position: position, date: day, loanID: "ln_1", clientID: "cl_1", productCode: "P", restructured: false, buckets: .standard)
        }
        let due = try snapshot("2026-02-15")
        #expect(due.daysPastDue == 0 && due.bucket == "0" && due.overduePrincipal == 0 && due.installmentsOverdue == 0 && due.amountDue == 1_023_200)
        let late = try snapshot("2026-03-17")
        #expect(late.daysPastDue == 30 && late.bucket == "1-30" && !late.nonPerforming)
        #expect(late.principalOutstanding == 1_000_000 && late.overduePrincipal == 1_000_000 && late.overdueInterest == 23_200 && late.overdueCharges == 34_800)
        #expect(late.amountDue == 1_058_000 && late.installmentsOverdue == 1 && late.nextDueDate == nil && late.disbursedOn == Self.start)
        let ninety = try snapshot("2026-05-16")
        #expect(ninety.daysPastDue == 90 && ninety.bucket == "61-90" && !ninety.nonPerforming)
        let vencida = try snapshot("2026-05-17")
        #expect(vencida.daysPastDue == 91 && vencida.bucket == "91-120" && vencida.nonPerforming)
    }

    @Test("A product that makes loans vencida after 30 days: 31 days late the snapshot is cartera vencida; out-of-range days are refused")
    func nonPerformingRule() throws {
        var product = Self.product
        product.nonPerformingAfterDays = 30
        #expect(product.issues().isEmpty)
        let terms = try LoanTerms.make(product: product, amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: Self.start)
        #expect(terms.nonPerformingAfterDays == 30)
        let day = CalendarDate(text: "2026-03-18")!
        let position = try LoanReplay.position(terms: terms, events: [], asOf: day)
        let snapshot = LoanSnapshot(position: position, date: day, loanID: "ln_1", clientID: "cl_1", productCode: "P", restructured: false, buckets: .standard)
        #expect(snapshot.daysPastDue == 31 && snapshot.nonPerforming && snapshot.bucket == "31-60")
        product.nonPerformingAfterDays = 0
        #expect(product.issues().map(\.field) == ["nonPerformingAfterDays"])
        #expect(try LoanTerms.make(product: Self.product, amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: Self.start).nonPerformingAfterDays == 90)
    }
}
