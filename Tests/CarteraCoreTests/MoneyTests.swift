import Foundation
import CarteraCore
import CarteraTestSupport
import Testing

@Suite("Money")
struct MoneyTests {
    @Test("parses the written forms", arguments: [
        ("1,234.56", 123_456),
        ("$1,234.56 MXN", 123_456),
        ("$1,234.56", 123_456),
        ("1234.56", 123_456),
        ("1234.5", 123_450),
        ("1234", 123_400),
        ("0.01", 1),
        (".5", 50),
        ("-1,234.56", -123_456),
        ("-$1,234.56 MXN", -123_456),
        ("$-1,234.56", -123_456),
        ("+7.00", 700),
        ("  12,345,678.90 mxn ", 1_234_567_890),
        ("1.230", 123),
        ("92,233,720,368,547,758.07", Int64.max),
        ("-92,233,720,368,547,758.08", Int64.min),
    ] as [(String, Int64)])
    func parses(text: String, centavos: Int64) throws {
        #expect(try Money(parsing: text) == .mxn(centavos: centavos))
    }

    @Test("rejects what is not an amount", arguments: [
        "", "abc", "NaN", "12 abc", "1,23.45", "12,3456", "1.2.3", "1.", "$$1", "--1", "1,234.5a", "1 234", ",123", "1,", "USD",
    ])
    func rejects(text: String) {
        #expect(throws: MoneyError.self) { try Money(parsing: text) }
    }

    @Test("never rounds silently")
    func tooManyDecimals() {
        #expect(throws: MoneyError.tooManyDecimals("1.234", allowed: 2)) { try Money(parsing: "1.234") }
    }

    @Test("rejects another currency and overflow")
    func currencyAndOverflow() throws {
        #expect(throws: MoneyError.unexpectedCurrency(found: "USD", expected: "MXN")) { try Money(parsing: "$5.00 USD") }
        #expect(throws: MoneyError.overflow) { try Money(parsing: "92,233,720,368,547,758.08") }
        #expect(throws: MoneyError.overflow) { try Money(parsing: "-92,233,720,368,547,758.09") }
        #expect(try Money(parsing: "-92,233,720,368,547,758.08").formatted(.symbolAndCode) == "-$92,233,720,368,547,758.08 MXN")
        #expect(throws: MoneyError.overflow) { try Money(parsing: "100000000000000000000") }
    }

    @Test("formats with separators, symbol and code")
    func formats() {
        let amount = Money.mxn(centavos: 123_456)
        #expect(amount.formatted() == "1,234.56")
        #expect(amount.formatted(.symbol) == "$1,234.56")
        #expect(amount.formatted(.symbolAndCode) == "$1,234.56 MXN")
        #expect(Money.mxn(centavos: -5).formatted(.symbolAndCode) == "-$0.05 MXN")
        #expect(Money.mxn(centavos: 0).formatted() == "0.00")
        #expect(Money.mxn(centavos: 100_000_000).formatted() == "1,000,000.00")
        #expect(Money.mxn(centavos: Int64.min).formatted() == "-92,233,720,368,547,758.08")
        #expect(Money(minorUnits: 1_500_000, currency: .udi).formatted() == "1.500000")
    }

    @Test("writes the machine form without separators")
    func decimalText() {
        #expect(Money.mxn(centavos: 123_456).decimalText == "1234.56")
        #expect(Money.mxn(centavos: -5).decimalText == "-0.05")
        #expect(Money.mxn(centavos: 0).decimalText == "0.00")
        #expect(Money.mxn(centavos: Int64.min).decimalText == "-92233720368547758.08")
        #expect(Money(minorUnits: 1_500_000, currency: .udi).decimalText == "1.500000")
        for centavos: Int64 in [1, 9, 10, 99, 100, 101, 999_999, 1_000_000, -1_234_567_890, Int64.max] {
            let money = Money.mxn(centavos: centavos)
            #expect(money.decimalText == money.formatted().replacingOccurrences(of: ",", with: ""))
        }
    }

    @Test("format then parse gives the same amount")
    func roundTrip() throws {
        var random = SeededRandom(seed: 42)
        for _ in 0..<5_000 {
            let amount = Money.mxn(centavos: Int64.random(in: Int64.min...Int64.max, using: &random))
            for style in [Money.TextStyle.plain, .symbol, .symbolAndCode] {
                #expect(try Money(parsing: amount.formatted(style)) == amount)
            }
        }
    }

    @Test("checked arithmetic throws on overflow and on mixed currencies")
    func checkedArithmetic() throws {
        let max = Money.mxn(centavos: Int64.max)
        #expect(throws: MoneyError.overflow) { try max.adding(.mxn(centavos: 1)) }
        #expect(throws: MoneyError.overflow) { try Money.mxn(centavos: Int64.min).subtracting(.mxn(centavos: 1)) }
        #expect(throws: MoneyError.overflow) { try max.multiplied(by: 2) }
        #expect(throws: MoneyError.overflow) { try Money.mxn(centavos: Int64.min).negated() }
        #expect(throws: MoneyError.currencyMismatch("MXN", "USD")) {
            try Money.mxn(centavos: 1).adding(Money(minorUnits: 1, currency: .usd))
        }
        #expect(try Money.mxn(centavos: 150).adding(.mxn(centavos: 275)) == .mxn(centavos: 425))
        #expect(Money.mxn(centavos: 150) - .mxn(centavos: 275) == .mxn(centavos: -125))
        #expect(try Money.sum([.mxn(centavos: 1), .mxn(centavos: 2), .mxn(centavos: 3)]) == .mxn(centavos: 6))
    }

    @Test("applies a rate once, exactly, with the named rounding")
    func scaled() throws {
        // Moratorium example of mexico-rules.md §2.3: 599.73 overdue × 90 % / 360 × 10 days = 14.99; IVA 16 % = 2.40.
        let overdue = Money.mxn(centavos: 59_973)
        let interest = try overdue.scaled(by: 90 * 10, over: 100 * 360, rounding: .halfUp)
        #expect(interest == .mxn(centavos: 1_499))
        #expect(try interest.scaled(by: 16, over: 100, rounding: .halfUp) == .mxn(centavos: 240))
        // T3 first installment: 10,000.00 × 5 % = 500.00 interest.
        #expect(try Money.mxn(centavos: 1_000_000).scaled(by: 5, over: 100, rounding: .halfEven) == .mxn(centavos: 50_000))
        // A huge intermediate product does not overflow when the result fits.
        #expect(try Money.mxn(centavos: Int64.max).scaled(by: 1_000_000, over: 1_000_000, rounding: .down) == .mxn(centavos: Int64.max))
        #expect(throws: MoneyError.overflow) { try Money.mxn(centavos: Int64.max).scaled(by: 2, over: 1, rounding: .down) }
        #expect(throws: MoneyError.divisionByZero) { try Money.mxn(centavos: 1).scaled(by: 1, over: 0, rounding: .down) }
        // Ties follow the mode: 0.25 centavos × 2 = 0.5 centavo.
        #expect(try Money.mxn(centavos: 1).scaled(by: 1, over: 2, rounding: .halfEven) == .mxn(centavos: 0))
        #expect(try Money.mxn(centavos: 1).scaled(by: 1, over: 2, rounding: .halfUp) == .mxn(centavos: 1))
    }

    @Test("sorting mixed currencies groups them instead of trapping")
    func mixedSort() {
        let sorted = [Money(minorUnits: 5, currency: .usd), .mxn(centavos: 9), .mxn(centavos: 1)].sorted()
        #expect(sorted == [.mxn(centavos: 1), .mxn(centavos: 9), Money(minorUnits: 5, currency: .usd)])
    }

    @Test("codes and Spanish messages for every error")
    func errorMessages() {
        let errors: [MoneyError] = [.overflow, .currencyMismatch("MXN", "USD"), .invalidFormat("x"), .tooManyDecimals("1.234", allowed: 2),
                                    .unexpectedCurrency(found: "USD", expected: "MXN"), .divisionByZero]
        #expect(Set(errors.map(\.code)).count == errors.count)
        for error in errors { #expect(!error.message.isEmpty) }
    }
}
