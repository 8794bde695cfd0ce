import CarteraCore
import CarteraTestSupport
import Foundation
import Reconciliation
import Testing
import Yams

/// MT940/MT942 against wolph/mt940's sample statements and that library's expected parse (PyYAML dumps).
@Suite("MT940 statements", .enabled(if: SharedFixtures.enabled, "needs ../shared/fixtures beside the project"))
struct MT940ParserTests {
    static let samples = [
        "cmxl/mt940", "cmxl/statement_line", "cmxl/statement_details", "cmxl/account_balance_credit", "cmxl/closing_balance", "cmxl/account_identification_iban",
        "jejik/abnamro", "jejik/ing", "jejik/rabobank", "jejik/triodos", "betterplace/sepa_snippet", "betterplace/amount_formats", "betterplace/currency_in_25",
        "mBank/mt940", "self-provided/mt942", "self-provided/gv_codes", "self-provided/multiline",
    ]

    /// What wolph/mt940 read: its transactions, and the last statement's account and balances.
    struct Expected {
        struct Transaction {
            let amount: Int64
            let date: CalendarDate?
            let status: String
            let customerReference: String?
            let bankReference: String?
            let type: String?
        }

        var transactions: [Transaction] = []
        var account: String?
        var opening: Int64?
        var closing: Int64?

        init(_ text: String) throws {
            // Each transaction points back at the whole document (`transactions: *id003`), an alias YAML cannot compose
            // inside the node it names: those back-references are dropped.
            let text = text.replacing(/\n +transactions: \*id\d+/, with: "")
            let root = try #require(try Yams.compose(yaml: text))
            let data = root["data"]
            account = Self.text(data?["account_identification"])
            opening = Self.balance(data?["final_opening_balance"])
            closing = Self.balance(data?["final_closing_balance"])
            for item in root["transactions"]?.sequence ?? [] {
                guard let fields = item["data"] else { continue }
                transactions.append(Transaction(
                    amount: try #require(Self.amount(fields["amount"])), date: Self.date(fields["date"]), status: fields["status"]?.string ?? "",
                    customerReference: Self.text(fields["customer_reference"]), bankReference: Self.text(fields["bank_reference"]), type: Self.text(fields["id"])
                ))
            }
        }

        /// A scalar's text; nil for YAML's null.
        static func text(_ node: Node?) -> String? {
            guard let node, node.null == nil else { return nil }
            return node.string
        }

        /// `Amount{amount: Decimal('-620.3')}` in minor units (two decimals).
        static func amount(_ node: Node?) -> Int64? {
            guard let text = node?["amount"]?.sequence?.first?.string, let value = Decimal(string: text) else { return nil }
            return NSDecimalNumber(decimal: value * 100).int64Value
        }

        static func balance(_ node: Node?) -> Int64? { amount(node?["amount"]) }

        /// `mt940.models.Date` pickled as four bytes: year (two), month, day.
        static func date(_ node: Node?) -> CalendarDate? {
            guard let encoded = node?.sequence?.first?.string?.filter({ !$0.isWhitespace }), let bytes = Data(base64Encoded: encoded), bytes.count == 4 else { return nil }
            let b = [UInt8](bytes)
            return CalendarDate(year: Int(b[0]) * 256 + Int(b[1]), month: Int(b[2]), day: Int(b[3]))
        }
    }

    @Test("Each sample parses to the amounts, value dates, marks, references and last balances wolph/mt940 expects", arguments: samples)
    func matchesGolden(sample: String) throws {
        let statements = try MT940Parser.parse(try SharedFixtures.data("mt940/\(sample).sta"))
        let expected = try Expected(String(decoding: try SharedFixtures.data("mt940/\(sample).yml"), as: UTF8.self))
        let entries = statements.flatMap(\.entries)
        #expect(entries.count == expected.transactions.count, "\(sample)")
        for (entry, want) in zip(entries, expected.transactions) {
            #expect(entry.amount == want.amount, "\(sample) #\(entry.index): \(entry.amount) ≠ \(want.amount)")
            #expect(entry.valueDate == want.date, "\(sample) #\(entry.index)")
            // C and RD (a debit undone) bring money in; D and RC take it out.
            #expect(entry.isReversal == want.status.hasPrefix("R") && (entry.amount >= 0) == (want.status == "C" || want.status == "RD"), "\(sample) #\(entry.index) \(want.status)")
            // wolph/mt940's SEPA processors clear some customer references (they move them into the details): compared
            // where it kept one.
            if let reference = want.customerReference?.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces), !reference.isEmpty {
                #expect(entry.endToEndID == (reference == "NONREF" ? nil : reference), "\(sample) #\(entry.index)")
            }
            #expect(entry.bankReference == want.bankReference?.trimmingCharacters(in: .whitespaces), "\(sample) #\(entry.index)")
            #expect(entry.transactionCode == want.type, "\(sample) #\(entry.index)")
        }
        // wolph cuts `:25:` at SWIFT's 35 characters; a longer one is kept whole here.
        if let account = expected.account { #expect(statements.last { !$0.account.isEmpty }.map { String($0.account.prefix(35)) } == account, "\(sample)") }
        // wolph keeps the last final balances (:60F:, :62F:), not the intermediate ones (:60M:, :62M:).
        let opening = statements.last { $0.opening?.intermediate == false }?.opening?.amount
        let closing = statements.last { $0.closing?.intermediate == false }?.closing?.amount
        if let want = expected.opening { #expect(opening == want, "\(sample)") }
        if let want = expected.closing { #expect(closing == want, "\(sample)") }
    }

    @Test("The cmxl sample's two statements: balances, reversal-free marks with funds codes (DR, CR), multi-line information joined")
    func cmxlStatements() throws {
        let statements = try MT940Parser.parse(try SharedFixtures.data("mt940/cmxl/mt940.sta"))
        #expect(statements.map(\.account) == ["45050050/76198810", "10020030/1234567", "BPHKPLPK/320000546101"])
        #expect(statements.map(\.sequence) == ["27/01", "5/1", "00084/001"])
        let first = statements[0]
        #expect(first.opening == StatementBalance(amount: 8_434_974, currency: "DEM", date: CalendarDate(year: 2013, month: 10, day: 16)))
        #expect(first.closing?.amount == 8_443_704 && first.entries.count == 11 && first.balanceGap == nil)
        let second = statements[1]
        #expect(second.entries.map(\.amount) == [-80_000, 300_000] && second.entries.allSatisfy { !$0.isReversal } && second.balanceGap == nil)
        #expect(second.entries[1].remittance?.contains("Gehalt Oktober") == true)
        #expect(second.entries[1].bookingDate == CalendarDate(year: 2002, month: 11, day: 2))
    }

    @Test("Amount spellings: 380115,12 · 380115,1 · 380115, · 0,12 · 00,12 · 001,12")
    func amountFormats() throws {
        let statements = try MT940Parser.parse(try SharedFixtures.data("mt940/betterplace/amount_formats.sta"))
        #expect(statements.compactMap(\.opening?.amount) == [38_011_512, 38_011_510, 38_011_500, 12, 12, 112])
    }

    @Test("Two identical movements on one day stay two; reading the file again gives the same keys")
    func naturalKeys() throws {
        let text = """
            :20:STMT1
            :25:012180001234567897
            :28C:7/1
            :60F:C261126MXN1000,00
            :61:2611261126C500,00NTRFNONREF//BANK1
            :86:PAGO CREDITO
            :61:2611261126C500,00NTRFNONREF//BANK1
            :86:PAGO CREDITO
            :61:2611261126RC500,00NTRFNONREF//BANK2
            :62F:C261126MXN1500,00
            -
            """
        let first = try MT940Parser.parse(Data(text.utf8))
        let again = try MT940Parser.parse(Data(text.utf8))
        let keys = first[0].entries.map(\.naturalKey)
        #expect(Set(keys).count == 3 && keys == again[0].entries.map(\.naturalKey))
        #expect(first[0].entries.map(\.amount) == [50_000, 50_000, -50_000] && first[0].entries[2].isReversal)
        #expect(first[0].balanceGap == nil && first[0].bookedTotals.credits == 100_000 && first[0].bookedTotals.debits == 50_000)
        // The day's interim MT942 with the first movement: the same key as in the MT940, so it is stored once.
        let interim = """
            :20:INT1
            :25:012180001234567897
            :28C:7/1
            :34F:MXN0,00
            :13D:2611261200+0600
            :61:2611261126C500,00NTRFNONREF//BANK1
            :86:PAGO CREDITO
            -
            """
        #expect(try MT940Parser.parse(Data(interim.utf8))[0].entries.map(\.naturalKey) == [keys[0]])
    }

    @Test("A broken statement is refused with the line at fault", arguments: [
        (":20:X\n:25:A\n:60F:C261126MXN1000,00\n:61:26112X\n", "mt940_line_invalid", "línea 4"),
        (":20:X\n:25:A\n:60F:C261126MXN10.00,0\n", "mt940_amount_invalid", "línea 3"),
        (":20:X\n:25:A\n:60F:X261126MXN1000,00\n", "mt940_balance_invalid", "línea 3"),
        (":20:X\n:25:A\n:60F:C261126MXN1000,00\n:61:261126C5,0,0NTRF\n", "mt940_line_invalid", "línea 4"),
        ("hola\n", "mt940_empty", "línea 1"),
    ])
    func refused(text: String, code: String, place: String) {
        #expect {
            try MT940Parser.parse(Data(text.utf8))
        } throws: { error in
            guard let error = error as? StatementError else { return false }
            return error.code == code && error.location?.hasPrefix(place) == true
        }
    }
}
