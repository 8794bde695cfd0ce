import CarteraCore
import Foundation

/// Open Financial Exchange statements, SGML 1.x (`OFXHEADER:100`, leaf elements without end tags) and XML 2.x: each
/// bank (`STMTRS`) or card (`CCSTMTRS`) statement with its account, currency, transactions (`STMTTRN`: signed `TRNAMT`,
/// `DTPOSTED`, `FITID` — the bank's id of the line, its natural key — `NAME`, `MEMO`, `TRNTYPE`) and ledger balance.
public enum OFXParser {
    public static func parse(_ data: Data) throws(StatementError) -> [BankStatement] {
        let text = StatementText.decode(data)
        guard let start = text.range(of: "<OFX>", options: .caseInsensitive) else {
            throw StatementError("ofx_no_body", "no se encontró el elemento <OFX>.", at: "línea 1")
        }
        let root = try tree(String(text[start.lowerBound...]), lineOffset: text[..<start.lowerBound].filter { $0 == "\n" }.count)
        var records: [XMLElementNode] = []
        collect(root, into: &records)
        guard !records.isEmpty else {
            throw StatementError("ofx_no_statement", "el archivo no tiene estados de cuenta bancarios ni de tarjeta (STMTRS, CCSTMTRS).", at: "línea \(root.line)")
        }
        var statements: [BankStatement] = []
        for (position, record) in records.enumerated() {
            statements.append(try statement(record, path: "\(record.name)[\(position + 1)]"))
        }
        return statements
    }

    static func collect(_ node: XMLElementNode, into records: inout [XMLElementNode]) {
        if node.name == "STMTRS" || node.name == "CCSTMTRS" {
            records.append(node)
            return
        }
        for child in node.children { collect(child, into: &records) }
    }

    static func statement(_ record: XMLElementNode, path: String) throws(StatementError) -> BankStatement {
        guard let account = record.text("BANKACCTFROM/ACCTID") ?? record.text("CCACCTFROM/ACCTID") else {
            throw StatementError("ofx_no_account", "falta la cuenta (BANKACCTFROM/ACCTID o CCACCTFROM/ACCTID).", at: "\(path), línea \(record.line)")
        }
        let currency = record.text("CURDEF") ?? ""
        let list = record.child("BANKTRANLIST")
        var entries: [StatementEntry] = []
        for (index, node) in (list?.all("STMTTRN") ?? []).enumerated() {
            let place = "\(path)/STMTTRN[\(index + 1)], línea \(node.line)"
            let amountText = node.text("TRNAMT") ?? ""
            // Some banks write a decimal comma.
            let comma = !amountText.contains(".") && amountText.contains(",")
            guard let amount = StatementAmount.minorUnits(amountText, currency: currency, decimalComma: comma) else {
                throw StatementError("ofx_amount_invalid", "el importe «\(amountText.prefix(30))» (TRNAMT) no es válido.", at: place)
            }
            guard let posted = date(node.text("DTPOSTED")) else {
                throw StatementError("ofx_date_invalid", "falta o no es válida la fecha (DTPOSTED).", at: place)
            }
            let fitID = node.text("FITID")
            let key = fitID.map { "ofx|\(account)|\($0)" } ?? "ofx|\(account)|\(record.text("BANKTRANLIST/DTEND") ?? "")|\(index)|\(amount)|\(posted)"
            entries.append(StatementEntry(
                index: index, amount: amount, currency: currency, status: .booked, bookingDate: posted, valueDate: date(node.text("DTAVAIL")) ?? posted,
                bankReference: fitID, endToEndID: node.text("REFNUM") ?? node.text("CHECKNUM").flatMap { $0 == "0" ? nil : $0 }, counterpartyName: node.text("NAME"),
                counterpartyAccount: node.text("BANKACCTTO/ACCTID"), remittance: node.text("MEMO"), description: node.text("NAME"),
                transactionCode: node.text("TRNTYPE"), naturalKey: key
            ))
        }
        var closing: StatementBalance?
        if let text = record.text("LEDGERBAL/BALAMT") {
            guard let amount = StatementAmount.minorUnits(text, currency: currency, decimalComma: !text.contains(".") && text.contains(",")) else {
                throw StatementError("ofx_amount_invalid", "el saldo «\(text.prefix(30))» (LEDGERBAL) no es válido.", at: "\(path)/LEDGERBAL")
            }
            closing = StatementBalance(amount: amount, currency: currency, date: date(record.text("LEDGERBAL/DTASOF")))
        }
        let period = [list?.text("DTSTART"), list?.text("DTEND")].compactMap { $0.flatMap(date)?.description }.joined(separator: "/")
        return BankStatement(
            format: .ofx, id: period.isEmpty ? nil : "\(account) \(period)", sequence: nil, account: account, currency: currency.nilIfEmpty, opening: nil,
            closing: closing, entries: entries
        )
    }

    /// `20090401122017.000[-5:EST]` → 2009-04-01 (the date as the bank wrote it).
    static func date(_ text: String?) -> CalendarDate? {
        guard let text, text.count >= 8 else { return nil }
        let digits = text.prefix(8)
        guard digits.allSatisfy(\.isNumber), let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)), let day = Int(digits.suffix(2)) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Elements from OFX's SGML or XML: an element followed by text is a leaf (its end tag optional); one followed
    /// by another tag is an aggregate, closed by its end tag (unclosed ones are closed by their parent's).
    static func tree(_ text: String, lineOffset: Int) throws(StatementError) -> XMLElementNode {
        let root = XMLElementNode(name: "#document", attributes: [:], line: 1)
        var stack = [root]
        let characters = Array(text.utf8)
        var index = 0
        var line = 1 + lineOffset
        func advance(to end: Int) {
            while index < end {
                if characters[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        while index < characters.count {
            guard characters[index] == UInt8(ascii: "<") else {
                advance(to: index + 1)
                continue
            }
            guard let close = characters[index...].firstIndex(of: UInt8(ascii: ">")) else {
                throw StatementError("ofx_malformed", "una etiqueta no se cierra con «>».", at: "línea \(line)")
            }
            let tag = String(decoding: characters[(index + 1)..<close], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            advance(to: close + 1)
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }  // processing instructions, comments
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst()).uppercased()
                // Close up to the named element; an end tag for nothing open is ignored.
                if let open = stack.lastIndex(where: { $0.name == name }), open > 0 { stack.removeLast(stack.count - open) }
                continue
            }
            let name = tag.split(separator: " ").first.map { String($0).uppercased() } ?? ""
            guard !name.isEmpty else { throw StatementError("ofx_malformed", "hay una etiqueta vacía «<>».", at: "línea \(line)") }
            let node = XMLElementNode(name: name, attributes: [:], line: line)
            stack[stack.count - 1].children.append(node)
            let next = characters[index...].firstIndex(of: UInt8(ascii: "<")) ?? characters.count
            let value = String(decoding: characters[index..<next], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty {
                node.text = decodeEntities(value)
                advance(to: next)
                // Its end tag, when written, closes nothing else.
                if let end = endTag(characters, at: next, name: name) { advance(to: end) }
            } else if let end = endTag(characters, at: next, name: name) {
                advance(to: end)  // `<FITID></FITID>`: an empty leaf
            } else {
                stack.append(node)
            }
        }
        guard let ofx = root.child("OFX") else { throw StatementError("ofx_malformed", "no se pudo leer el elemento <OFX>.", at: "línea \(1 + lineOffset)") }
        return ofx
    }

    /// When `</name>` starts at `position`, where it ends.
    static func endTag(_ characters: [UInt8], at position: Int, name: String) -> Int? {
        let expected = Array("</\(name)>".utf8)
        guard position + expected.count <= characters.count else { return nil }
        for offset in 0..<expected.count {
            let byte = characters[position + offset]
            let upper = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
            guard upper == expected[offset] else { return nil }
        }
        return position + expected.count
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&amp;", with: "&")
    }
}
