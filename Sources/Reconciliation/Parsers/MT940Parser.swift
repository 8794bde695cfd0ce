import CarteraCore
import Foundation

/// SWIFT MT940 customer statements (and MT942 interim reports): `:20:` reference, `:25:` account, `:28C:` statement
/// number, `:60F:`/`:60M:` opening and `:62F:`/`:62M:` closing balances, `:61:` lines each followed by its `:86:`
/// information (over several lines). Decimal commas; two-digit years; reversals `RC`/`RD`; lines before the first tag
/// (ING's `940 00` preamble, SWIFT `{1:…}` blocks) and `-` separators are skipped. MT940 gives no id per line: an
/// entry's natural key is the account, the statement number, its position and its raw line, so two identical movements
/// stay two and the same file read twice gives the same keys.
public enum MT940Parser {
    public static func parse(_ data: Data) throws(StatementError) -> [BankStatement] {
        let fields = try fields(StatementText.decode(data))
        guard fields.contains(where: { ["20", "25", "61"].contains($0.tag) || $0.tag.hasPrefix("60") || $0.tag.hasPrefix("62") }) else {
            throw StatementError("mt940_empty", "no hay campos de MT940 (:20:, :25:, :60F:, :61:, :62F:).", at: "línea 1")
        }
        var statements: [BankStatement] = []
        var current: Draft?
        for field in fields {
            let starts = field.tag == "20" || (field.tag.hasPrefix("60") && (current?.opening != nil || current?.entries.isEmpty == false))
            if starts || current == nil {
                if let draft = current { statements.append(draft.statement()) }
                current = Draft(line: field.line)
            }
            try current?.read(field)
        }
        if let draft = current { statements.append(draft.statement()) }
        return statements
    }

    /// A tag and its value (continuation lines joined with `\n`), with the line it starts on.
    struct Field {
        let tag: String
        var value: String
        let line: Int
    }

    static func fields(_ text: String) throws(StatementError) -> [Field] {
        var fields: [Field] = []
        for (offset, raw) in StatementText.lines(text).enumerated() {
            var line = String(raw)
            // SWIFT envelopes: `{1:…}{2:…}{4:` before the text block, `-}` after it.
            if line.hasPrefix("{") {
                guard let start = line.range(of: "{4:") else { continue }
                line = String(line[start.upperBound...])
            }
            if line == "-" || line == "-}" || line.hasPrefix("-}") || line.trimmingCharacters(in: .whitespaces).isEmpty && fields.last?.tag != "86" { continue }
            if let tag = tag(of: line) {
                fields.append(Field(tag: tag, value: String(line.dropFirst(tag.count + 2)), line: offset + 1))
            } else if !fields.isEmpty {
                fields[fields.count - 1].value += "\n" + line
            }
            // Text before the first tag (preambles) is not part of a statement.
        }
        return fields
    }

    /// `20` for `:20:…`, `28C`, `60F`, `86`; nil when the line does not start with a tag.
    static func tag(of line: String) -> String? {
        let bytes = Array(line.utf8.prefix(6))
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: ":"), isDigit(bytes[1]), isDigit(bytes[2]) else { return nil }
        if bytes[3] == UInt8(ascii: ":") { return String(decoding: bytes[1...2], as: UTF8.self) }
        if bytes.count >= 5, bytes[3] >= UInt8(ascii: "A"), bytes[3] <= UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: ":") {
            return String(decoding: bytes[1...3], as: UTF8.self)
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// One statement as it is read.
    struct Draft {
        let line: Int
        var reference: String?
        var account: String?
        var number: String?
        var opening: StatementBalance?
        var closing: StatementBalance?
        var floorCurrency: String?
        var entries: [(field: Field, entry: StatementEntry)] = []
        /// How many lines with each bank reference, amount and date came before in this statement.
        var referenced: [String: Int] = [:]

        init(line: Int) { self.line = line }

        mutating func read(_ field: Field) throws(StatementError) {
            // One-line fields: what follows on other lines is not theirs (ABN AMRO runs the next message's header on).
            let value = (field.value.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            switch field.tag {
            case "20": reference = value
            case "25": account = value
            case "28", "28C": number = value
            case "60F", "60M", "60": opening = try MT940Parser.balance(value, field: field)
            case "62F", "62M", "62": closing = try MT940Parser.balance(value, field: field)
            case "34F":
                // MT942's floor limit (`EURD0,00`) is where an interim report states its currency.
                if floorCurrency == nil, value.count >= 3 { floorCurrency = String(value.prefix(3)) }
            case "61":
                let currency = opening?.currency ?? closing?.currency ?? floorCurrency ?? MT940Parser.currency(inAccount: account) ?? ""
                var entry = try MT940Parser.entry(field, index: entries.count, currency: currency, account: account ?? "", statement: number ?? reference ?? "")
                // A line with the bank's own reference (`//…`) is keyed by it, its amount and date, and its place among
                // the lines alike in this statement: the MT942 interim report and the day's MT940 give the same key,
                // and two identical lines of one statement stay two.
                if let bank = entry.bankReference, bank.uppercased() != "NONREF" {
                    let base = "mt940|\(account ?? "")|ref|\(bank)|\(entry.amount)|\(entry.valueDate?.description ?? "")"
                    let occurrence = referenced[base, default: 0]
                    referenced[base] = occurrence + 1
                    entry.naturalKey = "\(base)|\(occurrence)"
                }
                entries.append((field, entry))
            case "86":
                // The information of the line before it; more `:86:` fields add to it (Rabobank writes several).
                guard !entries.isEmpty else { return }
                let text = MT940Parser.information(field.value)
                var entry = entries[entries.count - 1].entry
                entry.remittance = [entry.remittance, text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ").nilIfEmpty
                entries[entries.count - 1].entry = entry
            default: break  // :21:, :64:, :65:, :34F:, :13D:, :90D:, :90C: and statement-level information
            }
        }

        /// A statement; one without `:25:` (a fragment) has an empty account, which the importer takes from the user.
        func statement() -> BankStatement {
            BankStatement(
                format: .mt940, id: reference, sequence: number, account: account ?? "", currency: opening?.currency ?? closing?.currency ?? floorCurrency, opening: opening,
                closing: closing, entries: entries.map(\.entry)
            )
        }
    }

    /// `C131016DEM84349,74`: credit or debit, date, currency, amount.
    static func balance(_ value: String, field: Field) throws(StatementError) -> StatementBalance {
        let bytes = Array(value.utf8)
        guard bytes.count >= 11, bytes[0] == UInt8(ascii: "C") || bytes[0] == UInt8(ascii: "D"), let date = date(bytes[1..<7]) else {
            throw StatementError("mt940_balance_invalid", "el saldo «\(value.prefix(40))» no tiene la forma C/D, AAMMDD, moneda e importe.", at: "línea \(field.line), :\(field.tag):")
        }
        let currency = String(decoding: bytes[7..<10], as: UTF8.self)
        let text = String(decoding: bytes[10...], as: UTF8.self)
        guard currency.allSatisfy(\.isLetter), let amount = StatementAmount.minorUnits(text, currency: currency, decimalComma: true) else {
            throw StatementError("mt940_amount_invalid", "el importe «\(text.prefix(30))» del saldo no es válido.", at: "línea \(field.line), :\(field.tag):")
        }
        return StatementBalance(amount: bytes[0] == UInt8(ascii: "D") ? -amount : amount, currency: currency, date: date, intermediate: field.tag.hasSuffix("M"))
    }

    /// `:61:` — `YYMMDD[MMDD](C|D|RC|RD)[funds]amount` type (1 letter + 3), customer reference (≤ 16, up to `//`),
    /// `//` bank reference, then supplementary details (the rest of the line, and the next line).
    static func entry(_ field: Field, index: Int, currency: String, account: String, statement: String) throws(StatementError) -> StatementEntry {
        let lines = field.value.split(separator: "\n", omittingEmptySubsequences: false)
        let first = Array((lines.first.map(String.init) ?? "").utf8)
        func fail(_ reason: String) -> StatementError {
            StatementError("mt940_line_invalid", "la línea de movimiento «\(String(decoding: first.prefix(40), as: UTF8.self))» \(reason)", at: "línea \(field.line), :61:")
        }
        guard first.count >= 8, let valueDate = date(first[0..<6]) else { throw fail("no empieza con la fecha valor AAMMDD.") }
        var position = 6
        var bookingDate: CalendarDate?
        if first.count >= position + 4, first[position..<(position + 4)].allSatisfy(isDigit) {
            let month = Int(String(decoding: first[position..<(position + 2)], as: UTF8.self)) ?? 0
            let day = Int(String(decoding: first[(position + 2)..<(position + 4)], as: UTF8.self)) ?? 0
            // The entry date's year is the value date's, moved across a year end when they straddle it.
            var year = valueDate.year
            if month == 12 && valueDate.month == 1 { year -= 1 } else if month == 1 && valueDate.month == 12 { year += 1 }
            bookingDate = clampedDate(year: year, month: month, day: day)
            position += 4
        }
        var reversal = false
        if position < first.count, first[position] == UInt8(ascii: "R") {
            reversal = true
            position += 1
        }
        guard position < first.count, first[position] == UInt8(ascii: "C") || first[position] == UInt8(ascii: "D") else { throw fail("no tiene la marca C, D, RC o RD.") }
        let credit = first[position] == UInt8(ascii: "C")
        position += 1
        // An optional funds code: a letter before the amount.
        if position < first.count, first[position] >= UInt8(ascii: "A"), first[position] <= UInt8(ascii: "Z") { position += 1 }
        while position < first.count, first[position] == UInt8(ascii: " ") { position += 1 }  // some banks break or space here
        let amountStart = position
        while position < first.count, isDigit(first[position]) || first[position] == UInt8(ascii: ",") { position += 1 }
        let amountText = String(decoding: first[amountStart..<position], as: UTF8.self)
        // A fragment without balances has no currency: read with two decimals (the importer asks for the account's).
        guard let minor = StatementAmount.minorUnits(amountText, currency: currency, decimalComma: true) else {
            throw fail("tiene un importe no válido («\(amountText)»).")
        }
        var type: String?
        if first.count >= position + 4 {
            type = String(decoding: first[position..<(position + 4)], as: UTF8.self)
            position += 4
        }
        let rest = String(decoding: first[min(position, first.count)...], as: UTF8.self)
        var customer = rest
        var bank: String?
        var details: [String] = []
        if let split = rest.range(of: "//") {
            customer = String(rest[..<split.lowerBound])
            bank = String(rest[split.upperBound...]).trimmingCharacters(in: .whitespaces).nilIfEmpty
        } else if rest.count > 16 {
            customer = String(rest.prefix(16))
            details.append(String(rest.dropFirst(16)).trimmingCharacters(in: .whitespaces))
        }
        details += lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        let customerReference = customer.trimmingCharacters(in: .whitespaces).nilIfEmpty.flatMap { $0 == "NONREF" ? nil : $0 }
        // Money in is positive: C, or RD (a debit undone); money out: D, or RC.
        let signed = credit != reversal ? minor : -minor
        let key = "mt940|\(account)|\(statement)|\(index)|\(String(decoding: first, as: UTF8.self))"
        return StatementEntry(
            index: index, amount: signed, currency: currency, status: .booked, isReversal: reversal, bookingDate: bookingDate ?? valueDate, valueDate: valueDate,
            bankReference: bank, endToEndID: customerReference, counterpartyName: nil, remittance: nil,
            description: details.filter { !$0.isEmpty }.joined(separator: " ").nilIfEmpty, transactionCode: type, naturalKey: key
        )
    }

    /// `:86:` text with its line breaks removed (banks wrap at 65 characters, mid-word).
    static func information(_ value: String) -> String {
        value.split(separator: "\n").joined().trimmingCharacters(in: .whitespaces)
    }

    /// YYMMDD; years below 80 are 20YY. An impossible day (February 30 happens) is moved to the month's last day.
    static func date(_ bytes: ArraySlice<UInt8>) -> CalendarDate? {
        guard bytes.count == 6, bytes.allSatisfy(isDigit) else { return nil }
        let digits = bytes.map { Int($0 - 0x30) }
        let yy = digits[0] * 10 + digits[1]
        return clampedDate(year: yy < 80 ? 2000 + yy : 1900 + yy, month: digits[2] * 10 + digits[3], day: digits[4] * 10 + digits[5])
    }

    static func clampedDate(year: Int, month: Int, day: Int) -> CalendarDate? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var day = day
        while day > 28, CalendarDate(year: year, month: month, day: day) == nil { day -= 1 }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Rabobank and others end `:25:` with the currency (`1291.99.348EUR`).
    static func currency(inAccount account: String?) -> String? {
        guard let account, account.count > 3 else { return nil }
        let suffix = account.suffix(3)
        return suffix.allSatisfy({ $0.isUppercase && $0.isLetter }) ? String(suffix) : nil
    }
}
