import CarteraCore
import CarteraTestSupport
import Lending
import Testing

@Suite("Loans: replay, allocation, moratorium, ledger balances")
struct LoanReplayTests {
    static let start = CalendarDate(text: "2026-01-15")!

    static func product(
        rate: Int64 = 24, term: ClosedRange<Int> = 1...36, frequency: Frequency = .mensual, method: AmortizationMethod = .french,
        lateFee: Money? = nil, rebate: Rate? = nil
    ) -> Product {
        Product(
            code: "P", name: "Prueba", annualRate: .percent(rate), frequency: frequency, method: method, minimumAmount: .mxn(centavos: 100),
            maximumAmount: .mxn(centavos: 100_000_000_00), minimumTerm: term.lowerBound, maximumTerm: term.upperBound, lateFee: lateFee,
            onTimeRebate: rebate
        )
    }

    static func pay(_ id: String, _ centavos: Int64, on date: String, sequence: Int64 = 1, excess: ExcessPolicy = .advance) -> LoanEvent {
        LoanEvent(id: id, sequence: sequence, valueDate: CalendarDate(text: date)!, kind: .payment(amount: .mxn(centavos: centavos), excess: excess))
    }

    static func total(_ balances: [LedgerAccount: Int64]) -> Int64 { balances.values.reduce(0, +) }

    @Test("One installment of 10,000.00 at 24 %: 200.00 interest + 32.00 IVA; 30 days late at 1.5× adds 300.00 + 48.00 of moratorium interest")
    func moratoriumGolden() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: Self.start)
        #expect(terms.schedule[0].interest == .mxn(centavos: 20_000) && terms.schedule[0].iva == .mxn(centavos: 3_200))
        #expect(terms.schedule[0].dueDate.text == "2026-02-15")
        let late = try LoanReplay.position(terms: terms, events: [], asOf: CalendarDate(text: "2026-03-17")!)
        #expect(late.daysPastDue == 30)
        #expect(late.installments[0].moratorium.charged == .mxn(centavos: 30_000))
        #expect(late.installments[0].moratoriumIva.charged == .mxn(centavos: 4_800))
        #expect(late.amountDue == .mxn(centavos: 1_058_000))

        let paid = try LoanReplay.position(terms: terms, events: [Self.pay("a", 1_058_000, on: "2026-03-17")], asOf: CalendarDate(text: "2026-03-17")!)
        #expect(paid.status == .paidOff)
        let lines = paid.allocations["a"]!.map { "\($0.component.rawValue)=\($0.amount.minorUnits)" }
        #expect(lines == ["moratorium=30000", "moratorium_iva=4800", "interest=20000", "interest_iva=3200", "principal=1000000"])
        // Everything paid: nothing is left in receivables; income and IVA collected are what was charged.
        let balances = paid.ledgerBalances()
        #expect(balances[.performingPrincipal] == nil && balances[.ivaReceivable] == nil)
        #expect(balances[.interestIncome] == -20_000 && balances[.moratoriumIncome] == -30_000 && balances[.ivaCollected] == -8_000)
        #expect(Self.total(balances) == terms.disbursed.minorUnits - 1_058_000)
    }

    @Test("A back-dated partial payment changes the moratorium interest accrued after it")
    func backDated() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_000_000), term: 1, disbursementDate: Self.start)
        // 5,000.00 on day 10 of arrears: 100.00 + 16.00 moratorium, 200.00 + 32.00 interest, 4,652.00 principal.
        let position = try LoanReplay.position(terms: terms, events: [Self.pay("a", 500_000, on: "2026-02-25")], asOf: CalendarDate(text: "2026-03-17")!)
        let lines = position.allocations["a"]!.map { "\($0.component.rawValue)=\($0.amount.minorUnits)" }
        #expect(lines == ["moratorium=10000", "moratorium_iva=1600", "interest=20000", "interest_iva=3200", "principal=465200"])
        // (10,000.00 × 10 days + 5,348.00 × 20 days) × 36 % / 360 = 206.96, of which 100.00 paid.
        #expect(position.installments[0].moratorium.charged == .mxn(centavos: 20_696))
        #expect(position.installments[0].moratorium.remaining == .mxn(centavos: 10_696))
    }

    @Test("Moratorium interest does not depend on how often the position is computed")
    func accrualIsExact() throws {
        let terms = try LoanTerms.make(product: Self.product(rate: 37), amount: .mxn(centavos: 1_234_567), term: 3, disbursementDate: Self.start)
        let asOf = CalendarDate(text: "2027-06-30")!
        let once = try LoanReplay.position(terms: terms, events: [], asOf: asOf)
        // The same dates reached through payments of one centavo on many days give the same moratorium on the rest.
        let cents = (0..<40).map { Self.pay("c\($0)", 1, on: CalendarDate(text: "2026-05-01")!.adding(days: Int64($0 * 7)).text, sequence: Int64($0)) }
        let many = try LoanReplay.position(terms: terms, events: cents, asOf: asOf)
        #expect(once.installments.count == many.installments.count)
        #expect(Self.total(many.ledgerBalances()) == terms.disbursed.minorUnits - 40)
        #expect(once.installments[2].moratorium.charged == many.installments[2].moratorium.charged)
    }

    @Test("Pago adelantado is applied to the next installment on its due date; the loan never falls late")
    func advance() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_200_000), term: 3, disbursementDate: Self.start)
        let payment = terms.schedule[0].payment.minorUnits
        let events = [Self.pay("a", payment * 2, on: "2026-02-15")]
        let position = try LoanReplay.position(terms: terms, events: events, asOf: CalendarDate(text: "2026-03-20")!)
        #expect(position.allocations["a"]!.last?.component == .advance)
        #expect(position.advanceApplications.count == 1 && position.advanceApplications[0].date.text == "2026-03-15")
        #expect(position.installments[1].remaining.isZero)
        #expect(position.daysPastDue == 0)
        #expect(position.advance.isZero)
    }

    @Test("Pago anticipado: reduce term keeps the payment and drops installments; reduce payment keeps the count")
    func prepayment() throws {
        let terms = try LoanTerms.make(product: Self.product(rate: 60), amount: .mxn(centavos: 1_200_000), term: 12, disbursementDate: Self.start)
        let first = terms.schedule[0].payment.minorUnits
        let asOf = CalendarDate(text: "2026-02-15")!
        let shorter = try LoanReplay.position(terms: terms, events: [Self.pay("a", first + 500_000, on: "2026-02-15", excess: .reduceTerm)], asOf: asOf)
        #expect(shorter.allocations["a"]!.last == AllocationLine(installment: nil, component: .prepayment, amount: .mxn(centavos: 500_000)))
        #expect(shorter.installments.count < 12)
        #expect(shorter.installments[1].scheduledPayment == terms.schedule[1].payment)
        let lower = try LoanReplay.position(terms: terms, events: [Self.pay("a", first + 500_000, on: "2026-02-15", excess: .reducePayment)], asOf: asOf)
        #expect(lower.installments.count == 12)
        #expect(lower.installments[1].scheduledPayment < terms.schedule[1].payment)
        for position in [shorter, lower] {
            let scheduled = position.installments.reduce(Money.zero()) { $0 + $1.principal.charged }
            #expect(scheduled + position.prepaid == terms.principal)
            #expect(position.installments.last!.principal.remaining == position.installments.last!.principal.charged)
        }
    }

    @Test("A late fee with IVA replaces moratorium interest when the product makes them exclusive")
    func lateFeeExclusive() throws {
        let product = Self.product(lateFee: .mxn(centavos: 25_000))
        let terms = try LoanTerms.make(product: product, amount: .mxn(centavos: 1_000_000), term: 2, disbursementDate: Self.start)
        let position = try LoanReplay.position(terms: terms, events: [], asOf: CalendarDate(text: "2026-03-10")!)
        #expect(position.installments[0].lateFee.charged == .mxn(centavos: 25_000))
        #expect(position.installments[0].lateFeeIva.charged == .mxn(centavos: 4_000))
        #expect(position.installments[0].moratorium.charged.isZero)
        #expect(Self.total(position.ledgerBalances()) == terms.disbursed.minorUnits)
    }

    @Test("An installment paid on time earns the rebate, kept for the next one")
    func rebate() throws {
        let terms = try LoanTerms.make(product: Self.product(rebate: .percent(10)), amount: .mxn(centavos: 1_000_000), term: 2, disbursementDate: Self.start)
        let position = try LoanReplay.position(terms: terms, events: [Self.pay("a", terms.schedule[0].payment.minorUnits, on: "2026-02-10")], asOf: CalendarDate(text: "2026-02-20")!)
        let interest = terms.schedule[0].interest.minorUnits
        #expect(position.installments[0].rebate.minorUnits == (interest + 5) / 10)
        #expect(position.advance == position.installments[0].rebate + position.installments[0].rebateIva)
        #expect(Self.total(position.ledgerBalances()) == terms.disbursed.minorUnits - terms.schedule[0].payment.minorUnits)
    }

    @Test("A write-off moves the balance to castigos; later money is a recovery")
    func writeOff() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_000_000), term: 6, disbursementDate: Self.start)
        let events = [
            LoanEvent(id: "w", sequence: 1, valueDate: CalendarDate(text: "2026-09-01")!, kind: .writeOff),
            Self.pay("r", 100_000, on: "2026-10-01", sequence: 2),
        ]
        let position = try LoanReplay.position(terms: terms, events: events, asOf: CalendarDate(text: "2026-12-31")!)
        #expect(position.status == .writtenOff)
        let balances = position.ledgerBalances()
        #expect(balances[.performingPrincipal] == nil && balances[.nonPerformingPrincipal] == nil && balances[.ivaReceivable] == nil)
        #expect(balances[.recoveries] == -100_000)
        #expect(Self.total(balances) == terms.disbursed.minorUnits - 100_000)
    }

    @Test("After more than 90 days past due the loan is cartera vencida")
    func nonPerforming() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_000_000), term: 6, disbursementDate: Self.start)
        let day90 = try LoanReplay.position(terms: terms, events: [], asOf: CalendarDate(text: "2026-05-16")!)
        #expect(day90.daysPastDue == 90 && !day90.isNonPerforming)
        let day91 = try LoanReplay.position(terms: terms, events: [], asOf: CalendarDate(text: "2026-05-17")!)
        #expect(day91.isNonPerforming && day91.ledgerBalances()[.nonPerformingPrincipal] == 1_000_000)
    }

    @Test("A payment dated before disbursement or after the position date is refused")
    func refusals() throws {
        let terms = try LoanTerms.make(product: Self.product(), amount: .mxn(centavos: 1_000_000), term: 6, disbursementDate: Self.start)
        #expect(throws: LoanReplayError.self) { try LoanReplay.position(terms: terms, events: [Self.pay("a", 100, on: "2026-01-14")], asOf: Self.start) }
        #expect(throws: LoanReplayError.self) { try LoanReplay.position(terms: terms, events: [Self.pay("a", 100, on: "2026-01-16")], asOf: Self.start) }
    }

    @Test("Disbursement: a deducted fee and its IVA are withheld; a financed fee is principal and only its IVA is withheld")
    func disbursement() throws {
        var product = Self.product()
        product.openingFee = .percent(.percent(3))
        let deducted = try LoanTerms.make(product: product, amount: .mxn(centavos: 1_000_000), term: 6, disbursementDate: Self.start)
        #expect(deducted.principal == .mxn(centavos: 1_000_000) && deducted.disbursed == .mxn(centavos: 965_200))
        product.openingFeeTreatment = .financed
        let financed = try LoanTerms.make(product: product, amount: .mxn(centavos: 1_000_000), term: 6, disbursementDate: Self.start)
        #expect(financed.principal == .mxn(centavos: 1_030_000) && financed.disbursed == .mxn(centavos: 995_200))
        for terms in [deducted, financed] {
            let position = try LoanReplay.position(terms: terms, events: [], asOf: Self.start)
            #expect(Self.total(position.ledgerBalances()) == terms.disbursed.minorUnits)
        }
    }
}

/// Random products and payment streams.
@Suite("Loans: properties")
struct LoanPropertyTests {
    @Test("Allocations sum to the payment, nothing goes negative, the ledger balances, reversing every payment restores the schedule", arguments: 0..<8)
    func properties(batch: Int) throws {
        let seed = UInt64(20_261_127 + batch)
        var rng = SeededRandom(seed: seed)
        for round in 0..<60 {
            var product = LoanReplayTests.product(
                rate: Int64.random(in: 0...120, using: &rng), term: 1...60, frequency: Frequency.allCases.randomElement(using: &rng)!,
                method: AmortizationMethod.allCases.randomElement(using: &rng)!,
                lateFee: Bool.random(using: &rng) ? .mxn(centavos: Int64.random(in: 1...50_000, using: &rng)) : nil,
                rebate: Bool.random(using: &rng) ? Rate.percent(Int64.random(in: 1...20, using: &rng)) : nil
            )
            product.lateFeeExcludesMoratorium = Bool.random(using: &rng)
            product.ivaRate = Bool.random(using: &rng) ? .percent(16) : .zero
            product.dayCount = DayCount.allCases.randomElement(using: &rng)!
            if Bool.random(using: &rng) { product.openingFee = .percent(.percent(Int64.random(in: 1...5, using: &rng))) }
            if Bool.random(using: &rng) { product.openingFeeTreatment = .financed }
            if Bool.random(using: &rng) {
                product.allocationOrder = [.overduePrincipal, .overdueInterest, .moratoriumInterest, .fees, .currentPrincipal, .currentInterest, .advance]
            }
            let amount = Money.mxn(centavos: Int64.random(in: 100_000...50_000_000, using: &rng))
            let term = Int.random(in: 1...36, using: &rng)
            let start = CalendarDate(text: "2026-01-31")!.adding(days: Int64.random(in: 0...400, using: &rng))
            let terms = try LoanTerms.make(product: product, amount: amount, term: term, disbursementDate: start)
            let end = terms.schedule.last!.dueDate.adding(days: Int64.random(in: -30...200, using: &rng))
            let asOf = max(end, start)
            let span = start.days(until: asOf)
            var events: [LoanEvent] = []
            let typical = terms.schedule[0].payment.minorUnits
            for n in 0..<Int.random(in: 0...30, using: &rng) {
                let date = start.adding(days: Int64.random(in: 0...span, using: &rng))
                let cents = Int64.random(in: 1...(typical * 3), using: &rng)
                let excess = ExcessPolicy.allCases.randomElement(using: &rng)!
                events.append(LoanEvent(id: "p\(n)", sequence: Int64(n), valueDate: date, kind: .payment(amount: .mxn(centavos: cents), excess: excess)))
            }
            if Int.random(in: 0..<10, using: &rng) == 0 {
                events.append(LoanEvent(id: "w", sequence: 99, valueDate: asOf, kind: .writeOff))
            }
            let context = "seed \(seed) round \(round)"
            let position: LoanPosition
            do { position = try LoanReplay.position(terms: terms, events: events, asOf: asOf) } catch {
                // A write-off of a loan already paid off is refused; nothing else may fail.
                #expect(error.code == "loan_not_active", "\(context): \(error.message)")
                continue
            }
            var received: Int64 = 0
            for event in events {
                guard case .payment(let paid, _) = event.kind else { continue }
                received += paid.minorUnits
                let lines = position.allocations[event.id] ?? []
                #expect(lines.reduce(0) { $0 + $1.amount.minorUnits } == paid.minorUnits, "\(context): allocation of \(event.id)")
                #expect(lines.allSatisfy { $0.amount.isPositive }, "\(context)")
            }
            for i in position.installments {
                for charge in [i.principal, i.interest, i.iva, i.lateFee, i.lateFeeIva, i.moratorium, i.moratoriumIva] {
                    #expect(!charge.remaining.isNegative && !charge.paid.isNegative, "\(context): installment \(i.number)")
                }
            }
            #expect(!position.advance.isNegative, "\(context)")
            let scheduled = position.installments.reduce(Money.zero()) { $0 + $1.principal.charged }
            #expect(scheduled + position.prepaid == terms.principal, "\(context): principal is conserved")
            let balances = position.ledgerBalances()
            #expect(LoanReplayTests.total(balances) == terms.disbursed.minorUnits - received, "\(context): the ledger balances")
            for account in [LedgerAccount.performingPrincipal, .nonPerformingPrincipal, .performingInterest, .ivaReceivable, .moratoriumReceivable, .feesReceivable] {
                #expect((balances[account] ?? 0) >= 0, "\(context): \(account.name)")
            }
            // Carrying a replay on event by event (as the posting cache does) gives exactly the full replay.
            let ordered = events.sorted { ($0.valueDate, $0.sequence) < ($1.valueDate, $1.sequence) }
            var carried = try LoanReplay.replaying(terms: terms, events: [], through: start)
            var applied: [LoanEvent] = []
            var writtenOff = false
            for event in ordered where !writtenOff {
                applied.append(event)
                if carried.canAppend(at: event.valueDate) {
                    try carried.append(event, through: event.valueDate)
                } else {
                    carried = try LoanReplay.replaying(terms: terms, events: applied, through: event.valueDate)
                }
                if case .writeOff = event.kind { writtenOff = true }
            }
            try carried.close(through: asOf)
            #expect(carried.result == (try LoanReplay.position(terms: terms, events: applied, asOf: asOf)), "\(context): carried replay")
            // So does carrying on a replay with its last day left open (as the posting path does, forgetting
            // allocations), payments arriving in recording order — back-dated ones replayed in full — closed each time.
            var open = try LoanReplay.replaying(terms: terms, events: [], openOn: start)
            var recorded: [LoanEvent] = []
            var ledgerDate = start
            for event in events.sorted(by: { $0.sequence < $1.sequence }) {
                recorded.append(event)
                ledgerDate = max(ledgerDate, event.valueDate)
                if open.canAppendOpen(at: event.valueDate) {
                    try open.appendOpen(event)
                } else {
                    open = try LoanReplay.replaying(terms: terms, events: recorded, openOn: ledgerDate)
                }
                open.forgetAllocations()
                let closed = try open.closed(through: ledgerDate).result
                let full = try LoanReplay.position(terms: terms, events: recorded, asOf: ledgerDate)
                #expect(closed.installments == full.installments && closed.ledgerBalances() == full.ledgerBalances(), "\(context): open replay at \(event.id)")
                #expect(closed.advance == full.advance && closed.prepaid == full.prepaid && closed.status == full.status, "\(context): open replay at \(event.id)")
                if case .writeOff = event.kind { break }
            }
            // A statement for a random period reconciles: the running balance ends at the closing balance.
            let from = start.adding(days: Int64.random(in: -10...max(0, span), using: &rng))
            let to = from.adding(days: Int64.random(in: 0...400, using: &rng))
            if let statement = try? LoanStatement.make(terms: terms, events: events, from: from, to: to) {
                #expect((statement.movements.last?.balance ?? statement.openingBalance) == statement.closingBalance, "\(context): statement \(from)…\(to)")
            }
            // Reversing every payment (replaying without them) leaves the schedule exactly as granted: no state survives.
            let unpaid = try LoanReplay.position(terms: terms, events: [], asOf: asOf)
            #expect(unpaid.installments.map { [$0.principal.charged, $0.interest.charged, $0.iva.charged] } == terms.schedule.map { [$0.principal, $0.interest, $0.iva] }, "\(context)")
            #expect(unpaid.allocations.isEmpty && unpaid.prepaid.isZero && unpaid.advance.isZero, "\(context)")
            let none = try LoanReplay.position(terms: terms, events: [], asOf: start)
            #expect(none.installments.map(\.scheduledPayment) == terms.schedule.map(\.payment), "\(context)")
        }
    }
}

@Suite("Loans: statements")
struct LoanStatementTests {
    @Test("A statement lists disbursement, interest with IVA, moratorium, the payment and its application, and reconciles")
    func statement() throws {
        let terms = try LoanTerms.make(product: LoanReplayTests.product(), amount: .mxn(centavos: 1_000_000), term: 2, disbursementDate: LoanReplayTests.start)
        let events = [LoanReplayTests.pay("a", 500_000, on: "2026-02-25")]
        let statement = try LoanStatement.make(terms: terms, events: events, from: CalendarDate(text: "2026-01-01")!, to: CalendarDate(text: "2026-02-28")!)
        #expect(statement.openingBalance.isZero)
        #expect(statement.movements.map(\.kind) == [.disbursement, .interest, .interest, .payment, .moratorium])
        #expect(statement.interestCharged == terms.schedule[0].interest && statement.ivaCharged > terms.schedule[0].iva)
        #expect(statement.paymentsTotal == .mxn(centavos: 500_000))
        #expect(statement.movements.last?.balance == statement.closingBalance)
        // The next month opens where this one closed.
        let next = try LoanStatement.make(terms: terms, events: events, from: CalendarDate(text: "2026-03-01")!, to: CalendarDate(text: "2026-03-31")!)
        #expect(next.openingBalance == statement.closingBalance)
        #expect(next.movements.last?.balance == next.closingBalance)
    }
}
