import CarteraCore
import Compliance
import Foundation

/// Screening against OFAC's SDN list (issue 8 targets: one name in ≤ 1 ms p50; re-screening 100,000 clients in
/// ≤ 30 s on 2 cores).
///
///     swift run -c release ScreeningBenchmark [--clients 100000] [--fixtures ../../shared/fixtures]
///
/// Loads `sanctions/sdn.csv` and `alt.csv`, builds the index, times 5,000 single screens of ordinary Mexican names
/// one after another (p50, p99), then re-screens `--clients` names on every core.
let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let fixtures = URL(fileURLWithPath: option("--fixtures") ?? "../../shared/fixtures")
let clients = option("--clients").flatMap { Int($0) } ?? 100_000
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
