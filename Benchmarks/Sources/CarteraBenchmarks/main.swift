import CarteraCore
import Foundation
import Lending

/// Throughput of the pure CarteraCore operations that sit on hot paths (statement import, API validation, accrual).
/// Each benchmark runs a fixed number of operations several times and reports the best run, in operations per second.

struct Benchmark {
    let name: String
    let operations: Int
    let body: () -> Int  // returns a checksum so the work cannot be optimised away
}

func measure(_ benchmark: Benchmark, repetitions: Int = 5) -> (perSecond: Double, checksum: Int) {
    var best = Duration.seconds(1_000_000)
    var checksum = 0
    let clock = ContinuousClock()
    for _ in 0..<repetitions {
        let elapsed = clock.measure { checksum &+= benchmark.body() }
        best = min(best, elapsed)
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    return (Double(benchmark.operations) / seconds, checksum)
}

// Inputs prepared once, outside the timed loops.
let count = 200_000
let clabes = (0..<count).map { i -> String in
    let account = String(i).padding(toLength: 11, withPad: "7", startingAt: 0)
    return CLABE.make(bankPrefix: "012", plaza: "180", account: account)!
}
let rfcs = (0..<count).map { i -> String in
    let body = "GODE5612" + String(format: "%02d", i % 28 + 1) + "GR"
    return body + String(RFC.checkDigit(for: body)!)
}
let curps = Array(repeating: "HEGG560427MVZRRL04", count: count)
let amounts = (0..<count).map { i in Money.mxn(centavos: Int64(i) * 12_345 + 67) }
let amountTexts = amounts.map { $0.formatted(.symbolAndCode) }

let quoteCount = 20_000
let quoteRequests = (0..<quoteCount).map { i in
    QuoteRequest(
        principal: Money.mxn(centavos: 1_500_000 + Int64(i)), annualRate: .percent(60), term: 24, frequency: .mensual,
        openingFee: Money.mxn(centavos: 10_000), start: CalendarDate(text: "2026-01-15")!
    )
}

// A 24-month loan of 150,000.00 at 60 % (moratorium 1.5×), looked at as it ages: its position (daily moratorium
// accrual included) and the month's statement. The payer pays every installment 10 days late; the defaulter never pays.
let agingProduct = Product(
    code: "BENCH", name: "Bench", annualRate: .percent(60), frequency: .mensual, minimumAmount: .mxn(centavos: 100_000),
    maximumAmount: .mxn(centavos: 100_000_000), minimumTerm: 1, maximumTerm: 48
)
let agingStart = CalendarDate(text: "2026-01-15")!
let agingTerms = try! LoanTerms.make(product: agingProduct, amount: .mxn(centavos: 15_000_000), term: 24, disbursementDate: agingStart)
let latePayments = agingTerms.schedule.map { row in
    LoanEvent(id: "p\(row.number)", sequence: Int64(row.number), valueDate: row.dueDate.adding(days: 10),
              kind: .payment(amount: row.payment + Money.mxn(centavos: 20_000), excess: .advance))
}
func aging(_ days: Int64, paying: Bool, statement: Bool) -> Benchmark {
    let asOf = agingStart.adding(days: days)
    let events = paying ? latePayments.filter { $0.valueDate <= asOf } : []
    let from = CalendarDate(year: asOf.year, month: asOf.month, day: 1)!
    let name = "Loan day \(days) (\(events.count) payments): \(statement ? "month's statement" : "position")"
    return Benchmark(name: name, operations: 2_000) {
        var checksum = 0
        for _ in 0..<2_000 {
            if statement {
                checksum &+= (try? LoanStatement.make(terms: agingTerms, events: events, from: max(from, agingStart), to: asOf))?.movements.count ?? 0
            } else {
                checksum &+= Int((try? LoanReplay.position(terms: agingTerms, events: events, asOf: asOf))?.installments[0].moratorium.charged.minorUnits ?? 0)
            }
        }
        return checksum
    }
}
let agingBenchmarks = [30, 360, 720].flatMap { days in
    [aging(Int64(days), paying: false, statement: false), aging(Int64(days), paying: true, statement: false), aging(Int64(days), paying: true, statement: true)]
}

let benchmarks = [
    Benchmark(name: "CLABE.validate", operations: count) { clabes.reduce(0) { $0 + (CLABE.validate($1).isValid ? 1 : 0) } },
    Benchmark(name: "RFC.validate", operations: count) { rfcs.reduce(0) { $0 + (RFC.validate($1).isValid ? 1 : 0) } },
    Benchmark(name: "CURP.validate", operations: count) { curps.reduce(0) { $0 + (CURP.validate($1).isValid ? 1 : 0) } },
    Benchmark(name: "Money.formatted(.symbolAndCode)", operations: count) { amounts.reduce(0) { $0 + $1.formatted(.symbolAndCode).utf8.count } },
    Benchmark(name: "Money(parsing:)", operations: count) {
        amountTexts.reduce(0) { $0 &+ Int((try? Money(parsing: $1))?.minorUnits ?? 0) }
    },
    Benchmark(name: "Quoting.quote 24×, CAT", operations: quoteCount) {
        quoteRequests.reduce(0) { $0 &+ ((try? Quoting.quote($1))?.cat?.utf8.count ?? 0) }
    },
    Benchmark(name: "Money.scaled (daily interest)", operations: count) {
        amounts.reduce(0) { $0 &+ Int((try? $1.scaled(by: 58, over: 36_000, rounding: .halfEven))?.minorUnits ?? 0) }
    },
] + agingBenchmarks

let json = CommandLine.arguments.contains("--json")
var results: [[String: String]] = []
var measured: [(name: String, perSecond: Double)] = []
for (index, benchmark) in benchmarks.enumerated() {
    if !json { FileHandle.standardError.write(Data("[\(index + 1)/\(benchmarks.count)] \(benchmark.name)…\n".utf8)) }
    let (perSecond, checksum) = measure(benchmark)
    measured.append((benchmark.name, perSecond))
    results.append(["name": benchmark.name, "ops_per_second": String(Int(perSecond)), "checksum": String(checksum)])
}
if !json {
    // A bar chart on a logarithmic scale: the figures span several orders of magnitude.
    let maxLog = log10(measured.map(\.perSecond).max() ?? 1)
    for (name, perSecond) in measured {
        let width = max(1, Int(50 * log10(max(perSecond, 10)) / max(maxLog, 1)))
        print(name.padding(toLength: 32, withPad: " ", startingAt: 0), String(format: "%12.0f ops/s  ", perSecond) + String(repeating: "█", count: width))
    }
}
if json {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
