import CarteraCore

/// A bank's API as Cartera uses it: balances, movements by date range (paged), transfers, and checking who holds an
/// account. One connector per bank conforms; `RESTBankConnector` speaks the OAuth2 REST shape of `docs/bank-api.md`
/// (the bank sandbox's). Movements pulled through it feed the same import pipeline as statement files.
public protocol BankAPI: Sendable {
    /// The bank's name, for messages.
    var bankName: String { get }
    func balances(account: String) async throws(BankAPIError) -> BankBalances
    /// One page of the account's movements booked (or pending) between `from` and `to`, both included; `cursor` is the
    /// previous page's `nextCursor`.
    func movements(account: String, from: CalendarDate, to: CalendarDate, cursor: String?) async throws(BankAPIError) -> BankMovementsPage
    /// Starts a transfer; `idempotencyKey` makes a repeated request the same transfer.
    func transfer(_ request: BankTransferRequest, idempotencyKey: String) async throws(BankAPIError) -> BankTransfer
    /// Whether `account` (a CLABE) is held by `name` / `rfc`.
    func validateHolder(account: String, name: String?, rfc: String?) async throws(BankAPIError) -> AccountHolderCheck
}

/// An account's balances at the bank.
public struct BankBalances: Sendable, Equatable {
    public let account: String
    public let currency: String
    /// Booked balance (saldo contable), minor units.
    public let booked: Int64
    /// Available balance (saldo disponible), minor units, when the bank gives it.
    public let available: Int64?
    public let date: CalendarDate?

    public init(account: String, currency: String, booked: Int64, available: Int64?, date: CalendarDate?) {
        self.account = account
        self.currency = currency
        self.booked = booked
        self.available = available
        self.date = date
    }
}

/// One movement as the bank's API reports it.
public struct BankMovement: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case booked
        case pending
    }

    /// The bank's own id for the movement: its natural key.
    public let id: String
    public let status: Status
    public let bookingDate: CalendarDate
    public let valueDate: CalendarDate?
    /// Signed minor units: positive money in.
    public let amount: Int64
    public let currency: String
    public let description: String?
    public let reference: String?
    /// The SPEI tracking key, when the movement is an SPEI transfer.
    public let trackingKey: String?
    public let counterpartyName: String?
    public let counterpartyAccount: String?
    public let remittance: String?

    public init(
        id: String, status: Status, bookingDate: CalendarDate, valueDate: CalendarDate?, amount: Int64, currency: String, description: String?, reference: String?,
        trackingKey: String?, counterpartyName: String?, counterpartyAccount: String?, remittance: String?
    ) {
        self.id = id
        self.status = status
        self.bookingDate = bookingDate
        self.valueDate = valueDate
        self.amount = amount
        self.currency = currency
        self.description = description
        self.reference = reference
        self.trackingKey = trackingKey
        self.counterpartyName = counterpartyName
        self.counterpartyAccount = counterpartyAccount
        self.remittance = remittance
    }
}

public struct BankMovementsPage: Sendable, Equatable {
    public let movements: [BankMovement]
    /// Nil on the last page.
    public let nextCursor: String?

    public init(movements: [BankMovement], nextCursor: String?) {
        self.movements = movements
        self.nextCursor = nextCursor
    }
}

/// A transfer to ask the bank for.
public struct BankTransferRequest: Sendable, Equatable {
    public let fromAccount: String
    /// The beneficiary's CLABE.
    public let toAccount: String
    public let beneficiaryName: String
    public let amount: Money
    public let concept: String
    public let reference: String?

    public init(fromAccount: String, toAccount: String, beneficiaryName: String, amount: Money, concept: String, reference: String?) {
        self.fromAccount = fromAccount
        self.toAccount = toAccount
        self.beneficiaryName = beneficiaryName
        self.amount = amount
        self.concept = concept
        self.reference = reference
    }
}

/// A transfer the bank took (or refused).
public struct BankTransfer: Sendable, Equatable {
    public let id: String
    /// `accepted`, `settled`, `rejected`…, as the bank says it.
    public let status: String
    public let trackingKey: String?

    public init(id: String, status: String, trackingKey: String?) {
        self.id = id
        self.status = status
        self.trackingKey = trackingKey
    }
}

/// What the bank says about who holds an account.
public struct AccountHolderCheck: Sendable, Equatable {
    public enum Result: String, Sendable, Equatable {
        case match
        case partialMatch = "partial_match"
        case noMatch = "no_match"
        case accountNotFound = "account_not_found"
    }

    public let result: Result
    /// The holder's name as the bank shows it (often masked).
    public let holderName: String?

    public init(result: Result, holderName: String?) {
        self.result = result
        self.holderName = holderName
    }
}
