/// Why a line was tied to a loan.
public enum MatchRule: String, Sendable, Hashable, Codable {
    /// Sent to the loan's own CLABE.
    case clabe
    /// A reference of the loan (its id, a payment reference) in the text.
    case reference
    /// From an account the client paid from before, for an amount due.
    case payerAccount = "payer_account"
    /// The payer's name is the client's, for an amount due near its date.
    case name
    /// Chosen by a person in the review queue.
    case manual
    /// A payment gateway paying out what it collected (against its clearing account, not a loan).
    case gatewayPayout = "gateway_payout"
}

/// One loan a line may pay, with how sure the matcher is.
public struct MatchCandidate: Sendable, Hashable {
    public var loanID: String
    public var clientID: String
    /// What of the line goes to this loan (the whole line, or its share of a split).
    public var amount: Int64
    /// 0–100.
    public var score: Int
    public var rule: MatchRule
    /// In Spanish, for the review queue.
    public var reason: String

    public init(loanID: String, clientID: String, amount: Int64, score: Int, rule: MatchRule, reason: String) {
        self.loanID = loanID
        self.clientID = clientID
        self.amount = amount
        self.score = score
        self.rule = rule
        self.reason = reason
    }
}

/// What to do with a line.
public enum MatchOutcome: Sendable, Hashable {
    /// Post it without a person: one loan, or a split over several loans of one client (shares add up to the line).
    case post([MatchCandidate])
    /// A person decides, with the best candidates first (ties, low scores, splits not sure enough).
    case review([MatchCandidate])
    /// Nobody is recognised: the money waits in suspense.
    case unidentified

    public var candidates: [MatchCandidate] {
        switch self {
        case .post(let candidates), .review(let candidates): candidates
        case .unidentified: []
        }
    }
}
