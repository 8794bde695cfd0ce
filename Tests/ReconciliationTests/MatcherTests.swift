import CarteraCore
import CarteraTestSupport
import Foundation
import Reconciliation
import Testing

/// The matcher's rules one by one, then on a generated set whose truth is known.
@Suite("Matching bank lines to loans")
struct MatcherTests {
    static let day = CalendarDate(year: 2026, month: 11, day: 25)!

    static let loans = [
        OpenLoan(
            loanID: "ln_0a1b2c3d4e5f60718293", clientID: "cl_1", clientName: "María Guadalupe Hernández López", clabe: "646180123400000010", amountDue: 150_000,
            nextPayment: 150_000, payoff: 900_000, nextDueDate: day, references: ["OXXO93000012345678"], payerAccounts: ["012180001234567897"]
        ),
        OpenLoan(
            loanID: "ln_99aa88bb77cc66dd55ee", clientID: "cl_2", clientName: "José Luis Pérez", clabe: "646180123400000023", amountDue: 0, nextPayment: 98_000,
            payoff: 500_000, nextDueDate: day.adding(days: 10), payerAccounts: ["002180700000000011"]
        ),
        OpenLoan(
            loanID: "ln_1111aaaa2222bbbb3333", clientID: "cl_2", clientName: "José Luis Pérez", amountDue: 120_000, nextPayment: 120_000, payoff: 700_000,
            nextDueDate: day, payerAccounts: ["002180700000000011"]
        ),
    ]

    let matcher = Matcher(loans: Self.loans)

    @Test("The loan's own CLABE posts at once, whatever the amount")
    func clabe() {
        let outcome = matcher.match(UnmatchedLine(id: "1", amount: 33_333, valueDate: Self.day, destinationCLABE: "646180123400000010"))
        #expect(outcome == .post([MatchCandidate(loanID: "ln_0a1b2c3d4e5f60718293", clientID: "cl_1", amount: 33_333, score: 100, rule: .clabe, reason: "Depósito a la CLABE del crédito ln_0a1b2c3d4e5f60718293.")]))
    }

    @Test("A reference in the concept, even with the bank's punctuation dropped, posts; two loans named go to review")
    func reference() {
        let dropped = matcher.match(UnmatchedLine(id: "2", amount: 150_000, valueDate: Self.day, text: "PAGO CREDITO LN0A1B2C3D4E5F60718293 MARIA"))
        #expect(dropped.candidates.map(\.loanID) == ["ln_0a1b2c3d4e5f60718293"] && { if case .post = dropped { true } else { false } }())
        let oxxo = matcher.match(UnmatchedLine(id: "3", amount: 150_000, valueDate: Self.day, text: "REF OXXO93000012345678"))
        #expect(oxxo.candidates.first?.rule == .reference && oxxo.candidates.first?.score == 95)
        let two = matcher.match(UnmatchedLine(id: "4", amount: 150_000, valueDate: Self.day, text: "ln_0a1b2c3d4e5f60718293 y ln_99aa88bb77cc66dd55ee"))
        #expect({ if case .review(let c) = two { c.count == 2 } else { false } }())
    }

    @Test("From a known account: the client's loan due that amount near its date posts; a client with a split deposit is split; an amount owed by none is reviewed")
    func payerAccount() {
        let exact = matcher.match(UnmatchedLine(id: "5", amount: 150_000, valueDate: Self.day.adding(days: 1), payerAccount: "012180001234567897"))
        #expect({ if case .post(let c) = exact { c.map(\.loanID) == ["ln_0a1b2c3d4e5f60718293"] && c[0].score == 90 } else { false } }())
        let close = matcher.match(UnmatchedLine(id: "6", amount: 150_030, valueDate: Self.day, payerAccount: "012180001234567897"))
        #expect({ if case .review(let c) = close { c[0].score == 87 } else { false } }())  // within tolerance, not exact: a person checks
        let split = matcher.match(UnmatchedLine(id: "7", amount: 218_000, valueDate: Self.day, payerAccount: "002180700000000011"))
        #expect(split.candidates.map(\.amount) == [98_000, 120_000] && split.candidates.reduce(0) { $0 + $1.amount } == 218_000)
        let other = matcher.match(UnmatchedLine(id: "8", amount: 1_000, valueDate: Self.day, payerAccount: "002180700000000011"))
        #expect({ if case .review(let c) = other { c.count == 2 && c.allSatisfy { $0.score == 60 } } else { false } }())
    }

    @Test("A payer's name like the client's suggests the loan due that amount, never posts it; an unknown payer is unidentified")
    func names() {
        let named = matcher.match(UnmatchedLine(id: "9", amount: 150_000, valueDate: Self.day, payerName: "HERNANDEZ LOPEZ MA GUADALUPE"))
        #expect({ if case .review(let c) = named { c.first?.loanID == "ln_0a1b2c3d4e5f60718293" && c.first?.rule == .name } else { false } }())
        #expect(NameSimilarity.score("María Guadalupe Hernández López", "HERNANDEZ LOPEZ MARIA GUADALUPE") == 100)
        #expect(NameSimilarity.score("José Luis Pérez", "JOSE LUIS PERES") >= 80 && NameSimilarity.score("José Luis Pérez", "Ana Martínez") < 50)
        #expect(matcher.match(UnmatchedLine(id: "10", amount: 150_000, valueDate: Self.day, payerName: "COMERCIALIZADORA XYZ SA DE CV")) == .unidentified)
        #expect(matcher.match(UnmatchedLine(id: "11", amount: 77_777, valueDate: Self.day, payerName: "MARIA GUADALUPE HERNANDEZ")) == .unidentified)
    }

    @Test("Two loans equally likely never post: a tie goes to review")
    func ties() {
        let twins = [
            OpenLoan(loanID: "ln_a", clientID: "cl_9", clientName: "Ana Ruiz", amountDue: 50_000, nextPayment: 50_000, payoff: 90_000, nextDueDate: Self.day, payerAccounts: ["X1"]),
            OpenLoan(loanID: "ln_b", clientID: "cl_9", clientName: "Ana Ruiz", amountDue: 50_000, nextPayment: 50_000, payoff: 90_000, nextDueDate: Self.day, payerAccounts: ["X1"]),
        ]
        let outcome = Matcher(loans: twins).match(UnmatchedLine(id: "12", amount: 50_000, valueDate: Self.day, payerAccount: "X1"))
        #expect({ if case .review(let c) = outcome { c.count == 2 && c[0].score == c[1].score } else { false } }())
    }

    @Test("On a generated set with known truth: ≥ 99% of auto-posted lines are right, ≥ 95% of matchable lines have the right loan first")
    func generatedTruth() {
        var random = SeededRandom(seed: 27)
        let first = ["María", "José", "Juan", "Guadalupe", "Luis", "Ana", "Carlos", "Rosa", "Miguel", "Laura", "Jorge", "Patricia", "Fernando", "Elena", "Ricardo", "Sofía"]
        let last = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Ruiz", "Mendoza"]
        let range = try! VirtualCLABERange(prefix: "6461801234")
        var loans: [OpenLoan] = []
        for index in 0..<3_000 {
            let name = "\(random.element(first)) \(random.element(first)) \(random.element(last)) \(random.element(last))"
            let due = Int64.random(in: 50_000...900_000, using: &random) / 100 * 100
            loans.append(OpenLoan(
                loanID: "ln_\(String(index, radix: 16))\(random.digits(12))", clientID: "cl_\(index)", clientName: name, clabe: range.clabe(number: Int64(index + 1)),
                amountDue: due, nextPayment: due, payoff: due * 6, nextDueDate: Self.day.adding(days: Int64.random(in: -3...3, using: &random)),
                payerAccounts: ["0121800\(random.digits(11))"]
            ))
        }
        let matcher = Matcher(loans: loans)
        var lines: [(line: UnmatchedLine, truth: String?)] = []
        for index in 0..<6_000 {
            let loan = random.element(loans)
            let date = Self.day.adding(days: Int64.random(in: -2...2, using: &random))
            let kind = Int.random(in: 0..<100, using: &random)
            let line: UnmatchedLine
            var truth: String? = loan.loanID
            switch kind {
            case 0..<40: line = UnmatchedLine(id: "\(index)", amount: loan.amountDue, valueDate: date, destinationCLABE: loan.clabe)
            case 40..<60: line = UnmatchedLine(id: "\(index)", amount: loan.amountDue, valueDate: date, text: "PAGO \(loan.loanID.uppercased().replacingOccurrences(of: "_", with: ""))")
            case 60..<78: line = UnmatchedLine(id: "\(index)", amount: loan.amountDue, valueDate: date, payerAccount: loan.payerAccounts[0])
            case 78..<90:
                // The name as a bank writes it: upper case, no accents, surnames first.
                let parts = loan.clientName.split(separator: " ")
                line = UnmatchedLine(id: "\(index)", amount: loan.amountDue, valueDate: date, payerName: (parts[2...] + parts[..<2]).joined(separator: " ").uppercased())
            default:
                line = UnmatchedLine(id: "\(index)", amount: Int64.random(in: 1_000...9_999_999, using: &random), valueDate: date, payerName: "EMPRESA \(random.digits(6)) SA DE CV")
                truth = nil
            }
            lines.append((line, truth))
        }
        var posted = 0
        var postedRight = 0
        var matchable = 0
        var firstRight = 0
        var unidentifiedRight = 0
        for (line, truth) in lines {
            let outcome = matcher.match(line)
            if case .post(let candidates) = outcome {
                posted += 1
                if candidates.count == 1 && candidates[0].loanID == truth { postedRight += 1 }
            }
            if let truth {
                matchable += 1
                if outcome.candidates.first?.loanID == truth { firstRight += 1 }
            } else if outcome == .unidentified {
                unidentifiedRight += 1
            }
        }
        let precision = Double(postedRight) / Double(max(posted, 1))
        let recall = Double(firstRight) / Double(max(matchable, 1))
        #expect(precision >= 0.99, "auto-post precision \(precision) over \(posted)")
        #expect(recall >= 0.95, "right loan first \(recall) over \(matchable)")
        #expect(posted > matchable * 3 / 4 && unidentifiedRight > 0)
    }
}
