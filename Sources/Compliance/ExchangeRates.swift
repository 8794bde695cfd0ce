import CarteraCore

/// Daily exchange rates of pesos per US dollar (Banxico's FIX, published with four decimals), kept exactly as
/// millionths of a peso: 17.2345 MXN/USD is `17_234_500`. The rate of a day is the last one published on or before it.
public struct ExchangeRates: Sendable, Hashable, Codable {
    public struct Rate: Sendable, Hashable, Codable {
        public let date: CalendarDate
        public let pesoMillionthsPerDollar: Int64

        public init(date: CalendarDate, pesoMillionthsPerDollar: Int64) {
            self.date = date
            self.pesoMillionthsPerDollar = pesoMillionthsPerDollar
        }
    }

    /// Oldest first.
    public let rates: [Rate]
    /// A rate older than this many days is not used (the day has no rate); nil: any earlier rate.
    public let maxAgeDays: Int64?

    public init(_ rates: [Rate], maxAgeDays: Int64? = nil) {
        self.rates = rates.filter { $0.pesoMillionthsPerDollar > 0 }.sorted { $0.date < $1.date }
        self.maxAgeDays = maxAgeDays
    }

    /// The rate in force on `date`: the last one published on or before it (and not older than `maxAgeDays`); nil
    /// otherwise.
    public func rate(on date: CalendarDate) -> Rate? {
        var low = 0, high = rates.count
        while low < high {
            let middle = (low + high) / 2
            if rates[middle].date <= date { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let found = rates[low - 1]
        if let maxAgeDays, found.date.days(until: date) > maxAgeDays { return nil }
        return found
    }

    /// `amount` (pesos) in dollars at the rate of `date`, rounded down to the cent; nil without a rate.
    public func dollars(_ amount: Money, on date: CalendarDate) -> Money? {
        guard let rate = rate(on: date), let dollars = try? amount.scaled(by: 1_000_000, over: rate.pesoMillionthsPerDollar, rounding: .down) else { return nil }
        return Money(minorUnits: dollars.minorUnits, currency: .usd)
    }

    /// `amount` (dollars) in pesos at the rate of `date`, rounded down to the centavo; nil without a rate.
    public func pesos(_ amount: Money, on date: CalendarDate) -> Money? {
        guard let rate = rate(on: date), let pesos = try? amount.scaled(by: rate.pesoMillionthsPerDollar, over: 1_000_000, rounding: .down) else { return nil }
        return Money(minorUnits: pesos.minorUnits, currency: .mxn)
    }
}
