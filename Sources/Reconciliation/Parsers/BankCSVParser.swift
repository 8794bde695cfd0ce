import CarteraCore
import Dispatch
import Foundation
import Synchronization

/// A bank's CSV export read through a `CSVProfile`: the header row is found (after any preamble) by the profile's
/// column names — compared without accents, case or surrounding spaces, so `DESCRIPCIÓN`, `Descripcion` and a
/// mis-encoded `DESCRIPCIÃ“N` are one column — then each row becomes an entry. Thousands separators, apostrophe text
/// guards and `-` for an empty cell are understood; Latin-1 or UTF-8. A CSV names no account: the caller gives it.
public enum BankCSVParser {
    /// `workers`: how many parts of a large file are read at once (the rows after the header are split at row
    /// boundaries; identical rows are numbered afterwards in file order, so the result is the same however it is read).
    public static func parse(_ data: Data, profile: CSVProfile, account: String, workers: Int? = nil) throws(StatementError) -> BankStatement {
        let text = StatementText.decode(data)
        guard let delimiterByte = profile.delimiter.utf8.first, profile.delimiter.utf8.count == 1 else {
            throw StatementError("csv_profile_invalid", "el separador del perfil «\(profile.name)» debe ser un carácter ASCII.")
        }
        let bytes = Array(text.utf8)
        var reader = CSVTokenizer(bytes: bytes[...], delimiter: delimiterByte, line: 1)
        /// Where each column the profile names is, once the header is found.
        var header: [String: Int]?
        while header == nil {
            let row: [String]
            do {
                guard let next = try reader.next() else { break }
                row = next
            } catch {
                throw StatementError("csv_unreadable", "el CSV está mal formado: un campo entre comillas no se cierra.", at: "línea \(error.line)")
            }
            // The header is the first row naming every required column; rows before it are a preamble.
            let names = row.map(fold)
            if profile.required.allSatisfy({ names.contains(fold($0)) }) {
                var byName: [String: Int] = [:]
                for (index, name) in names.enumerated() where byName[name] == nil { byName[name] = index }
                // Looked up by the profile's own spelling from here on (folding is slow: once per column, not per cell).
                var positions: [String: Int] = [:]
                for name in profile.columns { positions[name] = byName[fold(name)] }
                header = positions
            }
        }
        guard let columns = header else {
            throw StatementError(
                "csv_header_missing", "no se encontró el renglón de encabezados con las columnas \(profile.required.joined(separator: ", ")) del perfil «\(profile.name)».",
                at: "línea 1"
            )
        }
        let count = workers ?? (bytes.count - reader.position > 4_000_000 ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let parts = Self.parts(bytes, from: reader.position, line: reader.line, count: max(1, min(count, 16)))
        let results = Mutex([Result<Rows, StatementError>?](repeating: nil, count: parts.count))
        let read: @Sendable (Int) -> Void = { index in
            let result = Result { () throws(StatementError) -> Rows in
                try rows(CSVTokenizer(bytes: bytes[parts[index].range], delimiter: delimiterByte, line: parts[index].line), columns: columns, profile: profile, account: account)
            }
            results.withLock { $0[index] = result }
        }
        if parts.count == 1 { read(0) } else { DispatchQueue.concurrentPerform(iterations: parts.count, execute: read) }
        // In file order: the first part that failed is the error; rows are numbered, and identical ones counted, here.
        var entries: [StatementEntry] = []
        // How many rows of each kind came before (by a stable 64-bit fingerprint of the row's key: deterministic, so a
        // file read again numbers its identical rows the same way).
        var seen: [UInt64: Int] = [:]
        let finished = results.withLock { $0 }
        // A part that failed may have been cut wrongly (a stray quote inside an unquoted field misleads the cut): the
        // file is then read again by one reader, whose answer — rows or the error at its line — is the file's.
        if parts.count > 1, finished.contains(where: { if case .failure = $0 { true } else { false } }) {
            return try parse(data, profile: profile, account: account, workers: 1)
        }
        var all = try finished.map { result throws(StatementError) in try result!.get() }
        seen.reserveCapacity(all.reduce(0) { $0 + $1.entries.count })
        // Numbered in place, in file order; then the parts are joined (the first part's array is kept, not copied).
        var index = 0
        for part in all.indices {
            for position in all[part].entries.indices {
                let fingerprint = all[part].fingerprints[position]
                let occurrence = seen[fingerprint, default: 0]
                seen[fingerprint] = occurrence + 1
                all[part].entries[position].index = index
                index += 1
                // Read as the first of its kind (`…|0`); a repeat is numbered here.
                if occurrence > 0 {
                    let key = all[part].entries[position].naturalKey
                    all[part].entries[position].naturalKey = String(key.dropLast(2)) + "|\(occurrence)"
                }
            }
        }
        if !all.isEmpty {
            entries = all[0].entries
            all[0].entries = []
            entries.reserveCapacity(index)
            for part in all.indices.dropFirst() {
                entries.append(contentsOf: all[part].entries)
                all[part].entries = []
            }
        }
        return BankStatement(format: .csv, id: nil, sequence: nil, account: account, currency: profile.currency, opening: nil, closing: nil, entries: entries)
    }

    /// The rows of a part, before they are numbered: their entries (keyed as the first of their kind) and their keys'
    /// fingerprints.
    struct Rows {
        var entries: [StatementEntry] = []
        var fingerprints: [UInt64] = []
    }

    /// Splits `bytes` after `start` into `count` parts at row boundaries (a line end outside quotes), each with the line
    /// it starts on.
    static func parts(_ bytes: [UInt8], from start: Int, line: Int, count: Int) -> [(range: Range<Int>, line: Int)] {
        guard count > 1, bytes.count - start > count * 1024 else { return [(start..<bytes.count, line)] }
        var parts: [(range: Range<Int>, line: Int)] = []
        var from = start
        var fromLine = line
        var quotes = 0
        var newlines = 0
        var position = start
        for part in 1..<count {
            var cut = max(position, start + (bytes.count - start) * part / count)
            // Quotes and line ends up to the cut, counted from where the last part began.
            while position < cut {
                if bytes[position] == UInt8(ascii: "\"") { quotes += 1 } else if bytes[position] == 0x0A { newlines += 1 }
                position += 1
            }
            // On to the next line end outside quotes.
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { quotes += 1 } else if byte == 0x0A {
                    newlines += 1
                    if quotes % 2 == 0 { break }
                }
            }
            cut = position
            guard cut < bytes.count else { break }
            parts.append((from..<cut, fromLine))
            from = cut
            fromLine = line + newlines
        }
        parts.append((from..<bytes.count, fromLine))
        return parts
    }

    /// The rows of one part: blank rows, totals and footers skipped; an unreadable row is an error naming its line.
    static func rows(_ tokenizer: CSVTokenizer, columns: [String: Int], profile: CSVProfile, account: String) throws(StatementError) -> Rows {
        var reader = tokenizer
        var rows = Rows()
        // Where the columns read on every row are, looked up once.
        let at = (
            date: columns[profile.date], reference: profile.reference.flatMap { columns[$0] }, description: profile.description.flatMap { columns[$0] },
            balance: profile.balance.flatMap { columns[$0] }, counterpartyName: profile.counterpartyName.flatMap { columns[$0] },
            counterpartyAccount: profile.counterpartyAccount.flatMap { columns[$0] }, concept: profile.concept.flatMap { columns[$0] }
        )
        let prefix = "csv|\(profile.name)|\(account)|"
        while true {
            let row: [String]
            let line = reader.line
            do {
                guard let next = try reader.next() else { break }
                row = next
            } catch {
                throw StatementError("csv_unreadable", "el CSV está mal formado: un campo entre comillas no se cierra.", at: "línea \(error.line)")
            }
            if row.allSatisfy({ $0.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }) { continue }
            /// A cell's text (the reader trims it), apostrophe guard removed; nil when empty or `-` (a mark column keeps its `-`).
            func cell(_ name: String?, dashIsEmpty: Bool = true) -> String? {
                guard let name, let index = columns[name] else { return nil }
                return cell(at: index, dashIsEmpty: dashIsEmpty)
            }
            func cell(at index: Int?, dashIsEmpty: Bool = true) -> String? {
                guard let index, index < row.count else { return nil }
                let value = row[index]
                let unguarded = value.utf8.first == UInt8(ascii: "'") ? String(value.dropFirst()) : value
                return unguarded.isEmpty || (dashIsEmpty && unguarded == "-") || unguarded == "NOTPROVIDED" ? nil : unguarded
            }
            let place = "línea \(line)"
            // A word where the date goes is a total or a footer (`TOTAL`): skipped. No date at all: a blank separator
            // row is skipped, but a movement without its date is refused (it cannot be applied to any day).
            guard let dateText = cell(at: at.date) else {
                if profile.columns.dropFirst().contains(where: { cell($0) != nil }) {
                    throw StatementError("csv_date_missing", "el renglón no tiene fecha (columna \(profile.date)).", at: place)
                }
                continue
            }
            guard dateText.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            guard let date = date(dateText, style: profile.dateStyle) else {
                throw StatementError("csv_date_invalid", "la fecha «\(dateText.prefix(20))» no es válida para el perfil «\(profile.name)».", at: place)
            }
            let amount = try amount(profile, cell: { cell($0) }, mark: { cell($0, dashIsEmpty: false) }, place: place)
            let reference = cell(at: at.reference)
            let description = cell(at: at.description)
            // The key as the first of its kind (`…|0`); its fingerprint leaves the number out.
            let key = "\(prefix)\(date)|\(amount)|\(reference ?? "")|\(description ?? "")|\(cell(at: at.balance) ?? "")|0"
            rows.entries.append(StatementEntry(
                index: 0, amount: amount, currency: profile.currency, status: .booked, bookingDate: date, valueDate: date, bankReference: reference,
                counterpartyName: cell(at: at.counterpartyName), counterpartyAccount: cell(at: at.counterpartyAccount), remittance: cell(at: at.concept),
                description: description, naturalKey: key
            ))
            rows.fingerprints.append(Self.fingerprint(key.utf8.dropLast(2)))
        }
        return rows
    }

    static func amount(_ profile: CSVProfile, cell: (String?) -> String?, mark markCell: (String?) -> String?, place: String) throws(StatementError) -> Int64 {
        func money(_ text: String) throws(StatementError) -> Int64 {
            let cleaned = text.utf8.contains(where: { $0 == UInt8(ascii: "$") || $0 == 0x20 }) ? text.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: " ", with: "") : text
            guard let value = StatementAmount.minorUnits(cleaned, currency: profile.currency, grouping: true) else {
                throw StatementError("csv_amount_invalid", "el importe «\(text.prefix(30))» no es válido.", at: place)
            }
            return value
        }
        switch profile.amounts {
        case .split(let debit, let credit):
            let out = try cell(debit).map(money).map(abs) ?? 0
            let into = try cell(credit).map(money).map(abs) ?? 0
            guard out == 0 || into == 0 else {
                throw StatementError("csv_amount_ambiguous", "el renglón tiene cargo y abono a la vez.", at: place)
            }
            guard out != 0 || into != 0 else { throw StatementError("csv_amount_missing", "el renglón no tiene cargo ni abono.", at: place) }
            return into - out
        case .signed(let column):
            guard let text = cell(column) else { throw StatementError("csv_amount_missing", "el renglón no tiene importe (columna \(column)).", at: place) }
            return try money(text)
        case .marked(let column, let markColumn, let creditMarks, let debitMarks):
            guard let text = cell(column) else { throw StatementError("csv_amount_missing", "el renglón no tiene importe (columna \(column)).", at: place) }
            let value = abs(try money(text))
            let mark = fold(markCell(markColumn) ?? "")
            guard !mark.isEmpty else { throw StatementError("csv_mark_missing", "el renglón no dice si es cargo o abono (columna \(markColumn)).", at: place) }
            if creditMarks.map(fold).contains(mark) { return value }
            if debitMarks.map(fold).contains(mark) { return -value }
            throw StatementError(
                "csv_mark_invalid", "la marca «\(mark.prefix(20))» de la columna \(markColumn) no es de cargo (\(debitMarks.joined(separator: ", "))) ni de abono (\(creditMarks.joined(separator: ", "))).",
                at: place
            )
        }
    }

    /// FNV-1a, 64 bits.
    static func fingerprint(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func date(_ text: String, style: CSVProfile.DateStyle) -> CalendarDate? {
        // The common case, `dd/mm/yyyy`, read from its bytes.
        if style == .dayMonthYear, text.utf8.count == 10 {
            let b = Array(text.utf8)
            func digit(_ i: Int) -> Int? { b[i] >= 0x30 && b[i] <= 0x39 ? Int(b[i] - 0x30) : nil }
            if b[2] == b[5], b[2] == UInt8(ascii: "/") || b[2] == UInt8(ascii: "-") || b[2] == UInt8(ascii: "."),
                let d1 = digit(0), let d2 = digit(1), let m1 = digit(3), let m2 = digit(4), let y1 = digit(6), let y2 = digit(7), let y3 = digit(8), let y4 = digit(9)
            {
                return CalendarDate(year: y1 * 1000 + y2 * 100 + y3 * 10 + y4, month: m1 * 10 + m2, day: d1 * 10 + d2)
            }
        }
        let digits = text.filter(\.isNumber)
        switch style {
        case .dayMonthYear:
            let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).map(String.init)
            guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), var year = Int(parts[2].prefix(4)) else { return nil }
            if year < 100 { year += 2000 }
            return CalendarDate(year: year, month: month, day: day)
        case .compactDayMonthYear:
            guard digits.count == 8, let day = Int(digits.prefix(2)), let month = Int(digits.dropFirst(2).prefix(2)), let year = Int(digits.suffix(4)) else { return nil }
            return CalendarDate(year: year, month: month, day: day)
        case .iso:
            return CalendarDate(text: String(text.prefix(10)))
        }
    }

    /// A header or mark compared without accents, case or spaces around it; UTF-8 read as Latin-1 (`Ã“`) repaired first.
    static func fold(_ text: String) -> String {
        var value = text
        if value.contains("Ã"), let repaired = String(bytes: value.unicodeScalars.compactMap { $0.value < 256 ? UInt8($0.value) : nil }, encoding: .utf8) {
            value = repaired
        }
        return value.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased().trimmingCharacters(in: .whitespaces)
    }
}
