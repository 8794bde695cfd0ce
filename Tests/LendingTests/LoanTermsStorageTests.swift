import CarteraCore
import Foundation
import Testing

@testable import Lending

@Suite("Loan terms as stored")
struct LoanTermsStorageTests {
    /// The shape terms were stored in before: the schedule as an array of installment objects.
    struct EarlierShape: Encodable {
        let product: Product
        let amount: Money
        let principal: Money
        let term: Int
        let disbursementDate: CalendarDate
        let openingFee: Money
        let openingFeeIva: Money
        let disbursed: Money
        let schedule: [Installment]
        let cat: String?
        let nonPerformingAfterDays: Int
    }

    static func samples() throws -> [LoanTerms] {
        var terms: [LoanTerms] = []
        var random = SplitMix64(seed: 12)
        for frequency in [Frequency.mensual, .quincenal, .semanal] {
            for method in [AmortizationMethod.french, .german] {
                for _ in 0..<5 {
                    let amount = Money.mxn(centavos: Int64(random.next() % 50_000_000) + 100_000)
                    let term = Int(random.next() % 36) + 1
                    let product = LoanReplayTests.product(rate: Int64(random.next() % 120) + 1, frequency: frequency, method: method)
                    terms.append(try LoanTerms.make(product: product, amount: amount, term: term, disbursementDate: LoanReplayTests.start.adding(days: Int64(random.next() % 400))))
                }
            }
        }
        return terms
    }

    @Test("The schedule is stored as compact integer rows and read back exactly; a golden row")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for terms in try Self.samples() {
            let text = String(decoding: try encoder.encode(terms), as: UTF8.self)
            #expect(text.contains("\"scheduleRows\":\"1,") && !text.contains("\"schedule\":"))
            #expect(try JSONDecoder().decode(LoanTerms.self, from: Data(text.utf8)) == terms)
        }
        let one = try LoanTerms.make(product: LoanReplayTests.product(), amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: LoanReplayTests.start)
        let row = one.schedule[0]
        #expect(LoanTerms.rows(one.schedule) == "1,\(row.dueDate.text),\(row.payment.minorUnits),1000000,\(row.interest.minorUnits),\(row.iva.minorUnits),0")
        #expect(row.principal.minorUnits == 1_000_000 && row.payment == row.principal + row.interest + row.iva)
    }

    @Test("Terms read directly from their stored text equal terms decoded by JSONDecoder; other shapes are left to it")
    func readDirectly() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var products = 0
        func product(_ text: Substring) -> Product? {
            products += 1
            return try? JSONDecoder().decode(Product.self, from: Data(text.utf8))
        }
        var random = SplitMix64(seed: 5)
        for terms in try Self.samples() {
            let text = String(decoding: try encoder.encode(terms), as: UTF8.self)
            #expect(LoanTerms.stored(text, product: product) == terms)
            // Mutated texts: never a different reading — either nothing (left to JSONDecoder) or what JSONDecoder reads.
            for _ in 0..<40 {
                var bytes = Array(text.utf8)
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.remove(at: at)
                case 1:
                    let alphabet = Array(#"0123456789,;-"{}[]:\ x"#.utf8)
                    bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                default: bytes.insert(Array("9;,-".utf8)[Int(random.next() % 4)], at: at)
                }
                let mutated = String(decoding: bytes, as: UTF8.self)
                if let direct = LoanTerms.stored(mutated, product: product) {
                    #expect(direct == (try? JSONDecoder().decode(LoanTerms.self, from: Data(mutated.utf8))), "\(mutated)")
                }
            }
        }
        #expect(products > 0)
        let one = try Self.samples()[0]
        let text = String(decoding: try encoder.encode(one), as: UTF8.self)
        // The product comes from the caller: none, nothing read.
        #expect(LoanTerms.stored(text, product: { _ in nil }) == nil)
        // Without a CAT, and with a null one.
        var noCAT = one
        noCAT.cat = nil
        let withoutCAT = String(decoding: try encoder.encode(noCAT), as: UTF8.self)
        #expect(!withoutCAT.contains("\"cat\"") && LoanTerms.stored(withoutCAT, product: product) == noCAT)
        #expect(LoanTerms.stored(withoutCAT.replacingOccurrences(of: "\"disbursed\"", with: "\"cat\":null,\"disbursed\""), product: product) == noCAT)
        // Shapes left to JSONDecoder: an unknown member, an escaped string, the schedule as objects, pretty-printed is fine.
        #expect(LoanTerms.stored(text.replacingOccurrences(of: "\"term\"", with: "\"extra\":1,\"term\""), product: product) == nil)
        #expect(LoanTerms.stored(text.replacingOccurrences(of: "\"disbursementDate\":\"", with: "\"disbursementDate\":\"\\u0032"), product: product) == nil)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        #expect(LoanTerms.stored(String(decoding: try encoder.encode(one), as: UTF8.self), product: product) == one)
    }

    @Test("Terms stored before (the schedule as objects) are still read; malformed rows are refused")
    func earlierShape() throws {
        for terms in try Self.samples() {
            let earlier = EarlierShape(
                product: terms.product, amount: terms.amount, principal: terms.principal, term: terms.term, disbursementDate: terms.disbursementDate,
                openingFee: terms.openingFee, openingFeeIva: terms.openingFeeIva, disbursed: terms.disbursed, schedule: terms.schedule, cat: terms.cat,
                nonPerformingAfterDays: terms.nonPerformingAfterDays
            )
            #expect(try JSONDecoder().decode(LoanTerms.self, from: try JSONEncoder().encode(earlier)) == terms)
            #expect(LoanTerms.stored(String(decoding: try JSONEncoder().encode(earlier), as: UTF8.self), product: { _ in terms.product }) == nil)
        }
        let terms = try Self.samples()[0]
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(terms)) as? [String: Any])
        for malformed in ["1,2026-02-15,100", "1,2026-02-30,1,1,0,0,0", "x,2026-02-15,1,1,0,0,0", "1,2026-02-15,1,1,0,0,0;"] {
            object["scheduleRows"] = malformed
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(LoanTerms.self, from: try JSONSerialization.data(withJSONObject: object)) }
            #expect(LoanTerms.stored(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self), product: { _ in terms.product }) == nil)
            #expect(LoanTerms.parseRows(malformed, currency: .mxn) == nil)
        }
        #expect(LoanTerms.parseRows("", currency: .mxn) == [])
    }
}
