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

    @Test("Terms decoded with their product handed in equal terms decoded whole; the product's text is found in the stored terms")
    func decodedProduct() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for terms in try Self.samples() {
            let text = String(decoding: try encoder.encode(terms), as: UTF8.self)
            let productText = try #require(JSONMember.text(of: "product", in: text))
            let product = try JSONDecoder().decode(Product.self, from: Data(productText.utf8))
            #expect(product == terms.product)
            let decoder = JSONDecoder()
            decoder.userInfo[LoanTerms.decodedProduct] = product
            #expect(try decoder.decode(LoanTerms.self, from: Data(text.utf8)) == terms)
        }
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
        }
        let terms = try Self.samples()[0]
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(terms)) as? [String: Any])
        for malformed in ["1,2026-02-15,100", "1,2026-02-30,1,1,0,0,0", "x,2026-02-15,1,1,0,0,0", "1,2026-02-15,1,1,0,0,0;"] {
            object["scheduleRows"] = malformed
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(LoanTerms.self, from: try JSONSerialization.data(withJSONObject: object)) }
        }
        #expect(LoanTerms.parseRows("", currency: .mxn) == [])
    }
}
