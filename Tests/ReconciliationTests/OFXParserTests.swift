import CarteraCore
import CarteraTestSupport
import Foundation
import Reconciliation
import Testing

/// OFX 1.02 SGML and 2.11 XML against jseutter/ofxparse's samples and the values its own tests assert.
@Suite("OFX statements", .enabled(if: SharedFixtures.enabled, "needs ../shared/fixtures beside the project"))
struct OFXParserTests {
    @Test("bank_medium.ofx (SGML on a few long lines): CAD checking account 12300 000012345678, three card and cheque lines, ledger balance 382.34")
    func bankMedium() throws {
        let statements = try OFXParser.parse(try SharedFixtures.data("ofx/bank_medium.ofx"))
        #expect(statements.count == 1)
        let statement = try #require(statements.first)
        #expect(statement.account == "12300 000012345678" && statement.currency == "CAD" && statement.closing?.amount == 38_234)
        #expect(statement.entries.map(\.amount) == [-660, -31_667, -2200])
        #expect(statement.entries[0].bookingDate == CalendarDate(year: 2009, month: 4, day: 1) && statement.entries[0].bankReference == "0000123456782009040100001")
        #expect(statement.entries[0].counterpartyName == "MCDONALD'S #112" && statement.entries[0].remittance == "POS MERCHANDISE;MCDONALD'S #112")
        #expect(statement.entries.map(\.transactionCode) == ["POS", "CHECK", "POS"])
        #expect(statement.entries[0].naturalKey == "ofx|12300 000012345678|0000123456782009040100001")
        #expect(statement.id == "12300 000012345678 2009-04-01/2009-05-23")
    }

    @Test("checking.ofx (indented SGML): USD, a dividend credit, a debit and cheque 319 with their FITIDs")
    func checking() throws {
        let statement = try #require(try OFXParser.parse(try SharedFixtures.data("ofx/checking.ofx")).first)
        #expect(statement.account == "1452687~7" && statement.currency == "USD" && statement.closing?.amount == 10_099)
        #expect(statement.entries.map(\.amount) == [1, -3451, -2500])
        #expect(statement.entries.map { $0.bookingDate?.description } == ["2011-03-31", "2011-04-05", "2011-04-07"])
        #expect(statement.entries.map(\.bankReference) == ["0000486", "0000487", "0000488"])
        #expect(statement.entries[2].endToEndID == "319" && statement.entries[1].counterpartyName == "AUTOMATIC WITHDRAWAL, ELECTRIC BILL")
        #expect(statement.entries[0].remittance?.hasPrefix("DIVIDEND EARNED FOR PERIOD OF 03/01/2011") == true)
    }

    @Test("multiple_accounts2.ofx (XML 2.11): two accounts, each with its ledger balance and no lines")
    func multipleAccounts() throws {
        let statements = try OFXParser.parse(try SharedFixtures.data("ofx/multiple_accounts2.ofx"))
        #expect(statements.map(\.account) == ["9100", "9200"])
        #expect(statements.map { $0.closing?.amount } == [11_100, 22_200] && statements.allSatisfy { $0.entries.isEmpty && $0.currency == "USD" })
        #expect(statements[0].closing?.date == CalendarDate(year: 2012, month: 6, day: 3))
    }

    @Test("Empty tags, entities and a decimal comma")
    func quirks() throws {
        let text = """
            OFXHEADER:100
            DATA:OFXSGML

            <OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN<BANKACCTFROM><BANKID>012<ACCTID>012180001234567897<ACCTTYPE>CHECKING</BANKACCTFROM>
            <BANKTRANLIST><DTSTART>20261101<DTEND>20261126
            <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261125<TRNAMT>1250,50<FITID></FITID><NAME>PAGO &amp; ABONO<MEMO></MEMO></STMTTRN>
            </BANKTRANLIST><LEDGERBAL><BALAMT>1250.50<DTASOF>20261126</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
            """
        let entry = try #require(try OFXParser.parse(Data(text.utf8)).first?.entries.first)
        #expect(entry.amount == 125_050 && entry.bankReference == nil && entry.counterpartyName == "PAGO & ABONO" && entry.remittance == nil)
        #expect(entry.naturalKey == "ofx|012180001234567897|20261126|0|125050|2026-11-25")
    }

    @Test("A broken file is refused with the place at fault", arguments: [
        ("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN><DTPOSTED>20261125<TRNAMT>x</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>", "ofx_amount_invalid"),
        ("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNAMT>1.00</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>", "ofx_date_invalid"),
        ("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>", "ofx_no_account"),
        ("OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>", "ofx_no_statement"),
        ("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1", "ofx_malformed"),
        ("hola", "ofx_no_body"),
    ])
    func refused(text: String, code: String) {
        #expect {
            try OFXParser.parse(Data(text.utf8))
        } throws: { error in
            (error as? StatementError)?.code == code && (error as? StatementError)?.location != nil
        }
    }
}
