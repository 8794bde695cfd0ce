import CarteraCore

/// An amount charged to a loan and what became of it.
public struct Charge: Sendable, Hashable, Codable {
    public var charged: Money
    public var paid: Money
    public var writtenOff: Money

    public init(charged: Money = .zero(), paid: Money = .zero(), writtenOff: Money = .zero()) {
        self.charged = charged
        self.paid = paid
        self.writtenOff = writtenOff
    }

    /// What is still owed.
    public var remaining: Money { charged - paid - writtenOff }
}

/// One installment of a disbursed loan on a date: what it charged and what is left.
public struct InstallmentPosition: Sendable, Hashable, Codable {
    public var number: Int
    public var dueDate: CalendarDate
    public var principal: Charge
    public var interest: Charge
    public var iva: Charge
    public var lateFee = Charge()
    public var lateFeeIva = Charge()
    public var moratorium = Charge()
    public var moratoriumIva = Charge()
    /// Ordinary interest and its IVA are recognised (devengados) when the installment falls due or is first paid.
    public var recognized = false
    /// Bonificación for paying on time, and its IVA.
    public var rebate: Money = .zero()
    public var rebateIva: Money = .zero()
    /// Overdue principal × days overdue, in centavo-days: moratorium interest is this × rate ÷ year days, rounded once,
    /// so it does not depend on how often it is computed.
    var overdueCentavoDays: Int128 = 0

    /// The scheduled payment: principal, interest and IVA.
    public var scheduledPayment: Money { principal.charged + interest.charged + iva.charged }

    /// Principal, interest and IVA still owed.
    public var remainingRegular: Money { principal.remaining + interest.remaining + iva.remaining }

    /// Everything still owed: the regular amounts, late fees and moratorium interest with their IVA.
    public var remaining: Money {
        remainingRegular + lateFee.remaining + lateFeeIva.remaining + moratorium.remaining + moratoriumIva.remaining
    }
}

/// Advance money applied to installments on their due date.
public struct AdvanceApplication: Sendable, Hashable, Codable {
    public var date: CalendarDate
    public var lines: [AllocationLine]
}

/// A disbursed loan as of the end of a day: installments, balances, arrears, and how each payment was applied.
public struct LoanPosition: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case active
        case paidOff = "paid_off"
        case writtenOff = "written_off"
    }

    public let terms: LoanTerms
    public internal(set) var asOf: CalendarDate
    public internal(set) var status: Status = .active
    public internal(set) var installments: [InstallmentPosition]
    /// Money paid ahead and not yet applied (a credit balance once the loan is paid off).
    public internal(set) var advance: Money = .zero()
    public internal(set) var recoveries: Money = .zero()
    /// Principal paid ahead of schedule (pago anticipado).
    public internal(set) var prepaid: Money = .zero()
    /// How each payment was applied, by event id.
    public internal(set) var allocations: [String: [AllocationLine]] = [:]
    public internal(set) var advanceApplications: [AdvanceApplication] = []
    public internal(set) var paidOffOn: CalendarDate?
    public internal(set) var writtenOffOn: CalendarDate?

    /// Days since the oldest installment with principal, interest or IVA unpaid fell due; 0 when none is late.
    public var daysPastDue: Int {
        guard status == .active, let oldest = installments.first(where: { $0.dueDate < asOf && $0.remainingRegular.isPositive }) else { return 0 }
        return Int(oldest.dueDate.days(until: asOf))
    }

    /// Whether the loan is cartera vencida (more than `terms.nonPerformingAfterDays` days past due).
    public var isNonPerforming: Bool { daysPastDue > terms.nonPerformingAfterDays }

    public var principalOutstanding: Money { Self.sum(installments.map(\.principal.remaining)) }

    /// Everything fallen due and unpaid (installments due on or before `asOf`), less money paid ahead.
    public var amountDue: Money {
        let due = Self.sum(installments.filter { $0.dueDate <= asOf }.map(\.remaining))
        return due > advance ? due - advance : .zero(due.currency)
    }

    /// The next installment not yet due, with something left to pay.
    public var nextInstallment: InstallmentPosition? {
        installments.first { $0.dueDate > asOf && $0.remaining.isPositive }
    }

    /// What pays the loan off today: everything due, the interest of the installment in course, and all principal,
    /// less money paid ahead.
    public var payoffAmount: Money {
        var total = Money.zero()
        var current = true
        for installment in installments {
            if installment.dueDate <= asOf {
                total += installment.remaining
            } else if current {
                total += installment.remaining
                current = false
            } else {
                total += installment.principal.remaining
            }
        }
        return total > advance ? total - advance : .zero()
    }

    /// The loan's balance in each ledger account, signed (debits positive). `cartera ledger verify` proves the journal
    /// lines of the loan add up to exactly these.
    public func ledgerBalances() -> [LedgerAccount: Int64] {
        // Summed in plain integers, then put in a dictionary once: hashing an account (its raw text) for every
        // installment was a tenth of the end-of-day close.
        let nonPerforming = isNonPerforming
        var principal: Int64 = 0, interest: Int64 = 0, interestIncome: Int64 = 0, moratorium: Int64 = 0, moratoriumIncome: Int64 = 0
        var fees: Int64 = 0, rebates: Int64 = 0, writeOffs: Int64 = 0
        var ivaReceivable = Money.zero()
        var ivaCollected = terms.openingFeeIva
        var feeIncome = terms.openingFee
        for i in installments {
            principal += i.principal.remaining.minorUnits
            if i.recognized {
                interest += i.interest.remaining.minorUnits
                interestIncome -= i.interest.charged.minorUnits
                ivaReceivable += i.iva.remaining
            }
            moratorium += i.moratorium.remaining.minorUnits
            moratoriumIncome -= i.moratorium.charged.minorUnits
            fees += i.lateFee.remaining.minorUnits
            feeIncome += i.lateFee.charged
            ivaReceivable += i.moratoriumIva.remaining + i.lateFeeIva.remaining
            ivaCollected += i.iva.paid + i.moratoriumIva.paid + i.lateFeeIva.paid - i.rebateIva
            rebates += i.rebate.minorUnits
            writeOffs += (i.principal.writtenOff + i.interest.writtenOff + i.moratorium.writtenOff + i.lateFee.writtenOff).minorUnits
        }
        let sums: [(LedgerAccount, Int64)] = [
            (nonPerforming ? .nonPerformingPrincipal : .performingPrincipal, principal),
            (nonPerforming ? .nonPerformingInterest : .performingInterest, interest),
            (.interestIncome, interestIncome), (.moratoriumReceivable, moratorium), (.moratoriumIncome, moratoriumIncome), (.feesReceivable, fees),
            (.rebates, rebates), (.writeOffs, writeOffs), (.ivaReceivable, ivaReceivable.minorUnits), (.ivaUncollected, -ivaReceivable.minorUnits),
            (.ivaCollected, -ivaCollected.minorUnits), (.feeIncome, -feeIncome.minorUnits), (.advancePayments, -advance.minorUnits),
            (.recoveries, -recoveries.minorUnits),
        ]
        var balances: [LedgerAccount: Int64] = [:]
        balances.reserveCapacity(sums.count)
        for (account, amount) in sums where amount != 0 { balances[account] = amount }
        return balances
    }

    static func sum(_ amounts: [Money]) -> Money { amounts.reduce(Money.zero(), +) }
}
