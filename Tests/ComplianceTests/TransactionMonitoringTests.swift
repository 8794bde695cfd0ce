import CarteraCore
import Compliance
import Testing

@Suite("PLD monitoring rules: each just under and just over its threshold")
struct TransactionMonitoringTests {
    static let day = CalendarDate(year: 2026, month: 10, day: 15)!
    /// 20.000000 pesos per dollar from September 1st: USD 7,500.00 = MXN 150,000.00.
    static let rates = ExchangeRates([.init(date: CalendarDate(year: 2026, month: 9, day: 1)!, pesoMillionthsPerDollar: 20_000_000)])

    static func operation(
        _ id: String, _ centavos: Int64, _ instrument: MonitoredOperation.Instrument = .cash, on date: CalendarDate = day, kind: MonitoredOperation.Kind = .payment,
        payerIsClient: Bool = true, state: String? = nil, disbursed: CalendarDate? = nil, paysOff: Bool = false
    ) -> MonitoredOperation {
        MonitoredOperation(
            id: id, clientID: "cl_1", loanID: "ln_1", kind: kind, amount: .mxn(centavos: centavos), instrument: instrument, date: date, payerIsClient: payerIsClient,
            state: state, loanDisbursedOn: disbursed, paysOff: paysOff
        )
    }

    static func rules(_ operation: MonitoredOperation, history: [MonitoredOperation] = [], profile: TransactionalProfile? = nil, rules: MonitoringRules = .init()) -> [MonitoringAlert.Rule] {
        TransactionMonitoring.evaluate(operation, history: history, profile: profile, rules: rules, rates: rates).map(\.rule)
    }

    @Test("Relevantes: cash of USD 7,499.99 equivalent is not reported, USD 7,500.00 is; a transfer of any amount is not; no rate for the day is an alert of its own")
    func relevant() throws {
        #expect(Self.rules(Self.operation("p1", 14_999_999)).isEmpty)
        let alerts = TransactionMonitoring.evaluate(Self.operation("p2", 15_000_000), history: [], profile: nil, rules: .init(), rates: Self.rates)
        #expect(alerts.map(\.rule) == [.cashRelevant] && alerts[0].report == .relevant && alerts[0].observed == "7500.00 USD (150000.00 MXN)" && alerts[0].rulesVersion == 1)
        #expect(Self.rules(Self.operation("p3", 50_000_000, .transfer)).isEmpty)
        let early = CalendarDate(year: 2026, month: 8, day: 31)!
        #expect(Self.rules(Self.operation("p4", 100, on: early)) == [.noExchangeRate])
        // The rate in force is the last published on or before the day.
        let later = ExchangeRates([.init(date: Self.day, pesoMillionthsPerDollar: 20_000_000), .init(date: Self.day.adding(days: 1), pesoMillionthsPerDollar: 10_000_000)])
        #expect(later.dollars(.mxn(centavos: 15_000_000), on: Self.day)?.minorUnits == 750_000)
        #expect(later.dollars(.mxn(centavos: 15_000_000), on: Self.day.adding(days: 5))?.minorUnits == 1_500_000)
    }

    @Test("Fraccionamiento: the third cash payment within 30 days in the 10 % band under the threshold raises it; two do not; one under the band or one 30 days before do not count")
    func structuring() {
        let third = Self.operation("p3", 14_000_000)
        let inBand = [Self.operation("p1", 13_500_000, on: Self.day.adding(days: -29)), Self.operation("p2", 14_999_999, on: Self.day.adding(days: -3))]
        #expect(Self.rules(third, history: inBand) == [.structuring])
        #expect(Self.rules(third, history: [inBand[1]]).isEmpty)
        #expect(Self.rules(third, history: [Self.operation("p1", 13_499_999, on: Self.day.adding(days: -2)), inBand[1]]).isEmpty)
        #expect(Self.rules(third, history: [Self.operation("p1", 14_000_000, on: Self.day.adding(days: -30)), inBand[1]]).isEmpty)
        #expect(Self.rules(third, history: [Self.operation("p1", 14_000_000, .transfer, on: Self.day.adding(days: -2)), inBand[1]]).isEmpty)
        // Another client's operations never count.
        let other = MonitoredOperation(id: "x", clientID: "cl_2", loanID: "ln_2", kind: .payment, amount: .mxn(centavos: 14_000_000), instrument: .cash, date: Self.day)
        #expect(Self.rules(third, history: [other, inBand[1]]).isEmpty)
    }

    @Test("Early cash payoff: 90 days after disbursement raises it, 91 does not; a transfer payoff or a payment that does not pay off does not")
    func earlyPayoff() {
        #expect(Self.rules(Self.operation("p", 5_000_000, disbursed: Self.day.adding(days: -90), paysOff: true)) == [.earlyCashPayoff])
        #expect(Self.rules(Self.operation("p", 5_000_000, disbursed: Self.day.adding(days: -91), paysOff: true)).isEmpty)
        #expect(Self.rules(Self.operation("p", 5_000_000, .transfer, disbursed: Self.day.adding(days: -10), paysOff: true)).isEmpty)
        #expect(Self.rules(Self.operation("p", 5_000_000, disbursed: Self.day.adding(days: -10))).isEmpty)
    }

    @Test("Profile: 30 days of payments at exactly 1.5 × the declared amount or number is within it; one centavo or one operation more is not; older operations and disbursements do not count")
    func profile() {
        let declared = TransactionalProfile(monthlyAmount: .mxn(centavos: 1_000_000), monthlyOperations: 2, instruments: [.transfer])
        let before = [Self.operation("a", 500_000, .transfer, on: Self.day.adding(days: -29))]
        #expect(Self.rules(Self.operation("b", 1_000_000, .transfer), history: before, profile: declared).isEmpty)
        #expect(Self.rules(Self.operation("b", 1_000_001, .transfer), history: before, profile: declared) == [.aboveProfileAmount])
        #expect(Self.rules(Self.operation("b", 1_000_001, .transfer), history: [Self.operation("a", 500_000, .transfer, on: Self.day.adding(days: -30))], profile: declared).isEmpty)
        let three = [Self.operation("a", 100, .transfer), Self.operation("b", 100, .transfer)]
        #expect(Self.rules(Self.operation("c", 100, .transfer), history: three, profile: declared).isEmpty)
        #expect(Self.rules(Self.operation("d", 100, .transfer), history: three + [Self.operation("c", 100, .transfer)], profile: declared) == [.aboveProfileCount])
        // The profile is about what the client pays: the lender's disbursement neither is compared nor counts.
        let disbursed = Self.operation("x", 50_000_000, .transfer, on: Self.day.adding(days: -1), kind: .disbursement)
        #expect(Self.rules(disbursed, profile: declared).isEmpty)
        #expect(Self.rules(Self.operation("b", 1_000_000, .transfer), history: before + [disbursed], profile: declared).isEmpty)
    }

    @Test("A payer other than the client and a high-risk state raise their alerts; the client paying and another state do not; each rule can be turned off by its data")
    func payerAndGeography() {
        let rules = MonitoringRules(version: 3, highRiskStates: ["12"])
        #expect(Self.rules(Self.operation("p", 100, .transfer, payerIsClient: false, state: "12"), rules: rules) == [.thirdPartyPayer, .highRiskGeography])
        #expect(Self.rules(Self.operation("p", 100, .transfer, payerIsClient: true, state: "09"), rules: rules).isEmpty)
        var quiet = rules
        quiet.flagThirdPartyPayers = false
        quiet.highRiskStates = []
        #expect(Self.rules(Self.operation("p", 100, .transfer, payerIsClient: false, state: "12"), rules: quiet).isEmpty)
        let alert = TransactionMonitoring.evaluate(Self.operation("p", 100, .transfer, payerIsClient: false), history: [], profile: nil, rules: rules, rates: Self.rates)
        #expect(alert.first?.rulesVersion == 3 && alert.first?.report == .unusual && alert.first?.clientID == "cl_1")
    }
}
