@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import Lending
import Testing

/// The allocation text written on the posting path must be exactly what the general JSON encoder writes, since both
/// kinds of stored text are read back by the same decoder and compared by auditors.
struct AllocationJSONTests {
    @Test func matchesTheGeneralEncoderForEveryComponentAndCurrency() throws {
        var random = SeededRandom(seed: 4)
        for _ in 0..<200 {
            let lines = (0..<Int(random.next() % 6)).map { _ in
                AllocationLine(
                    installment: random.next() % 3 == 0 ? nil : Int(random.next() % 400),
                    component: AllocationLine.Component.allCases[Int(random.next() % UInt64(AllocationLine.Component.allCases.count))],
                    amount: Money(minorUnits: Int64(bitPattern: random.next()) % 10_000_000_000, currency: [Currency.mxn, .usd, .udi][Int(random.next() % 3)])
                )
            }
            let expected = String(decoding: try TermsCache.encoder.encode(lines), as: UTF8.self)
            #expect(AllocationLine.storedJSON(lines) == expected)
            #expect(try JSONDecoder().decode([AllocationLine].self, from: Data(AllocationLine.storedJSON(lines).utf8)) == lines)
        }
    }

    @Test func writesAKnownAllocation() {
        let lines = [
            AllocationLine(installment: 2, component: .interest, amount: Money(minorUnits: 86, currency: .mxn)),
            AllocationLine(installment: nil, component: .advance, amount: Money(minorUnits: -5, currency: .mxn)),
        ]
        #expect(
            AllocationLine.storedJSON(lines)
                == #"[{"amount":{"currency":"MXN","minorUnits":86},"component":"interest","installment":2},{"amount":{"currency":"MXN","minorUnits":-5},"component":"advance"}]"#
        )
        #expect(AllocationLine.storedJSON([]) == "[]")
    }
}
