import CarteraCore
import Lending
import Testing

@Suite("Products")
struct ProductTests {
    static var personal: Product {
        Product(
            code: "PERSONAL-24", name: "Crédito personal", annualRate: .percent(60), frequency: .mensual,
            minimumAmount: Money.mxn(centavos: 500_000), maximumAmount: Money.mxn(centavos: 5_000_000), minimumTerm: 6, maximumTerm: 36,
            openingFee: .percent(.percent(2))
        )
    }

    @Test("A sound product has no issues; the defaults are the documented ones")
    func defaults() {
        let product = Self.personal
        #expect(product.issues().isEmpty)
        #expect(product.dayCount == .actual360)
        #expect(product.moratorium.annualRate(ordinary: product.annualRate) == .percent(90))
        #expect(product.allocationOrder.first == .fees && product.allocationOrder.last == .advance)
    }

    @Test("Every problem is reported with its field")
    func problems() {
        var product = Self.personal
        product.code = "con espacios"
        product.maximumAmount = Money.mxn(centavos: 1)
        product.allocationOrder = [.fees, .fees]
        product.openingFee = .percent(.percent(120))
        #expect(Set(product.issues().map(\.field)) == ["code", "maximumAmount", "allocationOrder", "openingFee"])
    }

    @Test("Quotes respect the limits; a 2 % fee deducted is a flow at t = 0, financed it is principal")
    func quotes() throws {
        let start = CalendarDate(text: "2026-01-15")!
        let product = Self.personal
        #expect(throws: QuoteRefusal.self) { try product.quote(principal: Money.mxn(centavos: 100_000), term: 12, start: start) }
        #expect(throws: QuoteRefusal.self) { try product.quote(principal: Money.mxn(centavos: 1_000_000), term: 48, start: start) }
        let deducted = try product.quote(principal: Money.mxn(centavos: 1_000_000), term: 12, start: start)
        #expect(deducted.request.openingFee == Money.mxn(centavos: 20_000))
        #expect(deducted.payment == Money.mxn(centavos: 117_973))  // T3's payment: the fee does not change the installment
        #expect(deducted.cat == "87.0")
        var financed = product
        financed.openingFeeTreatment = .financed
        let quote = try financed.quote(principal: Money.mxn(centavos: 1_000_000), term: 12, start: start)
        #expect(quote.request.principal == Money.mxn(centavos: 1_020_000))
        #expect(quote.request.openingFee.isZero)
        // The borrower receives 10,000 and repays 10,200 with interest on it: the CAT counts the fee, so it is higher
        // than that of a plain 10,200 loan without a fee.
        let plain = try Quoting.quote(QuoteRequest(principal: Money.mxn(centavos: 1_020_000), annualRate: .percent(60), term: 12, frequency: .mensual, start: start))
        #expect(quote.payment == plain.payment)
        #expect(Double(quote.cat ?? "0")! > Double(plain.cat ?? "0")! + 3)
    }
}
