import CarteraCore

/// The file formats a bank statement arrives in.
public enum StatementFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// ISO 20022 end-of-day statement (`BkToCstmrStmt`).
    case camt053
    /// ISO 20022 intraday account report (`BkToCstmrAcctRpt`).
    case camt052
    /// ISO 20022 debit/credit notification (`BkToCstmrDbtCdtNtfctn`).
    case camt054
    /// SWIFT MT940 customer statement (and MT942 interim reports).
    case mt940
    /// Open Financial Exchange, SGML 1.x or XML 2.x.
    case ofx
    /// A bank's CSV export, read through a column-mapping profile.
    case csv
    /// Movements pulled from a bank's API (not a file).
    case bankAPI = "api"
}

/// One account's statement (or report, or notification) as the bank wrote it: its balances and its entries.
public struct BankStatement: Sendable, Hashable {
    public var format: StatementFormat
    /// The bank's id of the statement (camt `Stmt/Id`, MT940 `:20:`, OFX account and period); nil when it gives none.
    public var id: String?
    /// Its number in the account's sequence (camt `ElctrncSeqNb`, MT940 `:28C:`), to notice a missing statement.
    public var sequence: String?
    /// The account as the bank names it (IBAN, CLABE, `Othr/Id`, MT940 `:25:`, OFX `ACCTID`).
    public var account: String
    /// ISO 4217 code of the account's currency, when stated.
    public var currency: String?
    public var opening: StatementBalance?
    public var closing: StatementBalance?
    public var entries: [StatementEntry]

    public init(
        format: StatementFormat, id: String?, sequence: String?, account: String, currency: String?, opening: StatementBalance?, closing: StatementBalance?,
        entries: [StatementEntry]
    ) {
        self.format = format
        self.id = id
        self.sequence = sequence
        self.account = account
        self.currency = currency
        self.opening = opening
        self.closing = closing
        self.entries = entries
    }

    /// Booked credits and debits (pending and informational entries do not move the balance).
    public var bookedTotals: (credits: Int64, debits: Int64) {
        var credits: Int64 = 0
        var debits: Int64 = 0
        for entry in entries where entry.status == .booked {
            if entry.amount >= 0 { credits += entry.amount } else { debits -= entry.amount }
        }
        return (credits, debits)
    }

    /// When opening + booked entries ≠ closing (both balances stated, in one currency): the difference, closing minus
    /// what the entries give. nil when they agree or cannot be compared.
    public var balanceGap: Int64? {
        guard let opening, let closing, opening.currency == closing.currency else { return nil }
        let (credits, debits) = bookedTotals
        let gap = closing.amount - (opening.amount + credits - debits)
        return gap == 0 ? nil : gap
    }
}

/// A balance: signed minor units (negative = owed to the bank), its currency and date.
public struct StatementBalance: Sendable, Hashable {
    public var amount: Int64
    public var currency: String
    public var date: CalendarDate?
    /// An intermediate balance of a statement split over several messages (MT940 `:60M:`/`:62M:`), not the day's.
    public var intermediate: Bool

    public init(amount: Int64, currency: String, date: CalendarDate?, intermediate: Bool = false) {
        self.amount = amount
        self.currency = currency
        self.date = date
        self.intermediate = intermediate
    }
}

/// Whether an entry has moved the balance.
public enum EntryStatus: String, Sendable, Hashable, Codable {
    case booked, pending, information
}

/// One movement of a statement.
public struct StatementEntry: Sendable, Hashable {
    /// Its position in the statement, from 0.
    public var index: Int
    /// Signed minor units: positive money in (credit), negative money out (debit).
    public var amount: Int64
    public var currency: String
    public var status: EntryStatus
    /// True when the entry undoes an earlier one (camt `RvslInd`, MT940 `RC`/`RD`); the sign is the direction of this
    /// booking.
    public var isReversal: Bool
    public var bookingDate: CalendarDate?
    public var valueDate: CalendarDate?
    /// The bank's own reference of the movement (camt `AcctSvcrRef`, MT940 `//` reference, OFX `FITID`, CSV reference).
    public var bankReference: String?
    /// The entry's reference in the statement (camt `NtryRef`).
    public var entryReference: String?
    /// The payer's or payee's reference (camt `EndToEndId`, MT940 customer reference, SPEI clave de rastreo).
    public var endToEndID: String?
    /// The other party: who paid (for a credit) or was paid (for a debit).
    public var counterpartyName: String?
    public var counterpartyAccount: String?
    /// What the payer wrote (camt `RmtInf/Ustrd`, MT940 `:86:`, OFX `MEMO`, CSV concept).
    public var remittance: String?
    /// The bank's description of the entry (camt `AddtlNtryInf`, OFX `NAME`, CSV description).
    public var description: String?
    /// The bank's transaction code (camt `PMNT/RCDT/ESCT` or proprietary, MT940 `NTRF`, OFX `TRNTYPE`).
    public var transactionCode: String?
    /// What identifies the entry across imports of overlapping files: the bank's reference where it has one, otherwise
    /// the account, the statement and the entry's fields and position (two identical movements stay two).
    public var naturalKey: String
    /// The transactions of a batched entry (camt `NtryDtls` with several `TxDtls`, each with its amount), as lines of
    /// their own whose amounts add up to the entry's; empty otherwise. They are what is stored and reconciled.
    public var transactions: [StatementEntry] = []

    public init(
        index: Int, amount: Int64, currency: String, status: EntryStatus = .booked, isReversal: Bool = false, bookingDate: CalendarDate?, valueDate: CalendarDate?,
        bankReference: String? = nil, entryReference: String? = nil, endToEndID: String? = nil, counterpartyName: String? = nil, counterpartyAccount: String? = nil,
        remittance: String? = nil, description: String? = nil, transactionCode: String? = nil, naturalKey: String
    ) {
        self.index = index
        self.amount = amount
        self.currency = currency
        self.status = status
        self.isReversal = isReversal
        self.bookingDate = bookingDate
        self.valueDate = valueDate
        self.bankReference = bankReference
        self.entryReference = entryReference
        self.endToEndID = endToEndID
        self.counterpartyName = counterpartyName
        self.counterpartyAccount = counterpartyAccount
        self.remittance = remittance
        self.description = description
        self.transactionCode = transactionCode
        self.naturalKey = naturalKey
    }
}
