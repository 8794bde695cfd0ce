import CarteraCore

/// A history that cannot be replayed: an event outside the loan's dates, or amounts beyond what Cartera represents.
public struct LoanReplayError: CarteraError, Equatable {
    public let code: String
    public let message: String
}

/// Computes a loan's position by replaying its events in order of value date, then of recording.
///
/// Rules (documented conventions):
/// - **Days.** At the end of each due date: the installment's interest and IVA are recognised; money paid ahead is
///   applied to what is due; an installment paid in full by then earns the on-time rebate (into money paid ahead); an
///   installment still unpaid is charged the late fee with IVA, if the product has one.
/// - **Moratorium interest** accrues on each installment's overdue principal for every calendar day after its due date,
///   at the product's moratorium rate over the product's year (360 or 365 days, never 365 on a 360-day product), with
///   IVA; it is kept as centavo-days and rounded once, so the amount does not depend on when it is looked at. When the
///   product makes late fee and moratorium interest exclusive, an installment charged the late fee accrues none.
/// - **Payments** go through the product's allocation order: overdue installments are those due before the value
///   date, oldest first; the current installment is the first due on or after it. What is left is kept as pago
///   adelantado, or prepays principal (pago anticipado) of the installments after the current one, re-amortised at
///   the loan's rate either keeping the payment (shorter term) or keeping the term (lower payment).
/// - Interest, IVA and fees inside one bucket are paid in proportion; a payment that covers them pays both in full.
/// - After a **write-off** nothing accrues and payments are recoveries.
public struct LoanReplay: Sendable {
    var position: LoanPosition
    let product: Product
    let rounding: RoundingMode
    /// Moratorium rate in millionths per year.
    let moratoriumRate: Int64
    /// Date up to which moratorium interest has accrued.
    var accruedTo: CalendarDate
    /// Last day whose end-of-day work (due dates) is done.
    var closedThrough: CalendarDate
    /// The first installment whose due date has not been closed (installments are in due-date order, and a
    /// prepayment only replaces installments after the current one).
    var dueCursor = 0
    /// The value date of the last event applied.
    var lastEventDate: CalendarDate?

    /// The position of a loan with `terms` after `events`, at the end of `asOf`.
    public static func position(terms: LoanTerms, events: [LoanEvent], asOf: CalendarDate) throws(LoanReplayError) -> LoanPosition {
        try replaying(terms: terms, events: events, through: asOf).position
    }

    /// The replay of `events` through the end of `asOf`, which can be carried on with `append(_:through:)` and
    /// `close(through:)` (a cache of it saves replaying a loan's whole history for each new payment).
    public static func replaying(terms: LoanTerms, events: [LoanEvent], through asOf: CalendarDate) throws(LoanReplayError) -> LoanReplay {
        try replaying(terms: terms, events: events, to: asOf, closingTheDay: true)
    }

    /// The replay of `events` with every day before `date` closed and `date` itself open: events of that day (and later
    /// ones) can still be appended with `appendOpen(_:)`, whatever the day holds (a due date too). `closed(through:)`
    /// gives the position at the end of a day.
    public static func replaying(terms: LoanTerms, events: [LoanEvent], openOn date: CalendarDate) throws(LoanReplayError) -> LoanReplay {
        try replaying(terms: terms, events: events, to: date, closingTheDay: false)
    }

    static func replaying(terms: LoanTerms, events: [LoanEvent], to date: CalendarDate, closingTheDay: Bool) throws(LoanReplayError) -> LoanReplay {
        var replay = LoanReplay(terms: terms)
        let ordered = events.sorted { ($0.valueDate, $0.sequence) < ($1.valueDate, $1.sequence) }
        try replay.guarded { replay in
            for event in ordered {
                try replay.check(event, asOf: date)
                try replay.advance(to: event.valueDate, closingTheDay: false)
                try replay.apply(event)
            }
            try replay.advance(to: date, closingTheDay: closingTheDay)
        }
        replay.position.asOf = date
        return replay
    }

    /// Whether an event dated `valueDate` can be appended to this open replay with the same result as replaying the
    /// whole history: it falls on or after the open day and after every event applied.
    public func canAppendOpen(at valueDate: CalendarDate) -> Bool {
        valueDate > closedThrough && valueDate >= accruedTo && lastEventDate.map { valueDate >= $0 } ?? true
    }

    /// Appends an event recorded after every other (see `canAppendOpen`), leaving its day open.
    public mutating func appendOpen(_ event: LoanEvent) throws(LoanReplayError) {
        precondition(canAppendOpen(at: event.valueDate), "appendOpen only where canAppendOpen")
        try check(event, asOf: event.valueDate)
        try guarded { replay in
            try replay.advance(to: event.valueDate, closingTheDay: false)
            try replay.apply(event)
        }
        position.asOf = max(position.asOf, event.valueDate)
    }

    /// Forgets how the events applied so far were allocated (`LoanPosition.allocations`): a replay kept only to carry
    /// on with new events needs none, and copying them with every change would make each new event cost as much as
    /// the loan's whole history.
    public mutating func forgetAllocations() {
        position.allocations = [:]
    }

    /// This replay with the days through `date` closed (the replay itself stays as it is).
    public func closed(through date: CalendarDate) throws(LoanReplayError) -> LoanReplay {
        var copy = self
        try copy.close(through: date)
        return copy
    }

    /// Whether an event dated `valueDate` can be appended to this replay with the same result as replaying the whole
    /// history: it is not earlier than any event or closed day, and the day it falls on has not been closed with
    /// work that a payment of that day would have come before (a due date).
    public func canAppend(at valueDate: CalendarDate) -> Bool {
        guard valueDate >= closedThrough, lastEventDate.map({ valueDate >= $0 }) ?? true else { return false }
        if valueDate > closedThrough { return true }
        return !position.installments.contains { $0.dueDate == valueDate }
    }

    /// Appends an event recorded after every other (see `canAppend`) and closes the days through `asOf`.
    public mutating func append(_ event: LoanEvent, through asOf: CalendarDate) throws(LoanReplayError) {
        precondition(canAppend(at: event.valueDate), "append only where canAppend")
        try check(event, asOf: asOf)
        try guarded { replay in
            try replay.advance(to: event.valueDate, closingTheDay: false)
            try replay.apply(event)
            try replay.advance(to: asOf, closingTheDay: true)
        }
        position.asOf = max(position.asOf, asOf)
    }

    /// Closes the days through `asOf` (accrual, due dates) with no new event.
    public mutating func close(through asOf: CalendarDate) throws(LoanReplayError) {
        try guarded { replay in try replay.advance(to: asOf, closingTheDay: true) }
        position.asOf = max(position.asOf, asOf)
    }

    /// The position at the end of the last closed day.
    public var result: LoanPosition { position }

    func check(_ event: LoanEvent, asOf: CalendarDate) throws(LoanReplayError) {
        guard event.valueDate >= position.terms.disbursementDate else {
            throw LoanReplayError(code: "value_date_before_disbursement", message: "La fecha valor \(event.valueDate.text) es anterior a la disposición del crédito (\(position.terms.disbursementDate.text)).")
        }
        guard event.valueDate <= asOf else {
            throw LoanReplayError(code: "value_date_in_future", message: "La fecha valor \(event.valueDate.text) es posterior al \(asOf.text).")
        }
    }

    mutating func guarded(_ work: (inout LoanReplay) throws -> Void) throws(LoanReplayError) {
        do {
            try work(&self)
        } catch let error as LoanReplayError {
            throw error
        } catch {
            throw LoanReplayError(code: "amount_overflow", message: "Los montos del crédito exceden lo que Cartera puede representar.")
        }
    }

    init(terms: LoanTerms) {
        product = terms.product
        rounding = terms.product.rounding
        moratoriumRate = terms.product.moratorium.annualRate(ordinary: terms.product.annualRate).millionths
        accruedTo = terms.disbursementDate
        closedThrough = terms.disbursementDate
        let installments = terms.schedule.map { row in
            InstallmentPosition(
                number: row.number, dueDate: row.dueDate, principal: Charge(charged: row.principal), interest: Charge(charged: row.interest),
                iva: Charge(charged: row.iva)
            )
        }
        position = LoanPosition(terms: terms, asOf: terms.disbursementDate, installments: installments)
    }

    // MARK: Time

    /// Brings the loan to `date`: the end of every earlier day (and of `date` itself when `closingTheDay`).
    mutating func advance(to date: CalendarDate, closingTheDay: Bool) throws {
        let lastDay = closingTheDay ? date : date.adding(days: -1)
        while dueCursor < position.installments.count, position.installments[dueCursor].dueDate <= lastDay {
            let next = position.installments[dueCursor].dueDate
            if next > closedThrough {
                // Overdue principal changes at the end of a due date only when money paid ahead is applied; otherwise
                // the accrual can wait for the next event (centavo-days are additive), which keeps a replay
                // O(installments + events) however old the loan is.
                if position.advance.isPositive { try accrue(to: next) }
                try endOfDay(next)
                closedThrough = next
            }
            while dueCursor < position.installments.count, position.installments[dueCursor].dueDate <= next { dueCursor += 1 }
        }
        try accrue(to: date)
        if lastDay > closedThrough { closedThrough = lastDay }
    }

    /// Moratorium interest on overdue principal up to `date`.
    mutating func accrue(to date: CalendarDate) throws {
        defer { if date > accruedTo { accruedTo = date } }
        guard date > accruedTo, position.status == .active, moratoriumRate > 0 else { return }
        let yearDays = Int128(product.dayCount.yearDays)
        for index in position.installments.indices where position.installments[index].dueDate < date {
            // In place (most overdue installments are skipped; copying each was a noticeable part of a replay).
            if product.lateFeeExcludesMoratorium && position.installments[index].lateFee.charged.isPositive { continue }
            let outstanding = position.installments[index].principal.remaining
            guard outstanding.isPositive else { continue }
            let from = max(accruedTo, position.installments[index].dueDate)
            let days = from.days(until: date)
            guard days > 0 else { continue }
            position.installments[index].overdueCentavoDays += Int128(outstanding.minorUnits) * Int128(days)
            let interest = rounding.divide(position.installments[index].overdueCentavoDays * Int128(moratoriumRate), by: Int128(Rate.scale) * yearDays)
            guard let centavos = Int64(exactly: interest) else { throw MoneyError.overflow }
            let charged = Money(minorUnits: centavos, currency: outstanding.currency)
            position.installments[index].moratorium.charged = charged
            position.installments[index].moratoriumIva.charged = try charged.scaled(by: product.ivaRate.millionths, over: Rate.scale, rounding: rounding)
        }
    }

    /// The end of a due date: recognition, money paid ahead, rebate, late fee.
    mutating func endOfDay(_ day: CalendarDate) throws {
        guard position.status == .active else { return }
        for index in position.installments.indices where position.installments[index].dueDate == day {
            position.installments[index].recognized = true
        }
        if position.advance.isPositive {
            var available = position.advance
            let lines = try waterfall(&available, at: day, currentMustBeDue: true)
            position.advance = available
            if !lines.isEmpty { position.advanceApplications.append(AdvanceApplication(date: day, lines: lines)) }
        }
        for index in position.installments.indices where position.installments[index].dueDate == day {
            var installment = position.installments[index]
            if installment.remainingRegular.isZero {
                if let rate = product.onTimeRebate, rate > .zero, installment.rebate.isZero, installment.lateFee.charged.isZero {
                    installment.rebate = try installment.interest.charged.scaled(by: rate.millionths, over: Rate.scale, rounding: rounding)
                    installment.rebateIva = try installment.rebate.scaled(by: product.ivaRate.millionths, over: Rate.scale, rounding: rounding)
                    position.advance += installment.rebate + installment.rebateIva
                }
            } else if let fee = product.lateFee, fee.isPositive, installment.lateFee.charged.isZero {
                installment.lateFee.charged = fee
                installment.lateFeeIva.charged = try fee.scaled(by: product.feeIvaRate.millionths, over: Rate.scale, rounding: rounding)
            }
            position.installments[index] = installment
        }
        settleIfPaid(on: day)
    }

    // MARK: Events

    mutating func apply(_ event: LoanEvent) throws {
        lastEventDate = event.valueDate
        switch event.kind {
        case .payment(let amount, let excess):
            guard amount.isPositive else { throw LoanReplayError(code: "amount_invalid", message: "El monto del pago debe ser mayor que cero.") }
            if position.status == .writtenOff {
                position.recoveries += amount
                position.allocations[event.id] = [AllocationLine(installment: nil, component: .recovery, amount: amount)]
                return
            }
            var available = amount
            var lines = try waterfall(&available, at: event.valueDate, currentMustBeDue: false)
            if available.isPositive, excess != .advance {
                lines += try prepay(&available, at: event.valueDate, keeping: excess)
            }
            if available.isPositive {
                position.advance += available
                lines.append(AllocationLine(installment: nil, component: .advance, amount: available))
            }
            position.allocations[event.id] = lines
            settleIfPaid(on: event.valueDate)
        case .writeOff:
            guard position.status == .active else {
                throw LoanReplayError(code: "loan_not_active", message: "Solo se castiga un crédito vigente con saldo.")
            }
            if position.advance.isPositive {
                var available = position.advance
                let lines = try waterfall(&available, at: event.valueDate, currentMustBeDue: false)
                position.advance = available
                if !lines.isEmpty { position.advanceApplications.append(AdvanceApplication(date: event.valueDate, lines: lines)) }
            }
            for index in position.installments.indices {
                var i = position.installments[index]
                i.principal.writtenOff += i.principal.remaining
                if i.recognized {
                    i.interest.writtenOff += i.interest.remaining
                    i.iva.writtenOff += i.iva.remaining
                } else {
                    // Interest of periods not yet reached is never charged.
                    i.interest.charged = i.interest.paid
                    i.iva.charged = i.iva.paid
                }
                i.lateFee.writtenOff += i.lateFee.remaining
                i.lateFeeIva.writtenOff += i.lateFeeIva.remaining
                i.moratorium.writtenOff += i.moratorium.remaining
                i.moratoriumIva.writtenOff += i.moratoriumIva.remaining
                position.installments[index] = i
            }
            position.status = .writtenOff
            position.writtenOffOn = event.valueDate
        }
    }

    mutating func settleIfPaid(on date: CalendarDate) {
        // From the last installment back: an active loan almost always still owes its last one.
        guard position.status == .active, !position.installments.reversed().contains(where: { !$0.remaining.isZero }) else { return }
        position.status = .paidOff
        position.paidOffOn = date
    }

    // MARK: Allocation

    /// Applies `available` through the product's order on `date`; returns the lines and leaves the rest in `available`.
    /// With `currentMustBeDue`, the current installment is paid only when it falls due on `date` (money paid ahead).
    mutating func waterfall(_ available: inout Money, at date: CalendarDate, currentMustBeDue: Bool) throws -> [AllocationLine] {
        var lines: [AllocationLine] = []
        let overdue = position.installments.indices.filter { position.installments[$0].dueDate < date }
        var current = position.installments.indices.first { position.installments[$0].dueDate >= date }
        if currentMustBeDue, let index = current, position.installments[index].dueDate != date { current = nil }
        for bucket in product.allocationOrder {
            guard available.isPositive else { break }
            switch bucket {
            case .fees:
                for index in overdue {
                    try payPair(index, .lateFee, &available, &lines)
                }
            case .moratoriumInterest:
                for index in overdue {
                    try payPair(index, .moratorium, &available, &lines)
                }
            case .overdueInterest:
                for index in overdue {
                    try payPair(index, .interest, &available, &lines)
                }
            case .overduePrincipal:
                for index in overdue { payPrincipal(index, &available, &lines) }
            case .currentInterest:
                if let index = current { try payPair(index, .interest, &available, &lines) }
            case .currentPrincipal:
                if let index = current { payPrincipal(index, &available, &lines) }
            case .advance:
                break
            }
        }
        return lines
    }

    /// A charge and its IVA, paid together.
    enum Pair {
        case lateFee, moratorium, interest
    }

    /// Pays a charge and its IVA together; a partial amount is split in proportion to what is left of each.
    mutating func payPair(_ index: Int, _ pair: Pair, _ available: inout Money, _ lines: inout [AllocationLine]) throws {
        // Read and written in place: copying the whole installment for every pair of every bucket was a noticeable part
        // of a replay.
        let base: Charge, tax: Charge
        let components: (AllocationLine.Component, AllocationLine.Component)
        switch pair {
        case .lateFee: (base, tax, components) = (position.installments[index].lateFee, position.installments[index].lateFeeIva, (.lateFee, .lateFeeIva))
        case .moratorium: (base, tax, components) = (position.installments[index].moratorium, position.installments[index].moratoriumIva, (.moratorium, .moratoriumIva))
        case .interest: (base, tax, components) = (position.installments[index].interest, position.installments[index].iva, (.interest, .interestIva))
        }
        let b = base.remaining
        let v = tax.remaining
        let owed = b + v
        guard owed.isPositive, available.isPositive else { return }
        let amount = min(available, owed)
        var taxPart = amount == owed ? v : try amount.scaled(by: v.minorUnits, over: owed.minorUnits, rounding: rounding)
        if taxPart > v { taxPart = v }
        var basePart = amount - taxPart
        if basePart > b {
            basePart = b
            taxPart = amount - b
        }
        switch pair {
        case .lateFee:
            position.installments[index].lateFee.paid += basePart
            position.installments[index].lateFeeIva.paid += taxPart
        case .moratorium:
            position.installments[index].moratorium.paid += basePart
            position.installments[index].moratoriumIva.paid += taxPart
        case .interest:
            position.installments[index].interest.paid += basePart
            position.installments[index].iva.paid += taxPart
            position.installments[index].recognized = true
        }
        available -= amount
        let number = position.installments[index].number
        if basePart.isPositive { lines.append(AllocationLine(installment: number, component: components.0, amount: basePart)) }
        if taxPart.isPositive { lines.append(AllocationLine(installment: number, component: components.1, amount: taxPart)) }
    }

    mutating func payPrincipal(_ index: Int, _ available: inout Money, _ lines: inout [AllocationLine]) {
        let owed = position.installments[index].principal.remaining
        guard owed.isPositive, available.isPositive else { return }
        let amount = min(available, owed)
        position.installments[index].principal.paid += amount
        available -= amount
        lines.append(AllocationLine(installment: position.installments[index].number, component: .principal, amount: amount))
    }

    // MARK: Prepayment

    /// Pago anticipado: pays principal of the installments after the current one and re-amortises what is left.
    mutating func prepay(_ available: inout Money, at date: CalendarDate, keeping policy: ExcessPolicy) throws -> [AllocationLine] {
        let currentIndex = position.installments.indices.first { position.installments[$0].dueDate >= date }
        let futureStart = currentIndex.map { $0 + 1 } ?? position.installments.count
        guard futureStart < position.installments.count else { return [] }
        let future = Array(position.installments[futureStart...])
        let futurePrincipal = LoanPosition.sum(future.map(\.principal.remaining))
        let amount = min(available, futurePrincipal)
        guard amount.isPositive else { return [] }
        available -= amount
        position.prepaid += amount
        let balance = futurePrincipal - amount
        position.installments.removeSubrange(futureStart...)
        if balance.isPositive {
            position.installments += try reamortize(balance, over: future, keeping: policy)
        }
        return [AllocationLine(installment: nil, component: .prepayment, amount: amount)]
    }

    /// New installments for `balance` on the due dates of `future`: the same payment (fewer installments) or the same
    /// number of installments (a lower payment).
    func reamortize(_ balance: Money, over future: [InstallmentPosition], keeping policy: ExcessPolicy) throws -> [InstallmentPosition] {
        let (fn, fd) = product.periodFraction
        let num = product.annualRate.millionths * fn
        let den = Rate.scale * fd
        let count = future.count
        let first = future[0]
        let level: Money
        let equalPrincipal: Money
        switch policy {
        case .reducePayment, .advance:
            level = try Quoting.frenchPayment(principal: balance, num: num, den: den, iva: product.ivaRate, n: count)
            equalPrincipal = try balance.scaled(by: 1, over: Int64(count), rounding: rounding)
        case .reduceTerm:
            level = first.scheduledPayment
            equalPrincipal = first.principal.charged
        }
        var rows: [InstallmentPosition] = []
        var remaining = balance
        let flatInterest = try balance.scaled(by: num, over: den, rounding: rounding)
        for (offset, slot) in future.enumerated() {
            let interest = product.method == .flat ? flatInterest : try remaining.scaled(by: num, over: den, rounding: rounding)
            let iva = try interest.scaled(by: product.ivaRate.millionths, over: Rate.scale, rounding: rounding)
            var principal = product.method == .french ? level - interest - iva : equalPrincipal
            if principal.isNegative { principal = .zero(balance.currency) }
            if offset == count - 1 || principal > remaining { principal = remaining }
            remaining -= principal
            rows.append(InstallmentPosition(
                number: slot.number, dueDate: slot.dueDate, principal: Charge(charged: principal), interest: Charge(charged: interest),
                iva: Charge(charged: iva)
            ))
            if remaining.isZero { break }
        }
        return rows
    }
}
