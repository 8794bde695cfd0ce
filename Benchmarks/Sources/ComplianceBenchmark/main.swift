import CarteraCore
import Compliance
import Foundation

/// Compliance (issue 8 targets: one name screened against the full SDN list in ≤ 1 ms p50; re-screening 100,000
/// clients in ≤ 30 s; monitoring rules evaluated on ≥ 10,000 payments/s).
///
///     swift run -c release ComplianceBenchmark [--clients 100000] [--payments 200000] [--fixtures ../../shared/fixtures]
///
/// Loads `sanctions/sdn.csv` and `alt.csv`, builds the index, times 5,000 single screens of ordinary Mexican names
/// one after another (p50, p99), then re-screens `--clients` names on every core. Then evaluates every monitoring rule
/// on `--payments` payments of 5,000 clients, one after another on one core, each with its client's operations of the
/// 30 days before (as the product reads them).
let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let fixtures = URL(fileURLWithPath: option("--fixtures") ?? "../../shared/fixtures")
let clients = option("--clients").flatMap { Int($0) } ?? 100_000
let paymentCount = option("--payments").flatMap { Int($0) } ?? 200_000
let clock = ContinuousClock()
func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

let given = ["José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Francisco", "Antonio", "Alejandro", "Jorge", "María", "Ana", "Rosa", "Laura", "Patricia", "Guadalupe", "Sofía", "Ximena", "Fernanda", "Yolanda"]
let surnames = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Guzmán", "Aguilar", "Zúñiga", "Carrillo", "Fuentes"]
/// A deterministic generator of ordinary names.
struct Names {
    var state: UInt64 = 7
    mutating func next() -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33)
    }
    mutating func name() -> String {
        "\(given[next() % given.count]) \(given[next() % given.count]) \(surnames[next() % surnames.count]) \(surnames[next() % surnames.count])"
    }
}
var generator = Names()

var started = clock.now
let entries = try SDNList.parse(
    sdn: [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("sanctions/sdn.csv"))),
    alt: [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("sanctions/alt.csv")))
)
let parsed = seconds(clock.now - started)
started = clock.now
let screening = NameScreening(entries: entries)
let indexed = seconds(clock.now - started)
print(String(format: "SDN: %d entries parsed in %.0f ms, indexed in %.0f ms", entries.count, parsed * 1000, indexed * 1000))

var single: [Double] = []
var hits = 0
for _ in 0..<5_000 {
    let query = generator.name()
    let start = clock.now
    let found = screening.screen(name: query)
    single.append(seconds(clock.now - start) * 1000)
    if found.contains(where: \.isMatch) { hits += 1 }
}
single.sort()
print(String(format: "one name against the full list, 5,000 names: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d matches)", single[2_500], single[4_950], single.last ?? 0, hits))

let names = (0..<clients).map { _ in generator.name() }
let cores = ProcessInfo.processInfo.activeProcessorCount
started = clock.now
let matches = await rescreen(names, with: screening, parts: cores)
let rescreen = seconds(clock.now - started)
print(String(format: "re-screening %d clients on %d cores: %.1f s = %.0f names/s (%d matches)", clients, cores, rescreen, Double(clients) / rescreen, matches))


// Monitoring rules: payments spread over 120 days, a third in cash, amounts from 500 to 160,000 pesos.
let start = CalendarDate(year: 2026, month: 6, day: 1)!
let rates = ExchangeRates((0..<150).map { ExchangeRates.Rate(date: start.adding(days: Int64($0) - 10), pesoMillionthsPerDollar: 17_000_000 + Int64($0 % 50) * 10_000) })
let instruments: [MonitoredOperation.Instrument] = [.cash, .transfer, .card]
var payments: [MonitoredOperation] = []
payments.reserveCapacity(paymentCount)
for index in 0..<paymentCount {
    let client = generator.next() % 5_000
    let day = start.adding(days: Int64(index * 120 / paymentCount))
    payments.append(
        MonitoredOperation(
            id: "p\(index)", clientID: "cl_\(client)", loanID: "ln_\(client)", kind: .payment, amount: .mxn(centavos: Int64(50_000 + generator.next() % 16_000_000)),
            instrument: instruments[generator.next() % 3], date: day, payerIsClient: generator.next() % 20 != 0, state: String(format: "%02d", 1 + generator.next() % 32),
            loanDisbursedOn: day.adding(days: -Int64(generator.next() % 400)), paysOff: generator.next() % 50 == 0
        )
    )
}
let profile = TransactionalProfile(monthlyAmount: .mxn(centavos: 5_000_000), monthlyOperations: 4, instruments: [.transfer])
let rules = MonitoringRules(highRiskStates: ["12", "16", "25"])
var recent: [String: [MonitoredOperation]] = [:]
var alerts = 0
started = clock.now
for payment in payments {
    let from = payment.date.adding(days: -30)
    let history = recent[payment.clientID, default: []].filter { $0.date >= from }
    alerts += TransactionMonitoring.evaluate(payment, history: history, profile: profile, rules: rules, rates: rates).count
    recent[payment.clientID] = history + [payment]
}
let monitoring = seconds(clock.now - started)
print(String(format: "monitoring rules on %d payments of 5,000 clients (one core): %.2f s = %.0f payments/s (%d alerts)", paymentCount, monitoring, Double(paymentCount) / monitoring, alerts))

/// Screens `names` in `parts` concurrent tasks; the number of names with a match.
func rescreen(_ names: [String], with screening: NameScreening, parts: Int) async -> Int {
    await withTaskGroup(of: Int.self) { group in
        let share = (names.count + parts - 1) / parts
        for part in 0..<parts {
            let slice = names[min(part * share, names.count)..<min((part + 1) * share, names.count)]
            group.addTask { slice.reduce(0) { $0 + (screening.screen(name: $1).contains(where: \.isMatch) ? 1 : 0) } }
        }
        return await group.reduce(0, +)
    }
}
