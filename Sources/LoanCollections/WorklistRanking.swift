import CarteraCore

/// How owing loans are ranked on the collectors' worklist: by what is at stake, the amount due × the probability of
/// rolling to a worse bucket (the lender's roll-risk model), or before any model the amount due weighted by days past
/// due. The close works each owing loan's priority out with the model in force when the day's close started, and the
/// worklist reads the top ones; loans on hold or with an open promise are demoted when the list is read (those change
/// during the day).
public struct WorklistRanking: Sendable {
    /// The model's version; 0 before the lender trained one.
    public let modelVersion: Int
    public let model: RollRiskModel?

    public init(modelVersion: Int, model: RollRiskModel?) {
        self.modelVersion = model == nil ? 0 : modelVersion
        self.model = model
    }

    /// Centavos at stake on the loan; nil when it owes nothing that day (it is not on the worklist).
    public func priority(_ snapshot: LoanSnapshot) -> Int64? {
        guard snapshot.status == "active", snapshot.amountDue > 0 else { return nil }
        if let model { return RollRiskModel.expectedLoss(amountDue: snapshot.amountDue, probability: model.probability(snapshot)) }
        return Int64(Int128(snapshot.amountDue) * Int128(min(snapshot.daysPastDue + 1, 91)) / 91)
    }

    /// The priority of a loan on hold or waiting for a promise to pay: a thousandth of what is at stake.
    public static func demoted(_ priority: Int64) -> Int64 { priority / 1_000 }
}
