import CarteraCore
import Foundation

/// ISO 20022 cash-management messages — camt.053 statements, camt.052 reports, camt.054 notifications — in any version
/// from .001.02 to .001.08 (the versions differ in namespace and in a few paths, read either way): balances, entries,
/// and each entry's first transaction details (references, parties, remittance).
public enum CamtParser {
    /// Every statement (report, notification) in the message, in order.
    public static func parse(_ data: Data) throws(StatementError) -> [BankStatement] {
        let document: XMLElementNode
        do {
            document = try XMLElementNode.parse(data)
        } catch {
            throw StatementError(error.kind == .encoding ? "xml_encoding" : "xml_malformed", "\(error.reason).", at: "línea \(error.line)")
        }
        guard document.name == "Document" else {
            throw StatementError("camt_not_document", "el elemento raíz es <\(document.name)>, no <Document> de ISO 20022.", at: "línea \(document.line)")
        }
        let kinds: [(message: String, record: String, format: StatementFormat)] = [
            ("BkToCstmrStmt", "Stmt", .camt053), ("BkToCstmrAcctRpt", "Rpt", .camt052), ("BkToCstmrDbtCdtNtfctn", "Ntfctn", .camt054),
        ]
        guard let kind = kinds.first(where: { document.child($0.message) != nil }), let message = document.child(kind.message) else {
            throw StatementError(
                "camt_unknown_message", "el documento no es camt.052, camt.053 ni camt.054 (no tiene BkToCstmrStmt, BkToCstmrAcctRpt ni BkToCstmrDbtCdtNtfctn).",
                at: "línea \(document.line)"
            )
        }
        let records = message.all(kind.record)
        guard !records.isEmpty else {
            throw StatementError("camt_no_statement", "el mensaje no tiene ningún <\(kind.record)>.", at: "\(kind.message), línea \(message.line)")
        }
        var statements: [BankStatement] = []
        for (position, record) in records.enumerated() {
            statements.append(try statement(record, format: kind.format, path: "\(kind.record)[\(position + 1)]"))
        }
        return statements
    }

    static func statement(_ record: XMLElementNode, format: StatementFormat, path: String) throws(StatementError) -> BankStatement {
        guard let account = record.text("Acct/Id/IBAN") ?? record.text("Acct/Id/Othr/Id") else {
            throw StatementError("camt_no_account", "falta la cuenta (Acct/Id/IBAN u Acct/Id/Othr/Id).", at: "\(path), línea \(record.line)")
        }
        var opening: StatementBalance?
        var closing: StatementBalance?
        for (index, node) in record.all("Bal").enumerated() {
            let type = node.text("Tp/CdOrPrtry/Cd") ?? node.text("Tp/CdOrPrtry/Prtry")
            let balance = try amount(node, path: "\(path)/Bal[\(index + 1)]")
            let value = StatementBalance(amount: balance.amount, currency: balance.currency, date: date(node.at("Dt")))
            switch type {
            case "OPBD", "PRCD": if opening == nil || type == "OPBD" { opening = value }
            case "CLBD": closing = value
            default: break
            }
        }
        let id = record.text("Id")
        let sequence = record.text("ElctrncSeqNb") ?? record.text("LglSeqNb")
        var entries: [StatementEntry] = []
        for (index, node) in record.all("Ntry").enumerated() {
            entries.append(try entry(node, index: index, account: account, statement: id ?? sequence ?? "", path: "\(path)/Ntry[\(index + 1)]"))
        }
        return BankStatement(
            format: format, id: id, sequence: sequence, account: account, currency: record.text("Acct/Ccy"), opening: opening, closing: closing, entries: entries
        )
    }

    static func entry(_ node: XMLElementNode, index: Int, account: String, statement: String, path: String) throws(StatementError) -> StatementEntry {
        let (amount, currency) = try amount(node, path: path)
        let status: EntryStatus =
            switch node.text("Sts/Cd") ?? node.text("Sts") {
            case "PDNG": .pending
            case "INFO": .information
            default: .booked
            }
        let details = node.at("NtryDtls/TxDtls")
        let credit = amount >= 0
        // For money in, the other party is the debtor; for money out, the creditor. v8 wraps the party in <Pty>.
        let party = credit ? "Dbtr" : "Cdtr"
        let related = details?.child("RltdPties")
        let name = related?.text("\(party)/Pty/Nm") ?? related?.text("\(party)/Nm") ?? related?.text("Ultmt\(party)/Pty/Nm") ?? related?.text("Ultmt\(party)/Nm")
        let counterpartyAccount = related?.text("\(party)Acct/Id/IBAN") ?? related?.text("\(party)Acct/Id/Othr/Id")
        let unstructured = details?.at("RmtInf")?.all("Ustrd").compactMap { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }.joined(separator: " ")
        let remittance = unstructured?.nilIfEmpty ?? details?.text("RmtInf/Strd/CdtrRefInf/Ref")
        let bankReference = node.text("AcctSvcrRef") ?? details?.text("Refs/AcctSvcrRef")
        let entryReference = node.text("NtryRef")
        let endToEnd = details?.text("Refs/EndToEndId").flatMap { $0 == "NOTPROVIDED" ? nil : $0 } ?? details?.text("Refs/UETR")
        let code: String? = {
            if let domain = node.text("BkTxCd/Domn/Cd") {
                return [domain, node.text("BkTxCd/Domn/Fmly/Cd"), node.text("BkTxCd/Domn/Fmly/SubFmlyCd")].compactMap { $0 }.joined(separator: "/")
            }
            return node.text("BkTxCd/Prtry/Cd")
        }()
        let booking = date(node.at("BookgDt"))
        let value = date(node.at("ValDt"))
        // The bank's reference identifies the movement — with its amount and state, so a pending report (camt.052) of a
        // movement never hides the booked one (camt.053); without one (or NONREF), the statement and the entry's place in it.
        let reference = bankReference.flatMap { ["NONREF", "NOTPROVIDED"].contains($0.uppercased()) ? nil : $0 }
        let key =
            reference.map { "camt|\(account)|ref|\($0)|\(amount)|\(currency)|\(status.rawValue)" }
            ?? "camt|\(account)|\(statement)|\(index)|\(entryReference ?? "")|\(amount)|\(currency)|\(booking?.description ?? "")|\(value?.description ?? "")"
        var entry = StatementEntry(
            index: index, amount: amount, currency: currency, status: status, isReversal: node.text("RvslInd") == "true", bookingDate: booking, valueDate: value,
            bankReference: bankReference, entryReference: entryReference, endToEndID: endToEnd, counterpartyName: name, counterpartyAccount: counterpartyAccount,
            remittance: remittance, description: node.text("AddtlNtryInf"), transactionCode: code, naturalKey: key
        )
        entry.transactions = transactions(of: node, entry: entry)
        return entry
    }

    /// A batched entry's transactions as lines of their own: each `TxDtls` with its amount (`Amt` with `CdtDbtInd` in
    /// .04 and later, `AmtDtls/TxAmt/Amt` before) and its own parties, references and remittance. Nothing when there is
    /// one transaction, when one has no amount, or when they do not add up to the entry (the entry is kept whole).
    static func transactions(of node: XMLElementNode, entry: StatementEntry) -> [StatementEntry] {
        let details = node.all("NtryDtls").flatMap { $0.all("TxDtls") }
        guard details.count >= 2 else { return [] }
        var lines: [StatementEntry] = []
        for (number, tx) in details.enumerated() {
            guard let element = tx.child("Amt") ?? tx.at("AmtDtls/TxAmt")?.child("Amt") ?? tx.at("AmtDtls/InstdAmt")?.child("Amt"),
                  element.attributes["Ccy"] == entry.currency,
                  let minor = StatementAmount.minorUnits(element.text.trimmingCharacters(in: .whitespacesAndNewlines), currency: entry.currency), minor >= 0
            else { return [] }
            let direction = tx.text("CdtDbtInd") ?? (entry.amount >= 0 ? "CRDT" : "DBIT")
            let amount = direction == "DBIT" ? -minor : minor
            let party = amount >= 0 ? "Dbtr" : "Cdtr"
            let related = tx.child("RltdPties")
            let unstructured = tx.at("RmtInf")?.all("Ustrd").compactMap { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }.joined(separator: " ")
            let reference = tx.text("Refs/AcctSvcrRef")
            let endToEnd = tx.text("Refs/EndToEndId").flatMap { $0 == "NOTPROVIDED" ? nil : $0 } ?? tx.text("Refs/UETR")
            lines.append(StatementEntry(
                index: entry.index, amount: amount, currency: entry.currency, status: entry.status, isReversal: entry.isReversal, bookingDate: entry.bookingDate,
                valueDate: entry.valueDate, bankReference: reference ?? entry.bankReference, entryReference: entry.entryReference, endToEndID: endToEnd,
                counterpartyName: related?.text("\(party)/Pty/Nm") ?? related?.text("\(party)/Nm"),
                counterpartyAccount: related?.text("\(party)Acct/Id/IBAN") ?? related?.text("\(party)Acct/Id/Othr/Id"),
                remittance: unstructured?.nilIfEmpty ?? tx.text("RmtInf/Strd/CdtrRefInf/Ref"), description: entry.description, transactionCode: entry.transactionCode,
                naturalKey: "\(entry.naturalKey)|tx|\(number)|\(endToEnd ?? reference ?? "")|\(amount)"
            ))
        }
        guard lines.reduce(0, { $0 + $1.amount }) == entry.amount else { return [] }
        return lines
    }

    /// `Amt@Ccy` signed by `CdtDbtInd` (DBIT negative).
    static func amount(_ node: XMLElementNode, path: String) throws(StatementError) -> (amount: Int64, currency: String) {
        guard let element = node.child("Amt"), let currency = element.attributes["Ccy"], currency.count == 3 else {
            throw StatementError("camt_amount_missing", "falta el importe con su moneda (<Amt Ccy=\"…\">).", at: "\(path), línea \(node.line)")
        }
        let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let minor = StatementAmount.minorUnits(text, currency: currency), minor >= 0 else {
            throw StatementError("camt_amount_invalid", "el importe «\(text.prefix(40))» no es válido para \(currency).", at: "\(path)/Amt, línea \(element.line)")
        }
        switch node.text("CdtDbtInd") {
        case "CRDT": return (minor, currency)
        case "DBIT": return (-minor, currency)
        default: throw StatementError("camt_direction_missing", "falta o no es válido el indicador de cargo o abono (CdtDbtInd).", at: "\(path), línea \(node.line)")
        }
    }

    /// `Dt` or `DtTm` (its date as written, without converting the time zone).
    static func date(_ node: XMLElementNode?) -> CalendarDate? {
        guard let node else { return nil }
        if let day = node.text("Dt") { return CalendarDate(text: String(day.prefix(10))) }
        if let moment = node.text("DtTm") { return CalendarDate(text: String(moment.prefix(10))) }
        return nil
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
