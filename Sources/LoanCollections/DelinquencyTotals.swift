import CarteraCore

/// A closed day's portfolio in sums, added up by the end-of-day close as it writes the day's snapshots (chunk by chunk,
/// merged across partitions), so the dashboard of a large portfolio reads one row instead of every snapshot. Only
/// active loans count, as in `DelinquencyReport`. Amounts in centavos.
public struct DelinquencyTotals: Sendable, Equatable, Codable {
    /// Loans and outstanding principal.
    public struct Tally: Sendable, Equatable, Codable {
        public var loans: Int = 0
        public var principal: Int64 = 0

        public init(loans: Int = 0, principal: Int64 = 0) {
            self.loans = loans
            self.principal = principal
        }

        mutating func add(_ principal: Int64) {
            loans += 1
            self.principal += principal
        }

        mutating func merge(_ other: Tally) {
            loans += other.loans
            principal += other.principal
        }
    }

    /// Where the loans active on an earlier day (`comparedWith`, a month before) stood on this day: the earlier
    /// principal by earlier bucket and bucket of this day (loans still active), and the loans late then and current now.
    public struct Movement: Sendable, Equatable, Codable {
        public var comparedWith: CalendarDate
        public var rolls: [String: [String: Int64]] = [:]
        public var cured = Tally()

        public init(comparedWith: CalendarDate) { self.comparedWith = comparedWith }

        /// Adds one loan: its snapshot on the earlier day and on this one (nil when it is not active on this day).
        public mutating func add(earlier: LoanSnapshot, now: LoanSnapshot?) {
            guard earlier.status == "active", let now, now.status == "active" else { return }
            rolls[earlier.bucket, default: [:]][now.bucket, default: 0] += earlier.principalOutstanding
            if earlier.daysPastDue > 0, now.daysPastDue == 0 { cured.add(earlier.principalOutstanding) }
        }

        mutating func merge(_ other: Movement) {
            for (from, row) in other.rolls {
                for (to, principal) in row { rolls[from, default: [:]][to, default: 0] += principal }
            }
            cured.merge(other.cured)
        }
    }

    public var date: CalendarDate
    /// Active loans and the gross portfolio (GLP).
    public var active = Tally()
    public var byBucket: [String: Tally] = [:]
    /// Principal more than 30 / 90 days late or restructured (PAR numerators), and of cartera vencida.
    public var par30: Int64 = 0
    public var par90: Int64 = 0
    public var nonPerforming: Int64 = 0
    /// Active loans not past due, and those past due.
    public var current = Tally()
    public var late = Tally()
    /// Amount of the loans disbursed on the day, installments falling due on it (as scheduled) and payments received
    /// with its value date (as known when the day was closed).
    public var disbursed: Int64 = 0
    public var scheduled: Int64 = 0
    public var collected: Int64 = 0
    /// Installments paid in full on the day after their due date, by days late: how many and their scheduled payments
    /// (`Tally.principal` holds the amount), for the average days to collect.
    public var latePaid: [Int: Tally] = [:]
    public var movement: Movement?

    public init(date: CalendarDate, comparedWith: CalendarDate? = nil) {
        self.date = date
        movement = comparedWith.map(Movement.init(comparedWith:))
    }

    /// Adds a loan's snapshot of the day.
    public mutating func add(_ snapshot: LoanSnapshot) {
        guard snapshot.status == "active" else { return }
        let principal = snapshot.principalOutstanding
        active.add(principal)
        byBucket[snapshot.bucket, default: Tally()].add(principal)
        if snapshot.daysPastDue > 30 || snapshot.restructured { par30 += principal }
        if snapshot.daysPastDue > 90 || snapshot.restructured { par90 += principal }
        if snapshot.nonPerforming { nonPerforming += principal }
        if snapshot.daysPastDue > 0 { late.add(principal) } else { current.add(principal) }
    }

    /// Adds an installment paid in full on the day, `days` after its due date, of `amount` scheduled.
    public mutating func addLatePayment(days: Int, amount: Int64) {
        latePaid[days, default: Tally()].add(amount)
    }

    /// Adds another part of the same day (another chunk or partition).
    public mutating func merge(_ other: DelinquencyTotals) {
        active.merge(other.active)
        for (bucket, tally) in other.byBucket { byBucket[bucket, default: Tally()].merge(tally) }
        par30 += other.par30
        par90 += other.par90
        nonPerforming += other.nonPerforming
        current.merge(other.current)
        late.merge(other.late)
        disbursed += other.disbursed
        scheduled += other.scheduled
        collected += other.collected
        for (days, tally) in other.latePaid { latePaid[days, default: Tally()].merge(tally) }
        if let part = other.movement {
            if movement == nil { movement = Movement(comparedWith: part.comparedWith) }
            movement?.merge(part)
        }
    }

    /// The totals of a day's snapshots, with the movement from an earlier day's when given.
    public init(date: CalendarDate, day: [LoanSnapshot], earlier: (date: CalendarDate, snapshots: [LoanSnapshot])? = nil) {
        self.init(date: date, comparedWith: earlier?.date)
        var now: [String: LoanSnapshot] = [:]
        for snapshot in day {
            add(snapshot)
            if snapshot.status == "active" { now[snapshot.loanID] = snapshot }
        }
        for snapshot in earlier?.snapshots ?? [] { movement?.add(earlier: snapshot, now: now[snapshot.loanID]) }
    }
}
