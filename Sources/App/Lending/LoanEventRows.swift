import CarteraCore
import Lending
import SQLKit

/// Many loans' events read as one text per loan — `id,sequence,kind,value_date,amount,excess` rows joined by `;`,
/// aggregated by the database — instead of one row per event: the end-of-day close reads every active loan's events
/// each day, and decoding each event's columns through the generic row decoder was several times the cost of the
/// database's own work. The rows are parsed from their bytes; a text that does not parse is reported, never guessed.
enum LoanEventRows {
    /// `loan_id` and its active events as `events`, for the loans in `ids`.
    static func query(_ ids: SQLList, on db: any SQLDatabase) -> SQLQueryString {
        let row: SQLQueryString = "id || ',' || sequence || ',' || kind || ',' || value_date || ',' || amount || ',' || COALESCE(excess, '')"
        let aggregate: SQLQueryString = db.dialect.name == "postgresql" ? "string_agg(\(row), ';')" : "group_concat(\(row), ';')"
        return "SELECT loan_id, \(aggregate) AS events FROM loan_events WHERE loan_id IN (\(ids)) AND reversed_at IS NULL GROUP BY loan_id"
    }

    /// The events written in `text`, in order of sequence; nil when any row is malformed.
    static func parse(_ text: String) -> [LoanEvent]? {
        var events: [LoanEvent] = []
        for row in text.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            let fields = row.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count == 6, !fields[0].isEmpty,
                let sequence = integer(fields[1]),
                let valueDate = CalendarDate(text: String(decoding: fields[3], as: UTF8.self))
            else { return nil }
            let kind: LoanEvent.Kind
            if fields[2].elementsEqual("payment".utf8) {
                guard let amount = integer(fields[4]) else { return nil }
                let excess = fields[5].isEmpty ? .advance : ExcessPolicy(rawValue: String(decoding: fields[5], as: UTF8.self)) ?? .advance
                kind = .payment(amount: .mxn(centavos: amount), excess: excess)
            } else {
                kind = .writeOff
            }
            events.append(LoanEvent(id: String(decoding: fields[0], as: UTF8.self), sequence: sequence, valueDate: valueDate, kind: kind))
        }
        events.sort { $0.sequence < $1.sequence }
        return events
    }

    /// A decimal integer (optionally negative) that fits in 64 bits.
    static func integer(_ bytes: Substring.UTF8View) -> Int64? {
        var value: Int64 = 0
        var negative = false
        var digits = 0
        for (index, byte) in bytes.enumerated() {
            if index == 0 && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAgain) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !overflowAgain else { return nil }
            value = sum
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }
}
