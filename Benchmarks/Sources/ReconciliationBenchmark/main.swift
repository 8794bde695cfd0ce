import CarteraCore
import Foundation
import Reconciliation

/// Statement lines parsed and matched against open loans (issue target: 1,000,000 lines against 1,000,000 open
/// installments in ≤ 10 s on 2 cores, release). A bank CSV (BBVA layout) is generated in memory: 60 % of its deposits are
/// sent to the loan's own CLABE, 20 % name the loan in the concept, 10 % come from an account the client paid from
/// before, 10 % are nobody's. It is parsed by `BankCSVParser`, turned into the matcher's lines, and matched.
/// `--write-csv FOLDER` also writes the lines and the loans as CSV for the pandas baseline (`Benchmarks/reconciliation/pandas_baseline.py`).

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
let csvFolder = arguments.firstIndex(of: "--write-csv").flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[arguments.index(after: $0)] : nil }

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

nonisolated(unsafe) var random = SplitMix64(seed: 2026)
func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

let range = try! VirtualCLABERange(prefix: "6461801234")
let first = ["MARIA", "JOSE", "JUAN", "GUADALUPE", "LUIS", "ANA", "CARLOS", "ROSA", "MIGUEL", "LAURA", "JORGE", "PATRICIA"]
let last = ["HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "GOMEZ"]
let day = CalendarDate(year: 2026, month: 11, day: 25)!

// The open loans, one installment due each.
var loans: [OpenLoan] = []
loans.reserveCapacity(count)
for index in 0..<count {
    let due = Int64(50_000 + next(900_000)) / 100 * 100
    let account = "0121800" + String(String(1_000_000_000_0 + index).suffix(11))
    loans.append(OpenLoan(
        loanID: "ln_" + String(index, radix: 16).leftPadded(to: 20), clientID: "cl_\(index)",
        clientName: "\(first[next(first.count)]) \(last[next(last.count)]) \(last[next(last.count)])", clabe: range.clabe(number: Int64(index + 1)),
        amountDue: due, nextPayment: due, payoff: due * 6, nextDueDate: day, payerAccounts: [account]
    ))
}

// The bank's CSV: one deposit per loan, in shuffled order.
var csv = "FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n"
csv.reserveCapacity(count * 90)
var truth: [String?] = []
truth.reserveCapacity(count)
for index in 0..<count {
    let loan = loans[(index &* 7_919) % count]
    let kind = next(10)
    let amount = Money(minorUnits: loan.amountDue, currency: .mxn).decimalText
    let description: String
    switch kind {
    case 0..<6: description = "SPEI RECIBIDO \(loan.clabe!) PAGO"
    case 6..<8: description = "PAGO CREDITO \(loan.loanID.uppercased().replacingOccurrences(of: "_", with: ""))"
    case 8: description = "TRANSFERENCIA DE \(loan.payerAccounts[0])"
    default: description = "DEPOSITO EFECTIVO SUC \(next(9999))"
    }
    truth.append(kind == 9 ? nil : loan.loanID)
    csv += "25/11/2026,\(description),,\(amount),0.00\n"
}
let data = Data(csv.utf8)
csv = ""

let clock = ContinuousClock()
var statement: BankStatement?
let parse = clock.measure { statement = try! BankCSVParser.parse(data, profile: .bbva, account: "014180655000000001") }
let entries = statement!.entries

// The matcher's view of each line: a CLABE of the range is where it was sent; another 18-digit account is the payer's.
// The matcher's view of each line, worked out on every core: a CLABE of the range is where it was sent; another
// 18-digit account is the payer's.
func unmatchedLine(_ entry: StatementEntry) -> UnmatchedLine {
    let text = entry.description ?? ""
    var destination: String?
    var payer: String?
    // 18-digit runs in the text, found byte by byte.
    var run = 0
    let bytes = Array(text.utf8)
    for position in 0...bytes.count {
        if position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            run += 1
            continue
        }
        if run == 18 {
            let account = String(decoding: bytes[(position - 18)..<position], as: UTF8.self)
            if range.number(of: account) != nil { destination = account } else { payer = account }
        }
        run = 0
    }
    return UnmatchedLine(id: entry.naturalKey, amount: entry.amount, valueDate: entry.valueDate!, destinationCLABE: destination, text: text, payerAccount: payer)
}
let conversionParts = max(1, ProcessInfo.processInfo.activeProcessorCount)
let conversionLock = NSLock()
nonisolated(unsafe) var converted: [[UnmatchedLine]] = Array(repeating: [], count: conversionParts)
let convert = clock.measure {
    let size = (entries.count + conversionParts - 1) / conversionParts
    DispatchQueue.concurrentPerform(iterations: conversionParts) { part in
        let slice = entries[(part * size)..<min(entries.count, (part + 1) * size)].map(unmatchedLine)
        conversionLock.withLock { converted[part] = slice }
    }
}
let lines = converted.flatMap { $0 }
converted = []

var matcher: Matcher?
let index = clock.measure { matcher = Matcher(loans: loans) }
// Matched on every core: the matcher is pure, the lines are split in as many parts.
let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
let sharedMatcher = matcher!
let sharedLines = lines
let sharedTruth = truth
let tallyLock = NSLock()
nonisolated(unsafe) var tallies: [(posted: Int, right: Int, review: Int, unidentified: Int)] = []
let match = clock.measure {
    let size = (sharedLines.count + parts - 1) / parts
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        var tally = (posted: 0, right: 0, review: 0, unidentified: 0)
        for position in (part * size)..<min(sharedLines.count, (part + 1) * size) {
            switch sharedMatcher.match(sharedLines[position]) {
            case .post(let candidates):
                tally.posted += 1
                if candidates.first?.loanID == sharedTruth[position] { tally.right += 1 }
            case .review: tally.review += 1
            case .unidentified: tally.unidentified += 1
            }
        }
        tallyLock.withLock { tallies.append(tally) }
    }
}
let posted = tallies.reduce(0) { $0 + $1.posted }
let right = tallies.reduce(0) { $0 + $1.right }
let review = tallies.reduce(0) { $0 + $1.review }
let unidentified = tallies.reduce(0) { $0 + $1.unidentified }
let total = seconds(parse) + seconds(convert) + seconds(index) + seconds(match)
print(String(format: "lines %d  parse %.2f s  to lines %.2f s  index %d loans %.2f s  match %.2f s  total %.2f s", entries.count, seconds(parse), seconds(convert), loans.count, seconds(index), seconds(match), total))
print(String(format: "posted %d (right %d)  review %d  unidentified %d  peak memory %.0f MiB", posted, right, review, unidentified, peakMemoryMiB()))

if let folder = csvFolder {
    var lineFile = "line_id,amount,reference\n"
    for (position, line) in lines.enumerated() { lineFile += "\(position),\(line.amount),\(line.destinationCLABE ?? "")\n" }
    var loanFile = "loan_id,clabe,amount_due\n"
    for loan in loans { loanFile += "\(loan.loanID),\(loan.clabe ?? ""),\(loan.amountDue)\n" }
    try! lineFile.write(toFile: folder + "/lines.csv", atomically: true, encoding: .utf8)
    try! loanFile.write(toFile: folder + "/loans.csv", atomically: true, encoding: .utf8)
    print("wrote \(folder)/lines.csv and \(folder)/loans.csv")
}

extension String {
    func leftPadded(to length: Int) -> String { count >= length ? self : String(repeating: "0", count: length - count) + self }
}
