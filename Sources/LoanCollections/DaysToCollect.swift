/// Average days to collect (`../shared/notes/collections.md` §3): of the installments paid in full after their due
/// date in a period, the mean of (payment day − due date) weighted by each installment's scheduled payment, with the
/// median and the 90th percentile weighted the same way. Kept by the close as a histogram: days late → installments
/// and amount (`DelinquencyTotals.latePaid`).
public struct DaysToCollect: Sendable, Equatable, Codable {
    /// Installments paid late in the period, and their scheduled payments (centavos).
    public let installments: Int
    public let amount: Int64
    /// The weighted mean in hundredths of a day, rounded half up (1,250 = 12.5 days).
    public let meanHundredths: Int
    /// The days late by which half (nine tenths) of the amount was collected.
    public let median: Int
    public let p90: Int

    /// Nil when no installment with a positive amount was paid late.
    public init?(histogram: [Int: DelinquencyTotals.Tally]) {
        let days = histogram.filter { $0.value.principal > 0 }.sorted { $0.key < $1.key }
        let amount = days.reduce(Int64(0)) { $0 + $1.value.principal }
        guard amount > 0 else { return nil }
        installments = days.reduce(0) { $0 + $1.value.loans }
        self.amount = amount
        let weighted = days.reduce(Int128(0)) { $0 + Int128($1.key) * Int128($1.value.principal) }
        meanHundredths = Int((weighted * 200 + Int128(amount)) / (Int128(amount) * 2))
        func percentile(_ percent: Int64) -> Int {
            var running: Int64 = 0
            for (day, tally) in days {
                running += tally.principal
                if Int128(running) * 100 >= Int128(amount) * Int128(percent) { return day }
            }
            return days.last?.key ?? 0
        }
        median = percentile(50)
        p90 = percentile(90)
    }
}
