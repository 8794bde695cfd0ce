import CarteraCore

/// A borrower's promise to pay (promesa de pago): an amount by a date, with the lender's tolerance days. While it is
/// open, dunning for the loan waits; once its deadline passes it is kept, partly kept or broken, and the next dunning
/// step follows from that (one open promise per loan).
public struct PromiseToPay: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Not due yet (or within tolerance) and not fully paid.
        case open
        case kept
        case partiallyKept = "partially_kept"
        case broken
        case canceled
    }

    /// The day the promise was made: only payments from then count.
    public let madeOn: CalendarDate
    /// Centavos.
    public let amount: Int64
    public let dueDate: CalendarDate
    public let toleranceDays: Int
    public var canceled: Bool

    public init(madeOn: CalendarDate, amount: Int64, dueDate: CalendarDate, toleranceDays: Int = 0, canceled: Bool = false) {
        self.madeOn = madeOn
        self.amount = amount
        self.dueDate = dueDate
        self.toleranceDays = toleranceDays
        self.canceled = canceled
    }

    /// The last day a payment counts.
    public var deadline: CalendarDate { dueDate.adding(days: Int64(max(0, toleranceDays))) }

    /// Problems with the promise as asked for, in Spanish.
    public func issues() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if amount <= 0 { issues.append(FieldIssue(field: "amount", code: "promise_invalid", message: "El monto prometido debe ser mayor que cero.")) }
        if dueDate < madeOn { issues.append(FieldIssue(field: "dueDate", code: "promise_invalid", message: "La fecha prometida no puede ser anterior a hoy.")) }
        if !(0...30).contains(toleranceDays) {
            issues.append(FieldIssue(field: "toleranceDays", code: "promise_invalid", message: "Los días de tolerancia van de 0 a 30."))
        }
        return issues
    }

    /// What the promise is at the end of `asOf`, given the loan's payments (value date, centavos; reversed ones left
    /// out by the caller). Payments before the promise was made, or after its deadline, do not count.
    public func state(asOf: CalendarDate, payments: [(date: CalendarDate, amount: Int64)]) -> State {
        if canceled { return .canceled }
        let paid = paidTowards(payments, through: min(asOf, deadline))
        if paid >= amount { return .kept }
        guard asOf > deadline else { return .open }
        return paid > 0 ? .partiallyKept : .broken
    }

    /// What was paid towards the promise through `day`, centavos.
    public func paidTowards(_ payments: [(date: CalendarDate, amount: Int64)], through day: CalendarDate) -> Int64 {
        payments.filter { $0.date >= madeOn && $0.date <= day && $0.date <= deadline }.reduce(Int64(0)) { $0 + max(0, $1.amount) }
    }
}
