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

/// A payment's answer is written by hand on the posting path; it must be exactly what the general encoder writes.
struct PaymentRecordJSONTests {
    static let pieces: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{01}", "\u{1F}", "\u{7F}", "é", "ñ", "€", "😀", "\u{2028}", "ref-123", "</script>"]

    static func text(_ random: inout SeededRandom) -> String {
        (0..<Int(random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    static func optional(_ random: inout SeededRandom) -> String? {
        random.next() % 3 == 0 ? nil : text(&random)
    }

    @Test func matchesTheGeneralEncoder() throws {
        var random = SeededRandom(seed: 11)
        for _ in 0..<300 {
            let lines = (0..<Int(random.next() % 4)).map { _ in
                LoanBook.PaymentRecord.Line(installment: random.next() % 2 == 0 ? nil : Int(random.next() % 500), component: Self.text(&random), amount: Self.text(&random))
            }
            let reversal = random.next() % 3 == 0
                ? LoanBook.PaymentRecord.Reversal(at: Self.text(&random), by: Self.text(&random), reason: Self.text(&random), entryId: Self.text(&random)) : nil
            let record = LoanBook.PaymentRecord(
                id: Self.text(&random), loanId: Self.text(&random), kind: Self.text(&random), sequence: Int64(bitPattern: random.next()),
                valueDate: Self.text(&random), amount: Self.text(&random), channel: Self.optional(&random), reference: Self.optional(&random),
                excess: Self.optional(&random), allocation: lines, entryId: Self.text(&random), recordedAt: Self.text(&random),
                recordedBy: Self.text(&random), reversal: reversal,
                loanStatus: random.next() % 3 == 0 ? nil : LoanStatus.allCases[Int(random.next() % UInt64(LoanStatus.allCases.count))]
            )
            let expected = try LoanBook.jsonEncoder.encode(record)
            #expect(record.json() == expected, "\(String(decoding: expected, as: UTF8.self))")
        }
    }
}
