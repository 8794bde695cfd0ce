import CarteraCore

/// An operation the PLD rules look at: a loan's disbursement or a payment to it.
public struct MonitoredOperation: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case disbursement = "disposicion"
        case payment = "pago"
    }

    /// The monetary instrument (the UIF catalogue's meaning).
    public enum Instrument: String, Sendable, Codable, CaseIterable {
        case cash = "efectivo"
        case transfer = "transferencia"
        case card = "tarjeta"
        case check = "cheque"
        case other = "otro"
    }

    public let id: String
    public let clientID: String
    public let loanID: String
    public let kind: Kind
    /// In pesos.
    public let amount: Money
    public let instrument: Instrument
    public let date: CalendarDate
    /// False when someone other than the client paid (a payment from another person's account or card).
    public let payerIsClient: Bool
    /// The state (INEGI two-digit key) where the operation took place or the payer lives, when known.
    public let state: String?
    /// When the loan was disbursed (for payments).
    public let loanDisbursedOn: CalendarDate?
    /// Whether this payment leaves the loan paid off.
    public let paysOff: Bool

    public init(
        id: String, clientID: String, loanID: String, kind: Kind, amount: Money, instrument: Instrument, date: CalendarDate, payerIsClient: Bool = true,
        state: String? = nil, loanDisbursedOn: CalendarDate? = nil, paysOff: Bool = false
    ) {
        self.id = id
        self.clientID = clientID
        self.loanID = loanID
        self.kind = kind
        self.amount = amount
        self.instrument = instrument
        self.date = date
        self.payerIsClient = payerIsClient
        self.state = state
        self.loanDisbursedOn = loanDisbursedOn
        self.paysOff = paysOff
    }
}

/// What a client declared at onboarding about the operations it would make (perfil transaccional).
public struct TransactionalProfile: Sendable, Hashable, Codable {
    /// Pesos per month.
    public let monthlyAmount: Money
    public let monthlyOperations: Int
    public let instruments: Set<MonitoredOperation.Instrument>

    public init(monthlyAmount: Money, monthlyOperations: Int, instruments: Set<MonitoredOperation.Instrument>) {
        self.monthlyAmount = monthlyAmount
        self.monthlyOperations = monthlyOperations
        self.instruments = instruments
    }
}
