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
        let active = day.filter { $0.status == "active" }
        self.date = date
        loans = active.count
        let gross = active.reduce(Int64(0)) { $0 + $1.principalOutstanding }
        grossPortfolio = gross
        buckets = definition.buckets.map { bucket in
            let inBucket = active.filter { $0.bucket == bucket.code }
            let principal = inBucket.reduce(Int64(0)) { $0 + $1.principalOutstanding }
            return BucketLine(
                bucket: bucket.code, label: bucket.label, loans: inBucket.count, principal: principal,
                shareOfLoansBasisPoints: Self.basisPoints(Int64(inBucket.count), Int64(active.count)), shareOfPrincipalBasisPoints: Self.basisPoints(principal, gross)
            )
        }
        func par(_ days: Int) -> Int {
            Self.basisPoints(active.filter { $0.daysPastDue > days || $0.restructured }.reduce(Int64(0)) { $0 + $1.principalOutstanding }, gross)
        }
        par30BasisPoints = par(30)
        par90BasisPoints = par(90)
        let vencida = active.filter(\.nonPerforming).reduce(Int64(0)) { $0 + $1.principalOutstanding }
        nonPerforming = vencida
        imorBasisPoints = Self.basisPoints(vencida, gross)
        comparedWith = earlier?.date
        guard let earlier else {
            rolls = []
            cureRateLoansBasisPoints = nil
            cureRatePrincipalBasisPoints = nil
            return
        }
        var now: [String: LoanSnapshot] = [:]
        for snapshot in active { now[snapshot.loanID] = snapshot }
        let before = earlier.snapshots.filter { $0.status == "active" }
        rolls = definition.buckets.map { bucket in
            let from = before.filter { $0.bucket == bucket.code }
            let principal = from.reduce(Int64(0)) { $0 + $1.principalOutstanding }
            var to: [String: Int64] = [:]
            var gone: Int64 = 0
            for snapshot in from {
                if let later = now[snapshot.loanID] { to[later.bucket, default: 0] += snapshot.principalOutstanding } else { gone += snapshot.principalOutstanding }
            }
            return Roll(
                from: bucket.code, loans: from.count, principal: principal,
                toBasisPoints: Dictionary(uniqueKeysWithValues: definition.buckets.map { ($0.code, Self.basisPoints(to[$0.code] ?? 0, principal)) }),
                goneBasisPoints: Self.basisPoints(gone, principal)
            )
        }
        let late = before.filter { $0.daysPastDue > 0 }
        let cured = late.filter { now[$0.loanID].map { $0.daysPastDue == 0 } ?? false }
        cureRateLoansBasisPoints = late.isEmpty ? nil : Self.basisPoints(Int64(cured.count), Int64(late.count))
        cureRatePrincipalBasisPoints = late.isEmpty
            ? nil : Self.basisPoints(cured.reduce(Int64(0)) { $0 + $1.principalOutstanding }, late.reduce(Int64(0)) { $0 + $1.principalOutstanding })
    }
}
