import CarteraCore
import CarteraTestSupport
import Foundation
import Reconciliation
import Testing

/// camt.052/053/054 against the genkgo/camt sample messages and that library's own expected parse.
@Suite("camt.05x statements", .enabled(if: SharedFixtures.enabled, "needs ../shared/fixtures beside the project"))
struct CamtParserTests {
    static let samples = [
        "camt053.v2.minimal", "camt053.v2.five.decimals", "camt053.v2.multi.statement", "camt053.v4", "camt053.v8", "camt054.v8-with-UETR", "camt052.v8",
    ]

    /// The expected parse: genkgo's entries, each with its amount in minor units and the record (statement) it is in.
    struct Expected {
        struct Entry {
            let amount: Int64
            let currency: String
            let booking: String?
            let value: String?
            let bankReference: String?
            let entryReference: String?
            let reversal: Bool
            let status: String?
            let account: String?
            let opening: Int64?
            let closing: Int64?
        }

        let entries: [Entry]

        init(_ data: Data) throws {
            let message = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let entries = try #require(message["getEntries"] as? [[String: Any]])
            self.entries = try entries.map { entry in
                let amount = try #require(entry["getAmount"] as? [String: Any])
                let record = entry["getRecord"] as? [String: Any] ?? [:]
                let account = record["getAccount"] as? [String: Any]
                let balances = record["getBalances"] as? [[String: Any]] ?? []
                func balance(_ type: String) -> Int64? {
                    balances.first { $0["getType"] as? String == type }.flatMap { ($0["getAmount"] as? [String: Any])?["getAmount"] as? String }.flatMap { Int64($0) }
                }
                func day(_ key: String) -> String? { ((entry[key] as? [String: Any])?["0"] as? String).map { String($0.prefix(10)) } }
                let minor = try #require((amount["getAmount"] as? String).flatMap { Int64($0) })
                return Entry(
                    amount: minor,
                    currency: try #require((amount["getCurrency"] as? [String: Any])?["getCode"] as? String), booking: day("getBookingDate"), value: day("getValueDate"),
                    bankReference: entry["getAccountServicerReference"] as? String, entryReference: entry["getReference"] as? String,
                    reversal: entry["getReversalIndicator"] as? Bool ?? false, status: entry["getStatus"] as? String,
                    account: ((account?["getIban"] as? [String: Any])?["getIban"] as? String) ?? account?["getIdentification"] as? String,
                    opening: balance("opening"), closing: balance("closing")
                )
            }
        }
    }

    @Test("Each sample parses to the entries, amounts, dates, references and balances genkgo/camt expects", arguments: samples)
    func matchesGolden(sample: String) throws {
        let statements = try CamtParser.parse(try SharedFixtures.data("camt/\(sample).xml"))
        let expected = try Expected(try SharedFixtures.data("camt/\(sample).json"))
        let entries = statements.flatMap { statement in statement.entries.map { (statement, $0) } }
        // genkgo's dump lists the entries of the message's last statement: ours, at the end, are those.
        #expect(!expected.entries.isEmpty && entries.count >= expected.entries.count)
        for (index, want) in expected.entries.enumerated() where index < entries.count {
            let (statement, entry) = entries[entries.count - expected.entries.count + index]
            #expect(entry.amount == want.amount && entry.currency == want.currency, "\(sample) #\(index)")
            #expect(entry.bookingDate?.description == want.booking && entry.valueDate?.description == want.value, "\(sample) #\(index)")
            #expect(entry.bankReference == want.bankReference && entry.entryReference == want.entryReference, "\(sample) #\(index)")
            #expect(entry.isReversal == want.reversal && entry.status == (want.status == "PDNG" ? .pending : want.status == "INFO" ? .information : .booked))
            #expect(statement.account == want.account, "\(sample) #\(index)")
            #expect(statement.opening?.amount == want.opening && statement.closing?.amount == want.closing, "\(sample) #\(index)")
        }
    }

    @Test("Several statements in one message stay apart, each with its balances; the totals add up")
    func multiStatement() throws {
        let statements = try CamtParser.parse(try SharedFixtures.data("camt/camt053.v2.multi.statement.xml"))
        #expect(statements.count == 2 && statements.allSatisfy { $0.entries.count == 1 && $0.format == .camt053 })
        #expect(statements.map(\.id) == statements.map(\.id).uniqued() && statements[0].id != nil)
        for statement in statements { #expect(statement.balanceGap == nil, "\(statement.id ?? "")") }
        #expect(statements[0].opening?.amount == 1815 && statements[0].closing?.amount == 2700 && statements[0].entries[0].amount == 885)
        #expect(statements[1].opening?.amount == 2700 && statements[1].closing?.amount == 2000 && statements[1].entries[0].amount == -700)
        #expect(statements.map(\.id) == ["253EURNL26VAYB8060476890", "254EURNL26VAYB8060476890"])
    }

    @Test("Five decimals written for two normalise (18.150 → 18.15); a notification and a report are recognised by their message")
    func kindsAndDecimals() throws {
        let five = try CamtParser.parse(try SharedFixtures.data("camt/camt053.v2.five.decimals.xml"))
        #expect(five[0].opening?.amount == 1815 && five[0].entries.map(\.amount) == [885] && five[0].closing?.amount == 2705)
        // The sample's closing balance is 5 cents above opening + its one entry: reported, not hidden.
        #expect(five[0].balanceGap == 5)
        let notification = try CamtParser.parse(try SharedFixtures.data("camt/camt054.v8-with-UETR.xml"))
        #expect(notification.count == 1 && notification[0].format == .camt054 && notification[0].entries[0].amount == -20_000_000)
        // No EndToEndId there: the UETR (a UUID kept end to end) stands in.
        #expect(notification[0].entries[0].endToEndID?.count == 36)
        let report = try CamtParser.parse(try SharedFixtures.data("camt/camt052.v8.xml"))
        #expect(report[0].format == .camt052 && report[0].entries[0].bankReference == "AAAASESS-FP-ACCR-01")
    }

    @Test("The v8 sample's parties and remittance: the payer of a credit, its account and the unstructured text")
    func partiesAndRemittance() throws {
        let entry = try #require(try CamtParser.parse(try SharedFixtures.data("camt/camt053.v8.xml")).first?.entries.first)
        #expect(entry.amount == 885 && entry.endToEndID == "MUELL/FINP/RA12345")
        #expect(entry.counterpartyName != nil && entry.naturalKey.contains("AAAASESS-FP-CN_98765/01"))
    }

    @Test("A batched entry's transactions become lines of their own with their amounts, parties and references; an entry whose transactions do not add up stays whole")
    func batchedTransactions() throws {
        func tx(_ amount: String, _ name: String, _ e2e: String) -> String {
            "<TxDtls><Refs><EndToEndId>\(e2e)</EndToEndId></Refs><Amt Ccy=\"MXN\">\(amount)</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Nm>\(name)</Nm></Dbtr></RltdPties><RmtInf><Ustrd>PAGO \(e2e)</Ustrd></RmtInf></TxDtls>"
        }
        func document(total: String) -> Data {
            let entry = "<Ntry><Amt Ccy=\"MXN\">\(total)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-26</Dt></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>"
                + "<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch>\(tx("100.00", "ANA", "E1"))\(tx("250.50", "LUIS", "E2"))\(tx("49.50", "ROSA", "E3"))</NtryDtls></Ntry>"
            return Data("<Document><BkToCstmrStmt><Stmt><Acct><Id><Othr><Id>012180001234567897</Id></Othr></Id></Acct>\(entry)</Stmt></BkToCstmrStmt></Document>".utf8)
        }
        let entry = try CamtParser.parse(document(total: "400.00"))[0].entries[0]
        #expect(entry.amount == 40_000 && entry.transactions.map(\.amount) == [10_000, 25_050, 4_950])
        #expect(entry.transactions.map(\.counterpartyName) == ["ANA", "LUIS", "ROSA"] && entry.transactions.map(\.endToEndID) == ["E1", "E2", "E3"])
        #expect(entry.transactions[1].remittance == "PAGO E2" && Set(entry.transactions.map(\.naturalKey)).count == 3)
        #expect(try CamtParser.parse(document(total: "401.00"))[0].entries[0].transactions.isEmpty)
    }

    @Test("A movement's key is its bank reference with its amount and state: a pending report never hides the booked one; NONREF is no reference")
    func referenceKeys() throws {
        func document(_ root: String, _ status: String, _ reference: String, entries: Int = 1) -> Data {
            let entry = "<Ntry><Amt Ccy=\"MXN\">250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>\(status)</Sts><BookgDt><Dt>2026-11-26</Dt></BookgDt><AcctSvcrRef>\(reference)</AcctSvcrRef></Ntry>"
            let body = String(repeating: entry, count: entries)
            let block = root == "BkToCstmrAcctRpt" ? "Rpt" : "Stmt"
            return Data("<Document><\(root)><\(block)><Acct><Id><Othr><Id>012180001234567897</Id></Othr></Id></Acct>\(body)</\(block)></\(root)></Document>".utf8)
        }
        let pending = try CamtParser.parse(document("BkToCstmrAcctRpt", "PDNG", "R-1"))[0].entries[0]
        let booked = try CamtParser.parse(document("BkToCstmrStmt", "BOOK", "R-1"))[0].entries[0]
        #expect(pending.naturalKey != booked.naturalKey && booked.naturalKey == "camt|012180001234567897|ref|R-1|25000|MXN|booked")
        #expect(try CamtParser.parse(document("BkToCstmrStmt", "BOOK", "R-1"))[0].entries[0].naturalKey == booked.naturalKey)
        let nonref = try CamtParser.parse(document("BkToCstmrStmt", "BOOK", "NONREF", entries: 2))[0].entries
        #expect(Set(nonref.map(\.naturalKey)).count == 2)
    }

    @Test("A broken message is refused with the place at fault", arguments: [
        ("<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt>1.00</Amt></Ntry></Stmt></BkToCstmrStmt></Document>", "camt_amount_missing"),
        ("<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt Ccy=\"MXN\">1.001</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>", "camt_amount_invalid"),
        ("<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt Ccy=\"MXN\">1.00</Amt></Ntry></Stmt></BkToCstmrStmt></Document>", "camt_direction_missing"),
        ("<Document><BkToCstmrStmt><Stmt><Ntry/></Stmt></BkToCstmrStmt></Document>", "camt_no_account"),
        ("<Document><Other/></Document>", "camt_unknown_message"),
        ("<Document><BkToCstmrStmt><Stmt>", "xml_malformed"),
    ])
    func refused(xml: String, code: String) {
        #expect {
            try CamtParser.parse(Data(xml.utf8))
        } throws: { error in
            guard let error = error as? StatementError else { return false }
            return error.code == code && error.location != nil && error.message.contains("no se guardó nada")
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
