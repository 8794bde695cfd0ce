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

    /// The events written in `text`, in order of sequence; nil when any row is malformed. Read byte by byte: this runs
    /// for every loan in every close.
    static func parse(_ text: String) -> [LoanEvent]? {
        var text = text
        return text.withUTF8 { bytes -> [LoanEvent]? in
            var events: [LoanEvent] = []
            // Where each of the row's six fields starts, and where the row ends.
            var starts: [Int] = [0]
            starts.reserveCapacity(7)
            var index = 0
            while index <= bytes.count {
                let byte = index == bytes.count ? UInt8(ascii: ";") : bytes[index]
                if byte == UInt8(ascii: ",") {
                    guard starts.count < 6 else { return nil }
                    starts.append(index + 1)
                } else if byte == UInt8(ascii: ";") {
                    guard starts.count == 6, let event = event(bytes, fields: starts, end: index) else { return nil }
                    events.append(event)
                    starts.removeAll(keepingCapacity: true)
                    starts.append(index + 1)
                }
                index += 1
            }
            events.sort { $0.sequence < $1.sequence }
            return events
        }
    }

    /// One row: `id,sequence,kind,value_date,amount,excess`, its fields starting at `fields` and ending at `end`.
    static func event(_ bytes: UnsafeBufferPointer<UInt8>, fields: [Int], end: Int) -> LoanEvent? {
        func field(_ n: Int) -> Range<Int> { fields[n]..<(n + 1 < fields.count ? fields[n + 1] - 1 : end) }
        let (id, sequence, kind, date, amount, excess) = (field(0), field(1), field(2), field(3), field(4), field(5))
        guard !id.isEmpty, let number = JSONMember.integer(bytes, from: sequence.lowerBound, to: sequence.upperBound),
            let valueDate = CalendarDate(bytes: bytes, from: date.lowerBound, to: date.upperBound)
        else { return nil }
        let text = { (range: Range<Int>) in String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        let eventKind: LoanEvent.Kind
        if bytes[kind].elementsEqual("payment".utf8) {
            guard let minorUnits = JSONMember.integer(bytes, from: amount.lowerBound, to: amount.upperBound) else { return nil }
            let policy: ExcessPolicy = excess.isEmpty ? .advance : ExcessPolicy(rawValue: text(excess)) ?? .advance
            eventKind = .payment(amount: .mxn(centavos: minorUnits), excess: policy)
        } else {
            eventKind = .writeOff
        }
        return LoanEvent(id: text(id), sequence: number, valueDate: valueDate, kind: eventKind)
    }
}
