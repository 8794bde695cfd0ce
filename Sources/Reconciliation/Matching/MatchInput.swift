import Foundation
import CarteraCore

/// A bank line waiting for its loan: money in, with what identifies its payer.
public struct UnmatchedLine: Sendable, Hashable {
    public var id: String
    /// Minor units, positive (money in).
    public var amount: Int64
    public var valueDate: CalendarDate
    /// The CLABE the money was sent to, when it is one of the loans' own (SPEI deposits to a virtual CLABE).
    public var destinationCLABE: String?
    /// The SPEI tracking key or end-to-end reference.
    public var trackingKey: String?
    /// Everything the payer and the bank wrote (concept, remittance, description): searched for references.
    public var text: String
    public var payerName: String?
    /// The payer's CLABE or account.
    public var payerAccount: String?

    public init(
        id: String, amount: Int64, valueDate: CalendarDate, destinationCLABE: String? = nil, trackingKey: String? = nil, text: String = "", payerName: String? = nil,
        payerAccount: String? = nil
    ) {
        self.id = id
        self.amount = amount
        self.valueDate = valueDate
        self.destinationCLABE = destinationCLABE
        self.trackingKey = trackingKey
        self.text = text
        self.payerName = payerName
        self.payerAccount = payerAccount
    }
}

/// A loan that can take a payment, with what its payments usually look like.
public struct OpenLoan: Sendable, Hashable {
    public var loanID: String
    public var clientID: String
    public var clientName: String
    /// The loan's own CLABE.
    public var clabe: String?
    /// What is due now (overdue and due today), minor units.
    public var amountDue: Int64
    /// The next installment's amount.
    public var nextPayment: Int64
    /// What pays the loan off.
    public var payoff: Int64
    public var nextDueDate: CalendarDate?
    /// References a payer may write: the loan's id, payment references handed out (OXXO, intents).
    public var references: [String]
    /// Accounts the client has paid from before (CLABEs).
    public var payerAccounts: [String]

    public init(
        loanID: String, clientID: String, clientName: String, clabe: String? = nil, amountDue: Int64, nextPayment: Int64, payoff: Int64, nextDueDate: CalendarDate?,
        references: [String] = [], payerAccounts: [String] = []
    ) {
        self.loanID = loanID
        self.clientID = clientID
        self.clientName = clientName
        self.clabe = clabe
        self.amountDue = amountDue
        self.nextPayment = nextPayment
        self.payoff = payoff
        self.nextDueDate = nextDueDate
        self.references = references
        self.payerAccounts = payerAccounts
    }
}

/// The lender's matching settings.
public struct MatchRules: Sendable, Hashable, Codable {
    /// A candidate at or above this score (0–100) is posted without a person; below, it waits for review.
    public var autoPostScore: Int
    /// How far an amount may be from what is due and still count as it, minor units.
    public var amountTolerance: Int64
    /// How many days around the due date a payment counts as for it.
    public var dateWindowDays: Int
    /// The least name similarity (0–100) for a name to suggest a client.
    public var nameSimilarity: Int
    /// The lender's own ways of writing a loan in the concept, as regular expressions: the first group (or the whole
    /// match) is looked up among the loans' references, e.g. `CRED(?:ITO)?\s*No\.?\s*(\d{4,10})` for the numbers of
    /// the lender's previous system.
    public var conceptPatterns: [String]

    public init(autoPostScore: Int = 90, amountTolerance: Int64 = 50, dateWindowDays: Int = 5, nameSimilarity: Int = 80, conceptPatterns: [String] = []) {
        self.autoPostScore = autoPostScore
        self.amountTolerance = amountTolerance
        self.dateWindowDays = dateWindowDays
        self.nameSimilarity = nameSimilarity
        self.conceptPatterns = conceptPatterns
    }

    public init(from decoder: any Decoder) throws {
        let defaults = MatchRules()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        autoPostScore = try container.decodeIfPresent(Int.self, forKey: .autoPostScore) ?? defaults.autoPostScore
        amountTolerance = try container.decodeIfPresent(Int64.self, forKey: .amountTolerance) ?? defaults.amountTolerance
        dateWindowDays = try container.decodeIfPresent(Int.self, forKey: .dateWindowDays) ?? defaults.dateWindowDays
        nameSimilarity = try container.decodeIfPresent(Int.self, forKey: .nameSimilarity) ?? defaults.nameSimilarity
        conceptPatterns = try container.decodeIfPresent([String].self, forKey: .conceptPatterns) ?? []
    }

    /// What is wrong with the rules, in Spanish, or nil when they can be used.
    public var problem: String? {
        if !(50...100).contains(autoPostScore) { return "autoPostScore va de 50 a 100 (90 por omisión): por debajo de 50 se aplicarían depósitos dudosos." }
        if !(0...100_000).contains(amountTolerance) { return "amountTolerance va de 0 a 100000 centavos." }
        if !(0...31).contains(dateWindowDays) { return "dateWindowDays va de 0 a 31 días." }
        if !(50...100).contains(nameSimilarity) { return "nameSimilarity va de 50 a 100." }
        if conceptPatterns.count > 20 { return "Hasta 20 conceptPatterns." }
        for pattern in conceptPatterns {
            if pattern.isEmpty || pattern.count > 200 { return "Cada patrón lleva de 1 a 200 caracteres." }
            if (try? NSRegularExpression(pattern: pattern)) == nil { return "El patrón «\(pattern)» no es una expresión regular válida." }
            // Shapes that can take exponential time on a long concept (nested repetition, back-references, lookaround).
            let risky = [#"\([^()]*[*+}][^()]*\)\s*[*+{]"#, #"\\[1-9]"#, #"\(\?<?[=!]"#]
            if risky.contains(where: { pattern.range(of: $0, options: .regularExpression) != nil }) {
                return "El patrón «\(pattern)» repite un grupo que ya se repite, o usa referencias o búsquedas hacia adelante/atrás: escríbalo sin ellas (p. ej. CRED\\D{0,5}(\\d{6,10}))."
            }
        }
        return nil
    }
}
