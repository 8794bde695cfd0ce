import CarteraCore
import Foundation

/// A file of daily exchange rates (pesos per dollar): Banxico's SIE export of the FIX series (SF43718) as CSV — title
/// lines, then a header whose first column is `Fecha`, then `DD/MM/AAAA,valor` rows with `N/E` on days without
/// publication — or a plain `fecha,tipo_de_cambio` CSV with `AAAA-MM-DD` or `DD/MM/AAAA` dates. Rates have at most six
/// decimals and are kept exactly, in millionths of a peso.
public enum ExchangeRateFile {
    /// A rate file that could not be read: the line and what is wrong. One bad line rejects the whole file.
    public struct Invalid: CarteraError, Equatable {
        public let line: Int
        public let reason: String

        public var code: String { "exchange_rate_file_invalid" }
        public var message: String {
            "El archivo de tipos de cambio no se pudo leer en la línea \(line): \(reason). Corríjalo (o descárguelo de nuevo del SIE de Banxico) y vuelva a importarlo."
        }
    }

    /// The rates in the file, oldest first.
    public static func parse(_ data: [UInt8]) throws(Invalid) -> [ExchangeRates.Rate] {
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(data.dropFirst(3)) : data
        var tokenizer = CSVTokenizer(bytes: bytes[...], delimiter: UInt8(ascii: ","), line: 1)
        var headerSeen = false
        var columns = 2
        var byDate: [CalendarDate: Int64] = [:]
        while true {
            let line = tokenizer.line
            let row: [String]
            do {
                guard let next = try tokenizer.next() else { break }
                row = next.map { $0.trimmingCharacters(in: .whitespaces) }
            } catch {
                throw Invalid(line: error.line, reason: "unas comillas no se cierran")
            }
            guard !headerSeen else {
                if row.allSatisfy(\.isEmpty) { continue }
                guard row.count >= 2 else { throw Invalid(line: line, reason: "se esperaban dos columnas, fecha y tipo de cambio") }
                // A decimal comma (18,1) splits the rate in two: refused, never read as 18.
                guard row.count <= columns || row[columns...].allSatisfy(\.isEmpty) else {
                    throw Invalid(line: line, reason: "hay más columnas que en el encabezado (¿el tipo de cambio usa coma decimal? escríbalo con punto, como 18.1234)")
                }
                guard let date = date(row[0]) else { throw Invalid(line: line, reason: "«\(row[0])» no es una fecha (DD/MM/AAAA o AAAA-MM-DD)") }
                let value = row[1].uppercased()
                if value == "N/E" || value == "N/D" || value.isEmpty { continue }
                guard let millionths = millionths(row[1]), millionths > 0 else {
                    throw Invalid(line: line, reason: "«\(row[1])» no es un tipo de cambio (pesos por dólar con hasta seis decimales, como 17.2345)")
                }
                if let earlier = byDate[date], earlier != millionths {
                    throw Invalid(line: line, reason: "el \(date.text) aparece dos veces con tipos de cambio distintos")
                }
                byDate[date] = millionths
                continue
            }
            if let first = row.first, first.lowercased() == "fecha" {
                headerSeen = true
                columns = max(2, row.count)
            }
        }
        guard headerSeen else { throw Invalid(line: 1, reason: "no hay una fila de encabezado que empiece con «Fecha»") }
        guard !byDate.isEmpty else { throw Invalid(line: tokenizer.line, reason: "no hay ningún tipo de cambio") }
        return byDate.map { ExchangeRates.Rate(date: $0.key, pesoMillionthsPerDollar: $0.value) }.sorted { $0.date < $1.date }
    }

    static func date(_ text: String) -> CalendarDate? {
        if let date = CalendarDate(text: text) { return date }
        let parts = text.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), parts[2].count == 4 else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// `17.2345` → 17_234_500.
    static func millionths(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 6, parts[0].allSatisfy(\.isASCII), let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
            fraction = value * Int64(pow10(6 - digits.count))
        }
        guard whole >= 0 else { return nil }
        return whole * 1_000_000 + fraction
    }

    static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }
}
