import CarteraCore
import Lending

/// One loan at the end of one business day, as the end-of-day close records it. Every collections figure (buckets,
/// PAR, roll rates, vintages) is computed from these rows, so a report can always be reproduced.
public struct LoanSnapshot: Sendable, Hashable, Codable {
    public let date: CalendarDate
    public let loanID: String
    public let clientID: String
    public let productCode: String
    public let disbursedOn: CalendarDate
    /// `active`, `paid_off` or `written_off` (the position's status that day).
    public let status: String
    public let daysPastDue: Int
    public let bucket: String
    /// Cartera vencida that day (days past due above the loan's rule).
    public let nonPerforming: Bool
    /// The loan replaced another in a restructure (PAR counts these whatever their days past due).
    public let restructured: Bool
    /// Outstanding principal (the PAR and GLP measure), centavos.
    public let principalOutstanding: Int64
    /// Principal of installments due before the day and unpaid, centavos.
    public let overduePrincipal: Int64
    /// Ordinary interest and its IVA of those installments, centavos.
    public let overdueInterest: Int64
    /// Moratorium interest, late fees and their IVA still owed, centavos.
    public let overdueCharges: Int64
    /// Everything fallen due and unpaid (installments due on or before the day), less money paid ahead, centavos.
    public let amountDue: Int64
    /// Installments due before the day with something unpaid.
    public let installmentsOverdue: Int
    public let nextDueDate: CalendarDate?
    /// Of the last six installments due before the day, those paid late (moratorium interest or a late fee was charged)
    /// or still unpaid: the loan's recent payment behaviour.
    public let lateInstallments: Int

    /// The snapshot of `position` (at the end of `date`), bucketed by `buckets`.
    public init(
        position: LoanPosition, date: CalendarDate, loanID: String, clientID: String, productCode: String, restructured: Bool, buckets: DelinquencyBuckets
    ) {
        self.date = date
        self.loanID = loanID
        self.clientID = clientID
        self.productCode = productCode
        disbursedOn = position.terms.disbursementDate
        status = position.status.rawValue
        daysPastDue = position.daysPastDue
        bucket = buckets.bucket(for: position.daysPastDue).code
        nonPerforming = position.status == .active && position.isNonPerforming
        self.restructured = restructured
        principalOutstanding = position.status == .active ? position.principalOutstanding.minorUnits : 0
        var principal: Int64 = 0
        var interest: Int64 = 0
        var charges: Int64 = 0
        var overdue = 0
        for installment in position.installments where installment.dueDate < date {
            principal += installment.principal.remaining.minorUnits
            interest += (installment.interest.remaining + installment.iva.remaining).minorUnits
            if installment.remainingRegular.isPositive { overdue += 1 }
        }
        for installment in position.installments {
            charges += (installment.moratorium.remaining + installment.moratoriumIva.remaining + installment.lateFee.remaining + installment.lateFeeIva.remaining).minorUnits
        }
        let active = position.status == .active
        overduePrincipal = active ? principal : 0
        overdueInterest = active ? interest : 0
        overdueCharges = active ? charges : 0
        installmentsOverdue = active ? overdue : 0
        amountDue = active ? position.amountDue.minorUnits : 0
        nextDueDate = active ? position.nextInstallment?.dueDate : nil
        lateInstallments = position.installments.filter { $0.dueDate < date }.suffix(6).filter { installment in
            installment.remainingRegular.isPositive || installment.moratorium.charged.isPositive || installment.lateFee.charged.isPositive
        }.count
    }

    /// A snapshot as stored.
    public init(
        date: CalendarDate, loanID: String, clientID: String, productCode: String, disbursedOn: CalendarDate, status: String, daysPastDue: Int, bucket: String,
        nonPerforming: Bool, restructured: Bool, principalOutstanding: Int64, overduePrincipal: Int64, overdueInterest: Int64, overdueCharges: Int64,
        amountDue: Int64, installmentsOverdue: Int, lateInstallments: Int = 0, nextDueDate: CalendarDate?
    ) {
        self.lateInstallments = lateInstallments
        self.date = date
        self.loanID = loanID
        self.clientID = clientID
        self.productCode = productCode
        self.disbursedOn = disbursedOn
        self.status = status
        self.daysPastDue = daysPastDue
        self.bucket = bucket
        self.nonPerforming = nonPerforming
        self.restructured = restructured
        self.principalOutstanding = principalOutstanding
        self.overduePrincipal = overduePrincipal
        self.overdueInterest = overdueInterest
        self.overdueCharges = overdueCharges
        self.amountDue = amountDue
        self.installmentsOverdue = installmentsOverdue
        self.nextDueDate = nextDueDate
    }
}
