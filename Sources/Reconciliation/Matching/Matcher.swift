import Foundation
import CarteraCore
import Synchronization

/// Finds the loan each bank line pays, in order of certainty: the loan's own CLABE, then a reference of the loan in
/// the text, then an account the client paid from before with an amount due, then the payer's name with an amount due
/// near its date. Each rule gives scored candidates; the best is posted when it scores at least
/// `MatchRules.autoPostScore` and nothing ties with it, otherwise it goes to review with the others. A deposit that
/// equals what several loans of one client owe is split among them. Pure: the loans and lines come in, decisions go out.
public struct Matcher: Sendable {
    let loans: [OpenLoan]
    let rules: MatchRules
    let byCLABE: [String: Int]
    let byReference: [String: Int]
    let byPayerAccount: GroupIndex
    let byClient: GroupIndex
    /// The clients' names by word, built the first time a line needs them (most lines never do).
    let names: NameIndex
    /// The lender's concept patterns, compiled once.
    let patterns: ConceptPatterns

    public init(loans: [OpenLoan], rules: MatchRules = MatchRules()) {
        self.loans = loans
        self.rules = rules
        // The exact keys and the groups are built side by side on two cores when there are many loans.
        let (exact, groups) = Self.inParallel(loans.count >= 20_000) { () -> ([String: Int], [String: Int]) in
            var byCLABE: [String: Int] = [:]
            var byReference: [String: Int] = [:]
            byCLABE.reserveCapacity(loans.count)
            byReference.reserveCapacity(loans.count)
            for (index, loan) in loans.enumerated() {
                if let clabe = loan.clabe { byCLABE[clabe] = index }
                let id = Self.referenceKey(loan.loanID)
                if id.utf8.count >= 6 { byReference[id] = index }
                for reference in loan.references {
                    let key = Self.referenceKey(reference)
                    if key.utf8.count >= 6 { byReference[key] = index }
                }
            }
            return (byCLABE, byReference)
        } and: { () -> (GroupIndex, GroupIndex) in
            var byPayerAccount = GroupIndex(capacity: loans.count)
            var byClient = GroupIndex(capacity: loans.count)
            for (index, loan) in loans.enumerated() {
                for account in loan.payerAccounts { byPayerAccount.add(account, index) }
                byClient.add(loan.clientID, index)
            }
            return (byPayerAccount, byClient)
        }
        (self.byCLABE, self.byReference) = exact
        (self.byPayerAccount, self.byClient) = groups
        self.names = NameIndex(loans)
        self.patterns = ConceptPatterns(rules.conceptPatterns)
    }

    /// Runs `first` and `second` at the same time (on two threads) when `parallel`, else one after the other.
    static func inParallel<A, B>(_ parallel: Bool, _ first: () -> A, and second: () -> B) -> (A, B) {
        guard parallel else { return (first(), second()) }
        let results = PairBox<A, B>()
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                let work = UncheckedPair(first: first, second: second)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    if part == 0 { results.first = work.first() } else { results.second = work.second() }
                }
            }
        }
        return (results.first!, results.second!)
    }

    /// A reference as it is compared: letters and digits only, upper case (banks drop `_` and `-`).
    static func referenceKey(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            let upper = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
            if (upper >= 0x41 && upper <= 0x5A) || (upper >= 0x30 && upper <= 0x39) { bytes.append(upper) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func match(_ line: UnmatchedLine) -> MatchOutcome {
        guard line.amount > 0 else { return .unidentified }
        // 1. The loan's own CLABE: the money was sent to this loan.
        if let clabe = line.destinationCLABE {
            guard let index = byCLABE[clabe] else {
                // A loan's own CLABE, but of no loan open now (paid off, written off): a person decides.
                return .review([])
            }
            return decide([candidate(index, line, score: 100, rule: .clabe, reason: "Depósito a la CLABE del crédito \(loans[index].loanID).")])
        }
        // 2. A reference of one loan in the text.
        var referenced: [Int] = []
        for word in line.text.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x2F || $0 == 0x3A || $0 == 0x2C || $0 == 0x3B || $0 == 0x0A }) where word.count >= 6 {
            let key = Self.referenceKey(Substring(word))
            if key.count >= 6, let index = byReference[key], !referenced.contains(index) { referenced.append(index) }
        }
        var patterned = false
        if referenced.isEmpty {
            // 2b. The lender's own ways of writing a loan.
            for key in patterns.captures(in: line.text) {
                if let index = byReference[Self.referenceKey(key)], !referenced.contains(index) { referenced.append(index) }
            }
            patterned = !referenced.isEmpty
        }
        if !referenced.isEmpty {
            if patterned {
                let score = referenced.count == 1 ? 95 : 70
                return decide(referenced.map { candidate($0, line, score: score, rule: .reference, reason: "El concepto coincide con un patrón de la financiera para \(loans[$0].loanID).") })
            }
            // Two loans named in one concept: a person decides (or splits it).
            let score = referenced.count == 1 ? 95 : 70
            return decide(referenced.map { candidate($0, line, score: score, rule: .reference, reason: "El concepto menciona \(loans[$0].loanID).") })
        }
        // 3. An account the client paid from before: which of the client's loans is due that amount.
        if let account = line.payerAccount, case let known = byPayerAccount[account], !known.isEmpty {
            let clientLoans = Array(Set(known.flatMap { byClient[loans[$0].clientID] })).sorted()
            if let outcome = byAmount(clientLoans, line, rule: .payerAccount, base: 80, reason: "Desde una cuenta que el cliente ya usó") { return outcome }
            return .review(clientLoans.map { candidate($0, line, score: 60, rule: .payerAccount, reason: "Desde una cuenta que el cliente ya usó; el monto no coincide con lo exigible.") })
        }
        // 4. The payer's name, among the clients whose loans are due about that amount.
        if let name = line.payerName {
            let tokens = NameSimilarity.tokens(name)
            let (byNameToken, nameTokens) = names.index()
            // Candidates share words with the payer (two of them when the payer wrote two or more), and are due about
            // the amount or hold several loans (a split): only those are compared letter by letter.
            var shared: [Int: Int] = [:]
            for token in Set(tokens) where token.count >= 3 {
                for index in byNameToken[token] ?? [] { shared[index, default: 0] += 1 }
            }
            let needed = min(2, Set(tokens.filter { $0.count >= 3 }).count)
            var similar: [(index: Int, similarity: Int)] = []
            for (index, count) in shared where count >= needed {
                let loan = loans[index]
                let due = [loan.amountDue, loan.nextPayment, loan.payoff].contains { $0 > 0 && abs($0 - line.amount) <= rules.amountTolerance }
                guard due || byClient[loan.clientID].count > 1 else { continue }
                let similarity = NameSimilarity.score(tokens: tokens, nameTokens[index])
                if similarity >= rules.nameSimilarity { similar.append((index, similarity)) }
            }
            if !similar.isEmpty {
                let indices = similar.map(\.index).sorted()
                // A name alone never posts: at most 85 (the default needs 90).
                if let outcome = byAmount(indices, line, rule: .name, base: 70, reason: "El ordenante se llama como el cliente", similarity: Dictionary(uniqueKeysWithValues: similar.map { ($0.index, $0.similarity) })) {
                    return outcome
                }
            }
        }
        return .unidentified
    }

    /// Among `indices`, the loans due the line's amount (within tolerance): one → its candidate; several loans of one
    /// client whose amounts add up to the line → a split; none → nil.
    func byAmount(_ indices: [Int], _ line: UnmatchedLine, rule: MatchRule, base: Int, reason: String, similarity: [Int: Int] = [:]) -> MatchOutcome? {
        var scored: [MatchCandidate] = []
        for index in indices {
            let loan = loans[index]
            let due = [loan.amountDue, loan.nextPayment, loan.payoff].filter { $0 > 0 }
            guard due.contains(where: { abs($0 - line.amount) <= rules.amountTolerance }) else { continue }
            var score = base + (due.contains(line.amount) ? 5 : 2)
            if let date = loan.nextDueDate, abs(date.days(until: line.valueDate)) <= Int64(rules.dateWindowDays) { score += 5 }
            if let name = similarity[index] { score = min(score + (name - rules.nameSimilarity) / 5, 85) }
            scored.append(candidate(index, line, score: score, rule: rule, reason: "\(reason); el monto es lo exigible del crédito \(loan.loanID)."))
        }
        if !scored.isEmpty { return decide(scored) }
        // A split: the line pays what several loans of one client owe.
        for group in Dictionary(grouping: indices, by: { loans[$0].clientID }).values.sorted(by: { $0[0] < $1[0] }) where group.count > 1 {
            let dues = group.map { (index: $0, due: loans[$0].amountDue > 0 ? loans[$0].amountDue : loans[$0].nextPayment) }
            let total = dues.reduce(Int64(0)) { $0 + $1.due }
            guard total > 0, abs(total - line.amount) <= rules.amountTolerance else { continue }
            var shares = dues.map { candidate($0.index, line, score: base + 3, rule: rule, reason: "\(reason); el monto es la suma de lo exigible de sus créditos.", amount: $0.due) }
            // Any difference within tolerance goes to the first loan, so the shares add up to the line.
            shares[0].amount += line.amount - total
            return shares.allSatisfy({ $0.score >= rules.autoPostScore }) ? .post(shares) : .review(shares)
        }
        return nil
    }

    /// The best candidate is posted when it scores enough and nothing ties with it; otherwise all go to review.
    func decide(_ candidates: [MatchCandidate]) -> MatchOutcome {
        let sorted = candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $0.loanID < $1.loanID }
        guard let best = sorted.first else { return .unidentified }
        let tie = sorted.count > 1 && sorted[1].score == best.score && sorted[1].loanID != best.loanID
        return best.score >= rules.autoPostScore && !tie ? .post([best]) : .review(sorted)
    }

    func candidate(_ index: Int, _ line: UnmatchedLine, score: Int, rule: MatchRule, reason: String, amount: Int64? = nil) -> MatchCandidate {
        MatchCandidate(loanID: loans[index].loanID, clientID: loans[index].clientID, amount: amount ?? line.amount, score: min(score, 100), rule: rule, reason: reason)
    }
}

/// The clients' names as words, and the loans by word — built once, on first use, shared by every copy of the matcher.
final class NameIndex: Sendable {
    let loans: [OpenLoan]
    let built: Mutex<(byToken: [String: [Int]], tokens: [[String]])?>

    init(_ loans: [OpenLoan]) {
        self.loans = loans
        built = Mutex(nil)
    }

    func index() -> (byToken: [String: [Int]], tokens: [[String]]) {
        built.withLock { built in
            if let built { return built }
            var byToken: [String: [Int]] = [:]
            var tokens: [[String]] = []
            tokens.reserveCapacity(loans.count)
            for (index, loan) in loans.enumerated() {
                let words = NameSimilarity.tokens(loan.clientName)
                tokens.append(words)
                for token in Set(words) where token.count >= 3 { byToken[token, default: []].append(index) }
            }
            built = (byToken, tokens)
            return (byToken, tokens)
        }
    }
}

/// Loans by a key most loans have alone (a client, an account): one index per key, and a list only for keys several
/// loans share — a million one-element arrays would cost more than the rest of the index.
struct GroupIndex: Sendable {
    private var first: [String: Int] = [:]
    private var more: [String: [Int]] = [:]

    init(capacity: Int) { first.reserveCapacity(capacity) }

    /// Adds `index` (indices arrive in increasing order; one already there is not added again).
    mutating func add(_ key: String, _ index: Int) {
        guard let existing = first[key] else {
            first[key] = index
            return
        }
        if existing == index || more[key]?.last == index { return }
        more[key, default: [existing]].append(index)
    }

    subscript(_ key: String) -> [Int] {
        if let many = more[key] { return many }
        return first[key].map { [$0] } ?? []
    }
}

/// Regular expressions compiled once and only read after (NSRegularExpression is immutable and safe to share).
final class ConceptPatterns: @unchecked Sendable {
    let expressions: [NSRegularExpression]

    init(_ patterns: [String]) {
        expressions = patterns.compactMap { try? NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
    }

    /// What each pattern captures in `text` (its first 200 characters): its first group, or the whole match.
    func captures(in text: String) -> [String] {
        guard !expressions.isEmpty else { return [] }
        let text = String(text.prefix(200))
        let range = NSRange(text.startIndex..., in: text)
        var found: [String] = []
        for expression in expressions {
            for match in expression.matches(in: text, range: range) {
                let group = match.numberOfRanges > 1 && match.range(at: 1).location != NSNotFound ? match.range(at: 1) : match.range
                if let swiftRange = Range(group, in: text) { found.append(String(text[swiftRange])) }
            }
        }
        return found
    }
}

/// Two results written by two threads, each slot by one of them only, read after both finished.
private final class PairBox<A, B>: @unchecked Sendable {
    var first: A?
    var second: B?
}

/// Two closures handed to `concurrentPerform`, which runs each once and returns only when both have finished.
private struct UncheckedPair<A, B>: @unchecked Sendable {
    let first: () -> A
    let second: () -> B
}
