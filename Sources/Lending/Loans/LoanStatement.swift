import CarteraCore

/// An account statement (estado de cuenta) of a loan for a period: opening and closing balance, every movement with
/// the balance after it, interest and IVA charged, payments and how they were applied, the next payment, days past
/// due and the CAT.
///
/// The balance is what the borrower owes on a date: principal outstanding, plus interest and IVA of installments
/// already due (or paid ahead), moratorium interest and late fees with IVA, less money paid ahead. It reconciles:
/// closing = opening + charges − payments − rebates − write-off.
public struct LoanStatement: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case disbursement = "disposicion"
        case interest = "interes"
        case moratorium = "moratorio"
        case lateFee = "comision"
        case payment = "pago"
        case rebate = "bonificacion"
        case writeOff = "castigo"
    }

    /// One line of the statement. `charge` raises the balance, `credit` lowers it.
    public struct Movement: Sendable, Hashable {
        public let date: CalendarDate
        public let kind: Kind
        public let description: String
        public let charge: Money
        public let credit: Money
        public internal(set) var balance: Money
        /// For a payment: its id and how it was applied.
        public let paymentID: String?
        public let allocation: [AllocationLine]
    }

    public let from: CalendarDate
    public let to: CalendarDate
    public let openingBalance: Money
    public let closingBalance: Money
    public let movements: [Movement]
    public let interestCharged: Money
    public let ivaCharged: Money
    public let moratoriumCharged: Money
    public let feesCharged: Money
    public let paymentsTotal: Money
    /// The position at the end of the period.
    public let closing: LoanPosition

    /// The statement of a loan with `terms` and `events` (payments and write-offs not reversed) from `from` to `to`.
    public static func make(terms: LoanTerms, events: [LoanEvent], from: CalendarDate, to: CalendarDate) throws(LoanReplayError) -> LoanStatement {
        guard from <= to else { throw LoanReplayError(code: "period_invalid", message: "El periodo debe empezar antes de terminar.") }
        let to = max(to, terms.disbursementDate)
        let inPeriod = { (date: CalendarDate) in date >= from && date <= to }
        let closing = try LoanReplay.position(terms: terms, events: events.filter { $0.valueDate <= to }, asOf: to)
        let before = from.adding(days: -1)
        let opening: LoanPosition? = before >= terms.disbursementDate
            ? try LoanReplay.position(terms: terms, events: events.filter { $0.valueDate <= before }, asOf: before) : nil

        var movements: [Movement] = []
        func add(_ date: CalendarDate, _ kind: Kind, _ description: String, charge: Money = .zero(), credit: Money = .zero(), payment: String? = nil, allocation: [AllocationLine] = []) {
            guard charge.isPositive || credit.isPositive || payment != nil else { return }
            movements.append(Movement(date: date, kind: kind, description: description, charge: charge, credit: credit, balance: .zero(), paymentID: payment, allocation: allocation))
        }
        if opening == nil {
            add(terms.disbursementDate, .disbursement, "Disposición del crédito", charge: terms.principal)
        }
        var interest = Money.zero(), iva = Money.zero(), moratorium = Money.zero(), fees = Money.zero()
        for installment in closing.installments {
            let earlier = opening?.installments.first { $0.number == installment.number && $0.dueDate == installment.dueDate }
            if installment.recognized && !(earlier?.recognized ?? false) {
                let date = min(installment.dueDate, to)
                add(date, .interest, "Intereses del pago \(installment.number)", charge: installment.interest.charged)
                add(date, .interest, "IVA de intereses del pago \(installment.number)", charge: installment.iva.charged)
                interest += installment.interest.charged
                iva += installment.iva.charged
            }
            let newFee = installment.lateFee.charged - (earlier?.lateFee.charged ?? .zero())
            let newFeeIva = installment.lateFeeIva.charged - (earlier?.lateFeeIva.charged ?? .zero())
            add(min(installment.dueDate.adding(days: 1), to), .lateFee, "Comisión por atraso del pago \(installment.number) con IVA", charge: newFee + newFeeIva)
            fees += newFee
            iva += newFeeIva
            let newMoratorium = installment.moratorium.charged - (earlier?.moratorium.charged ?? .zero())
            let newMoratoriumIva = installment.moratoriumIva.charged - (earlier?.moratoriumIva.charged ?? .zero())
            add(closing.writtenOffOn ?? to, .moratorium, "Intereses moratorios del pago \(installment.number) con IVA", charge: newMoratorium + newMoratoriumIva)
            moratorium += newMoratorium
            iva += newMoratoriumIva
            let rebate = installment.rebate + installment.rebateIva - (earlier.map { $0.rebate + $0.rebateIva } ?? .zero())
            add(installment.dueDate, .rebate, "Bonificación por pago puntual del pago \(installment.number)", credit: rebate)
        }
        var payments = Money.zero()
        for event in events where inPeriod(event.valueDate) {
            switch event.kind {
            case .payment(let amount, _):
                if let writtenOff = closing.writtenOffOn, event.valueDate >= writtenOff {
                    // After a write-off nothing is owed; the money is a recovery.
                    add(event.valueDate, .payment, "Recuperación de cartera castigada (\(amount.formatted(.symbol)))", payment: event.id, allocation: closing.allocations[event.id] ?? [])
                } else {
                    add(event.valueDate, .payment, "Pago recibido", credit: amount, payment: event.id, allocation: closing.allocations[event.id] ?? [])
                }
                payments += amount
            case .writeOff:
                let writtenOff = closing.installments.reduce(Money.zero()) {
                    $0 + $1.principal.writtenOff + $1.interest.writtenOff + $1.iva.writtenOff + $1.lateFee.writtenOff + $1.lateFeeIva.writtenOff
                        + $1.moratorium.writtenOff + $1.moratoriumIva.writtenOff
                }
                add(event.valueDate, .writeOff, "Castigo del saldo", credit: writtenOff)
            }
        }
        // Charges before credits on the same day; the order of recording otherwise.
        movements = movements.enumerated().sorted { a, b in
            (a.element.date, a.element.credit.isPositive ? 1 : 0, a.offset) < (b.element.date, b.element.credit.isPositive ? 1 : 0, b.offset)
        }.map(\.element)
        let openingBalance = opening.map(Self.balance) ?? .zero()
        var running = openingBalance
        for index in movements.indices {
            running = running + movements[index].charge - movements[index].credit
            movements[index].balance = running
        }
        return LoanStatement(
            from: from, to: to, openingBalance: openingBalance, closingBalance: Self.balance(closing), movements: movements, interestCharged: interest,
            ivaCharged: iva, moratoriumCharged: moratorium, feesCharged: fees, paymentsTotal: payments, closing: closing
        )
    }

    /// What the borrower owes at the end of the position's day (negative: a credit balance, after a recovery: zero).
    public static func balance(_ position: LoanPosition) -> Money {
        var owed = Money.zero()
        for i in position.installments {
            owed += i.principal.remaining + i.lateFee.remaining + i.lateFeeIva.remaining + i.moratorium.remaining + i.moratoriumIva.remaining
            if i.recognized { owed += i.interest.remaining + i.iva.remaining }
        }
        return owed - position.advance
    }
}
