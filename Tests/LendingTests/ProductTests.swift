import CarteraCore
import Foundation
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

@Suite("Products: rate convention and CAT time basis")
struct QuoteConventionTests {
    static let start = CalendarDate(text: "2026-01-15")!

    static func product(_ convention: RateConvention?, dayCount: DayCount = .actual360, frequency: Frequency = .mensual, cat: CATTimeBasis? = nil) -> Product {
        var product = Product(
            code: "C", name: "Convención", annualRate: .percent(60), dayCount: dayCount, frequency: frequency, minimumAmount: .mxn(centavos: 100),
            maximumAmount: .mxn(centavos: 100_000_000), minimumTerm: 1, maximumTerm: 60, ivaRate: .zero
        )
        product.rateConvention = convention
        product.catTimeBasis = cat
        return product
    }

    @Test("Periodic rates: commercial 60/12; on Actual/365 the day basis gives 60 × 30/365; per periods a week is 60/52")
    func rates() throws {
        let principal = Money.mxn(centavos: 1_000_000)
        let commercial = try Self.product(nil).quote(principal: principal, term: 12, start: Self.start)
        #expect(commercial.installments[0].interest == .mxn(centavos: 50_000))
        let dayBasis = try Self.product(.dayBasis, dayCount: .actual365).quote(principal: principal, term: 12, start: Self.start)
        // 10,000.00 × 0.60 × 30 / 365 = 493.150… → 493.15
        #expect(dayBasis.installments[0].interest == .mxn(centavos: 49_315))
        // On a 360-day basis the day basis is the commercial convention.
        #expect(try Self.product(.dayBasis).quote(principal: principal, term: 12, start: Self.start).installments == commercial.installments)
        let weekly = try Self.product(.periodsPerYear, frequency: .semanal).quote(principal: principal, term: 12, start: Self.start)
        // 10,000.00 × 0.60 / 52 = 115.384… → 115.38 (commercial would be × 7/360 = 116.67)
        #expect(weekly.installments[0].interest == .mxn(centavos: 11_538))
    }

    @Test("CAT time: one monthly payment of 10,500.00 for 10,000.00 is 79.6 % at t = 1/12 and 77.6 % at 31/365 days")
    func catTime() throws {
        let principal = Money.mxn(centavos: 1_000_000)
        let periods = try Self.product(nil).quote(principal: principal, term: 1, start: Self.start)
        let days = try Self.product(nil, cat: .days365).quote(principal: principal, term: 1, start: Self.start)
        #expect(periods.installments[0].payment == .mxn(centavos: 1_050_000))
        #expect(periods.cat == "79.6")
        #expect(days.cat == "77.6")
    }

    @Test("Products saved before the settings existed read with the defaults")
    func compatibility() throws {
        var json = String(decoding: try JSONEncoder().encode(Self.product(nil)), as: UTF8.self)
        #expect(!json.contains("rateConvention"))
        json = json.replacingOccurrences(of: "}", with: #","rateConvention":"day_basis"}"#, options: .backwards, range: json.range(of: "}", options: .backwards))
        let decoded = try JSONDecoder().decode(Product.self, from: Data(json.utf8))
        #expect(decoded.rateConvention == .dayBasis && decoded.catTimeBasis == nil)
    }
}
