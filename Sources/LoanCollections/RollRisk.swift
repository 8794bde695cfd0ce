import Analytics
import CarteraCore

/// A borrower's payment behaviour, from their loan's snapshot: who needs a call first and in what tone.
public enum BehaviourSegment: String, Sendable, Hashable, Codable, CaseIterable {
    case punctual = "puntual"
    case occasionallyLate = "tardio_ocasional"
    case repeatedlyLate = "tardio_recurrente"
    case atRisk = "en_riesgo"
    case critical = "critico"

    public var label: String {
        switch self {
        case .punctual: "Puntual"
        case .occasionallyLate: "Tardío ocasional"
        case .repeatedlyLate: "Tardío recurrente"
        case .atRisk: "En riesgo"
        case .critical: "Crítico"
        }
    }

    /// Crítico: more than 60 days late or cartera vencida; en riesgo: 31–60 days; tardío recurrente: three or more of its
    /// last six installments late; tardío ocasional: one or two, or late today; puntual: none.
    public static func of(_ snapshot: LoanSnapshot) -> BehaviourSegment {
        if snapshot.daysPastDue > 60 || snapshot.nonPerforming { return .critical }
        if snapshot.daysPastDue > 30 { return .atRisk }
        if snapshot.lateInstallments >= 3 { return .repeatedlyLate }
        if snapshot.lateInstallments >= 1 || snapshot.daysPastDue > 0 { return .occasionallyLate }
        return .punctual
    }
}

/// The roll-forward risk model: the probability that a loan is in a worse delinquency bucket 30 days after a snapshot,
/// by logistic regression on features of the snapshot, trained on the lender's own loans.
public struct RollRiskModel: Sendable, Hashable, Codable {
    public let regression: LogisticRegression
    /// AUC on the held-out share of the examples.
    public let holdoutAUC: Double?
    public let trainingExamples: Int
    public let holdoutExamples: Int
    /// Share of examples that rolled.
    public let rollRate: Double

    public init(regression: LogisticRegression, holdoutAUC: Double?, trainingExamples: Int, holdoutExamples: Int, rollRate: Double) {
        self.regression = regression
        self.holdoutAUC = holdoutAUC
        self.trainingExamples = trainingExamples
        self.holdoutExamples = holdoutExamples
        self.rollRate = rollRate
    }

    /// The features, in order, with their names in Spanish (for the worklist's reasons).
    public static let featureNames = [
        "días de atraso (÷30)", "cuotas vencidas", "cuotas recientes pagadas tarde", "exigible sobre saldo", "cargos moratorios sobre saldo",
        "meses desde la disposición (÷12)", "cartera vencida", "reestructurado",
    ]

    /// The features of a snapshot (each bounded, so one odd loan cannot dominate the fit).
    public static func features(_ snapshot: LoanSnapshot) -> [Double] {
        // Money stays in integer centavos: only dimensionless ratios, taken in basis points, become model inputs.
        let balance = Int128(max(snapshot.principalOutstanding, 1))
        let dueShare = Double(min(Int128(snapshot.amountDue) * 10_000 / balance, 30_000)) / 10_000
        let chargesShare = Double(min(Int128(snapshot.overdueCharges) * 10_000 / balance, 10_000)) / 10_000
        let months = Double(max(0, snapshot.disbursedOn.days(until: snapshot.date))) / 30.4375
        return [
            min(Double(snapshot.daysPastDue), 180) / 30, Double(min(snapshot.installmentsOverdue, 12)), Double(snapshot.lateInstallments),
            dueShare, chargesShare, min(months, 60) / 12,
            snapshot.nonPerforming ? 1 : 0, snapshot.restructured ? 1 : 0,
        ]
    }

    /// Whether `later` (30 days after `earlier`) is in a worse bucket; a loan paid off or written off in between is
    /// not a roll, one written off is.
    public static func rolled(from earlier: LoanSnapshot, to later: LoanSnapshot, buckets: DelinquencyBuckets) -> Bool {
        if later.status == "written_off" { return true }
        guard later.status == "active" else { return false }
        return buckets.index(for: later.daysPastDue) > buckets.index(for: earlier.daysPastDue)
    }

    /// Fits the model to examples (features, rolled) with a deterministic holdout of `holdoutShare`.
    public static func train(_ examples: [(features: [Double], rolled: Bool)], holdoutShare: Double = 0.3, seed: UInt64 = 2026, l2: Double = 1) throws(LogisticRegression.FitError) -> RollRiskModel {
        let split = ModelMetrics.holdout(count: examples.count, share: holdoutShare, seed: seed)
        let training = split.training.map { examples[$0] }
        let regression = try LogisticRegression.fit(training.map(\.features), labels: training.map(\.rolled), l2: l2)
        let held = split.holdout.map { examples[$0] }
        let auc = ModelMetrics.auc(scores: held.map { regression.probability($0.features) }, labels: held.map(\.rolled))
        return RollRiskModel(
            regression: regression, holdoutAUC: auc, trainingExamples: training.count, holdoutExamples: held.count,
            rollRate: Double(examples.filter(\.rolled).count) / Double(max(1, examples.count))
        )
    }

    /// What is at stake on a loan: `amountDue` centavos × `probability`, in whole centavos (probability taken in basis
    /// points), so rankings by it never put money through floating point.
    public static func expectedLoss(amountDue: Int64, probability: Double) -> Int64 {
        let basisPoints = Int128(max(0, min(10_000, (probability * 10_000).rounded())))
        return Int64(Int128(amountDue) * basisPoints / 10_000)
    }

    /// The probability that the loan rolls forward within 30 days.
    public func probability(_ snapshot: LoanSnapshot) -> Double { regression.probability(Self.features(snapshot)) }

    /// The features that push this loan's risk up the most (coefficient × value), most first.
    public func reasons(_ snapshot: LoanSnapshot, count: Int = 2) -> [String] {
        let values = Self.features(snapshot)
        let slopes = Array(regression.coefficients.dropFirst())
        var contributions: [(name: String, value: Double)] = []
        for (index, name) in Self.featureNames.enumerated() where index < values.count && index < slopes.count {
            let contribution = values[index] * slopes[index]
            if contribution > 0 { contributions.append((name, contribution)) }
        }
        return contributions.sorted { $0.value > $1.value }.prefix(count).map(\.name)
    }
}
