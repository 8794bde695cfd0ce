import CarteraCore

/// The portfolio's delinquency on one day, from that day's snapshots (and an earlier day's, for the movements between
/// them). Definitions (`../shared/notes/collections.md` §3):
/// - GLP (cartera total): outstanding principal of the active loans.
/// - Bucket shares by balance (outstanding principal) and by count — always labelled which.
/// - PAR_X: outstanding principal of the loans more than X days past due, plus that of every restructured loan, ÷ GLP.
/// - IMOR: outstanding principal of cartera vencida ÷ GLP.
/// - Roll rates: of the balance in bucket i on the earlier day, the share in bucket j on the report day (or gone:
///   paid off, written off, no longer active); computed per loan, on the earlier day's balance.
/// - Cure rate: of the loans past due on the earlier day, the share (count and balance) current on the report day.
/// Ratios are in basis points (1/100 of a percent), rounded half up, so they are exact integers to compare.
public struct DelinquencyReport: Sendable, Equatable, Encodable {
    public struct BucketLine: Sendable, Equatable, Encodable {
        public let bucket: String
        public let label: String
        public let loans: Int
        /// Outstanding principal, centavos.
        public let principal: Int64
        public let shareOfLoansBasisPoints: Int
        public let shareOfPrincipalBasisPoints: Int
    }

    /// Movements from one bucket: the earlier day's balance and where it was on the report day.
    public struct Roll: Sendable, Equatable, Encodable {
        public let from: String
        public let loans: Int
        public let principal: Int64
        /// Per bucket of the report day (same order as `buckets`), then `gone`: the earlier balance that went there, ÷ `principal`.
        public let toBasisPoints: [String: Int]
        public let goneBasisPoints: Int
    }

    public let date: CalendarDate
    public let loans: Int
    /// GLP, centavos.
    public let grossPortfolio: Int64
    public let buckets: [BucketLine]
    public let par30BasisPoints: Int
    public let par90BasisPoints: Int
    /// Cartera vencida, centavos, and IMOR.
    public let nonPerforming: Int64
    public let imorBasisPoints: Int
    public let comparedWith: CalendarDate?
    public let rolls: [Roll]
    public let cureRateLoansBasisPoints: Int?
    public let cureRatePrincipalBasisPoints: Int?

    /// `numerator ÷ denominator` in basis points, rounded half up; 0 when the denominator is 0.
    public static func basisPoints(_ numerator: Int64, _ denominator: Int64) -> Int {
        guard denominator > 0 else { return 0 }
        let scaled = Int128(numerator) * 10_000
        return Int((scaled * 2 + Int128(denominator)) / (Int128(denominator) * 2))
    }

    /// The report of `day` (the snapshots of the report day), compared with `earlier` (the snapshots of an earlier day)
    /// when given.
    public init(date: CalendarDate, day: [LoanSnapshot], earlier: (date: CalendarDate, snapshots: [LoanSnapshot])? = nil, buckets definition: DelinquencyBuckets) {
        self.init(
            totals: DelinquencyTotals(date: date, day: day, earlier: earlier),
            earlier: earlier.map { DelinquencyTotals(date: $0.date, day: $0.snapshots) }, buckets: definition
        )
    }

    /// The report from a day's totals; compared with `earlier` (the totals of the day `totals.movement` was taken
    /// against) when given.
    public init(totals: DelinquencyTotals, earlier: DelinquencyTotals? = nil, buckets definition: DelinquencyBuckets) {
        date = totals.date
        loans = totals.active.loans
        let gross = totals.active.principal
        grossPortfolio = gross
        buckets = definition.buckets.map { bucket in
            let tally = totals.byBucket[bucket.code] ?? .init()
            return BucketLine(
                bucket: bucket.code, label: bucket.label, loans: tally.loans, principal: tally.principal,
                shareOfLoansBasisPoints: Self.basisPoints(Int64(tally.loans), Int64(totals.active.loans)),
                shareOfPrincipalBasisPoints: Self.basisPoints(tally.principal, gross)
            )
        }
        par30BasisPoints = Self.basisPoints(totals.par30, gross)
        par90BasisPoints = Self.basisPoints(totals.par90, gross)
        nonPerforming = totals.nonPerforming
        imorBasisPoints = Self.basisPoints(totals.nonPerforming, gross)
        guard let earlier, let movement = totals.movement, movement.comparedWith == earlier.date else {
            comparedWith = nil
            rolls = []
            cureRateLoansBasisPoints = nil
            cureRatePrincipalBasisPoints = nil
            return
        }
        comparedWith = earlier.date
        rolls = definition.buckets.map { bucket in
            let from = earlier.byBucket[bucket.code] ?? .init()
            let to = movement.rolls[bucket.code] ?? [:]
            let gone = from.principal - to.values.reduce(0, +)
            return Roll(
                from: bucket.code, loans: from.loans, principal: from.principal,
                toBasisPoints: Dictionary(uniqueKeysWithValues: definition.buckets.map { ($0.code, Self.basisPoints(to[$0.code] ?? 0, from.principal)) }),
                goneBasisPoints: Self.basisPoints(gone, from.principal)
            )
        }
        cureRateLoansBasisPoints = earlier.late.loans == 0 ? nil : Self.basisPoints(Int64(movement.cured.loans), Int64(earlier.late.loans))
        cureRatePrincipalBasisPoints = earlier.late.loans == 0 ? nil : Self.basisPoints(movement.cured.principal, earlier.late.principal)
    }
}
