import Foundation

/// Reads a statement file of any supported format: the format named, or recognised from the content; the account
/// given (required for CSV, which names none) fills in a statement that lacks one.
public enum StatementReader {
    /// What the file looks like: camt (by its message), OFX, MT940, or otherwise CSV.
    public static func detect(_ data: Data) -> StatementFormat {
        let head = StatementText.decode(data.prefix(4096))
        let trimmed = head.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if trimmed.hasPrefix("<") {
            if head.range(of: "<OFX", options: .caseInsensitive) != nil || head.contains("OFXHEADER") { return .ofx }
            if head.contains("BkToCstmrAcctRpt") { return .camt052 }
            if head.contains("BkToCstmrDbtCdtNtfctn") { return .camt054 }
            return .camt053
        }
        if trimmed.hasPrefix("OFXHEADER") { return .ofx }
        for line in StatementText.lines(head).prefix(12) where MT940Parser.tag(of: String(line)) != nil || line.hasPrefix("{1:") {
            return .mt940
        }
        return .csv
    }

    /// The statements in `data`. `format` nil: recognised. `profile` is required for CSV; `account` for CSV, and for
    /// any statement without one.
    public static func read(_ data: Data, format: StatementFormat? = nil, profile: CSVProfile? = nil, account: String? = nil) throws(StatementError) -> [BankStatement] {
        guard !data.isEmpty else { throw StatementError("statement_empty", "el archivo está vacío.") }
        let format = format ?? detect(data)
        var statements: [BankStatement]
        switch format {
        case .camt052, .camt053, .camt054:
            statements = try CamtParser.parse(data)
            if let wrong = statements.first(where: { $0.format != format }) {
                throw StatementError("format_mismatch", "el archivo es \(wrong.format.rawValue), no \(format.rawValue).")
            }
        case .mt940: statements = try MT940Parser.parse(data)
        case .ofx: statements = try OFXParser.parse(data)
        case .csv:
            guard let profile else {
                throw StatementError("csv_profile_required", "para un CSV indique el perfil del banco (bbva, banorte, santander o uno propio).")
            }
            guard let account = account?.trimmingCharacters(in: .whitespaces), !account.isEmpty else {
                throw StatementError("account_required", "un CSV no dice a qué cuenta pertenece: indique la cuenta.")
            }
            statements = [try BankCSVParser.parse(data, profile: profile, account: account)]
        case .bankAPI:
            throw StatementError("format_not_a_file", "los movimientos de una API bancaria no vienen en archivo: tráigalos con cartera bank pull.")
        }
        for index in statements.indices where statements[index].account.isEmpty {
            guard let account = account?.trimmingCharacters(in: .whitespaces), !account.isEmpty else {
                throw StatementError("account_required", "el estado de cuenta \(index + 1) no dice su cuenta: indique la cuenta.")
            }
            statements[index].account = account
        }
        return statements
    }
}
