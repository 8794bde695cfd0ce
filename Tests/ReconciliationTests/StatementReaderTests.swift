import CarteraCore
import CarteraTestSupport
import Foundation
import Reconciliation
import Testing

/// Format detection, the account a file lacks, and every parser under truncated, corrupted and random input.
@Suite("Statement files: detection and robustness")
struct StatementReaderTests {
    static let samples: [(String, StatementFormat)] = [
        ("camt/camt053.v8.xml", .camt053), ("camt/camt053.v2.multi.statement.xml", .camt053), ("camt/camt054.v8-with-UETR.xml", .camt054),
        ("camt/camt052.v8.xml", .camt052), ("mt940/cmxl/mt940.sta", .mt940), ("mt940/jejik/ing.sta", .mt940), ("mt940/jejik/abnamro.sta", .mt940),
        ("mt940/self-provided/mt942.sta", .mt940), ("ofx/bank_medium.ofx", .ofx), ("ofx/checking.ofx", .ofx), ("ofx/multiple_accounts2.ofx", .ofx),
    ]

    @Test("Each sample's format is recognised from its content", .enabled(if: SharedFixtures.enabled))
    func detects() throws {
        for (path, format) in Self.samples {
            #expect(StatementReader.detect(try SharedFixtures.data(path)) == format, "\(path)")
        }
        #expect(StatementReader.detect(Data(BankCSVParserTests.bbva.utf8)) == .csv)
    }

    @Test("A CSV needs its profile and account; a statement without an account takes the one given; a wrong format is named")
    func accountsAndProfiles() throws {
        let csv = Data(BankCSVParserTests.bbva.utf8)
        #expect(throws: StatementError("csv_profile_required", "para un CSV indique el perfil del banco (bbva, banorte, santander o uno propio).")) {
            try StatementReader.read(csv, account: "X")
        }
        #expect { try StatementReader.read(csv, profile: .bbva) } throws: { ($0 as? StatementError)?.code == "account_required" }
        #expect(try StatementReader.read(csv, profile: .bbva, account: "012180001234567897").first?.entries.count == 4)
        let fragment = Data(":61:2611261126C500,00NTRFNONREF//BANK1\n".utf8)
        #expect { try StatementReader.read(fragment) } throws: { ($0 as? StatementError)?.code == "account_required" }
        #expect(try StatementReader.read(fragment, account: "012180001234567897").first?.account == "012180001234567897")
        #expect { try StatementReader.read(Data()) } throws: { ($0 as? StatementError)?.code == "statement_empty" }
    }

    @Test("Truncated, corrupted and random files give a statement or a clear error, never a crash", .enabled(if: SharedFixtures.enabled))
    func fuzz() throws {
        // A fixed seed in CI; `CARTERA_FUZZ_SEED` and `CARTERA_FUZZ_ROUNDS` run more of them locally.
        let environment = ProcessInfo.processInfo.environment
        var random = SeededRandom(seed: environment["CARTERA_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20261127)
        let rounds = environment["CARTERA_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 60
        var inputs: [Data] = try Self.samples.map { try SharedFixtures.data($0.0) } + [Data(BankCSVParserTests.bbva.utf8)]
        let originals = inputs
        for original in originals {
            let bytes = [UInt8](original)
            for _ in 0..<rounds {
                var mutated = bytes
                switch Int.random(in: 0..<4, using: &random) {
                case 0: mutated = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))  // truncated
                case 1:
                    for _ in 0..<Int.random(in: 1...20, using: &random) where !mutated.isEmpty {  // bytes overwritten
                        mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                    }
                case 2:
                    if !mutated.isEmpty {  // a slice cut out
                        let start = Int.random(in: 0..<mutated.count, using: &random)
                        mutated.removeSubrange(start..<min(mutated.count, start + Int.random(in: 1...200, using: &random)))
                    }
                default:
                    let insert = (0..<Int.random(in: 1...64, using: &random)).map { _ in random.element(Array("<>:/\\\"',;-\n\r0123456789CDRT".utf8)) }
                    mutated.insert(contentsOf: insert, at: Int.random(in: 0...mutated.count, using: &random))
                }
                inputs.append(Data(mutated))
            }
        }
        for _ in 0..<200 { inputs.append(Data((0..<Int.random(in: 0...2000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })) }
        var parsed = 0
        var refused = 0
        for input in inputs {
            for format in StatementFormat.allCases {
                do {
                    let statements = try StatementReader.read(input, format: format, profile: .bbva, account: "X")
                    // What parses is whole: every entry has a key and a currency field, amounts within range.
                    #expect(statements.allSatisfy { $0.entries.allSatisfy { !$0.naturalKey.isEmpty && abs($0.amount) < Int64.max / 1000 } })
                    parsed += 1
                } catch {
                    #expect(!error.message.isEmpty && !error.code.isEmpty)
                    refused += 1
                }
            }
        }
        #expect(parsed > 0 && refused > 0)
    }
}
