import CarteraCore

/// How loan terms are stored (as JSON in the loan's row). The schedule is written as one compact text of integer rows,
/// `number,YYYY-MM-DD,payment,principal,interest,iva,balance` separated by `;` (amounts in minor units of the loan's
/// currency), because decoding it as an array of objects (six nested containers per installment) was two thirds of
/// the end-of-day close's time. Terms stored before, with `schedule` as an array of objects, are still read.
///
/// Reading many loans (the end-of-day close) goes through `stored(_:product:)`, which reads this shape directly and
/// takes the product from the caller's cache.
extension LoanTerms {
    enum CodingKeys: String, CodingKey {
        case product, amount, principal, term, disbursementDate, openingFee, openingFeeIva, disbursed, schedule, scheduleRows, cat, nonPerformingAfterDays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let amount = try container.decode(Money.self, forKey: .amount)
        let schedule: [Installment]
        if let rows = try container.decodeIfPresent(String.self, forKey: .scheduleRows) {
            guard let parsed = Self.parseRows(rows, currency: amount.currency) else {
                throw DecodingError.dataCorruptedError(forKey: .scheduleRows, in: container, debugDescription: "malformed schedule rows")
            }
            schedule = parsed
        } else {
            schedule = try container.decode([Installment].self, forKey: .schedule)
        }
        self.init(
            product: try container.decode(Product.self, forKey: .product), amount: amount, principal: try container.decode(Money.self, forKey: .principal),
            term: try container.decode(Int.self, forKey: .term), disbursementDate: try container.decode(CalendarDate.self, forKey: .disbursementDate),
            openingFee: try container.decode(Money.self, forKey: .openingFee), openingFeeIva: try container.decode(Money.self, forKey: .openingFeeIva),
            disbursed: try container.decode(Money.self, forKey: .disbursed), schedule: schedule, cat: try container.decodeIfPresent(String.self, forKey: .cat),
            nonPerformingAfterDays: try container.decode(Int.self, forKey: .nonPerformingAfterDays)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(product, forKey: .product)
        try container.encode(amount, forKey: .amount)
        try container.encode(principal, forKey: .principal)
        try container.encode(term, forKey: .term)
        try container.encode(disbursementDate, forKey: .disbursementDate)
        try container.encode(openingFee, forKey: .openingFee)
        try container.encode(openingFeeIva, forKey: .openingFeeIva)
        try container.encode(disbursed, forKey: .disbursed)
        if schedule.allSatisfy({ installment in
            [installment.payment, installment.principal, installment.interest, installment.iva, installment.balance].allSatisfy { $0.currency == amount.currency }
        }) {
            try container.encode(Self.rows(schedule), forKey: .scheduleRows)
        } else {
            try container.encode(schedule, forKey: .schedule)
        }
        try container.encodeIfPresent(cat, forKey: .cat)
        try container.encode(nonPerformingAfterDays, forKey: .nonPerformingAfterDays)
    }

    /// The schedule as compact rows.
    static func rows(_ schedule: [Installment]) -> String {
        schedule.map { row in
            [String(row.number), row.dueDate.text, String(row.payment.minorUnits), String(row.principal.minorUnits), String(row.interest.minorUnits),
             String(row.iva.minorUnits), String(row.balance.minorUnits)].joined(separator: ",")
        }.joined(separator: ";")
    }

    /// The schedule read back from compact rows; nil when any row is malformed.
    static func parseRows(_ text: String, currency: Currency) -> [Installment]? {
        var text = text
        return text.withUTF8 { parseRows($0, from: 0, to: $0.count, currency: currency) }
    }

    /// The schedule read from the compact rows in `bytes[from..<to]`, byte by byte (this runs for every loan in every
    /// close); nil when any row is malformed.
    static func parseRows(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, currency: Currency) -> [Installment]? {
        guard from < to else { return [] }
        var schedule: [Installment] = []
        var fields: [Int64] = []
        fields.reserveCapacity(6)
        var due: CalendarDate?
        var start = from
        var index = from
        while index <= to {
            let end = index == to
            let byte = end ? UInt8(ascii: ";") : bytes[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") {
                if fields.count == 1 && due == nil {
                    // The second field is the due date, YYYY-MM-DD.
                    guard let date = CalendarDate(bytes: bytes, from: start, to: index) else { return nil }
                    due = date
                } else {
                    guard let value = JSONMember.integer(bytes, from: start, to: index), fields.count < 6 else { return nil }
                    fields.append(value)
                }
                if byte == UInt8(ascii: ";") {
                    guard fields.count == 6, let dueDate = due, let number = Int(exactly: fields[0]) else { return nil }
                    schedule.append(Installment(
                        number: number, dueDate: dueDate, payment: Money(minorUnits: fields[1], currency: currency),
                        principal: Money(minorUnits: fields[2], currency: currency), interest: Money(minorUnits: fields[3], currency: currency),
                        iva: Money(minorUnits: fields[4], currency: currency), balance: Money(minorUnits: fields[5], currency: currency)
                    ))
                    fields.removeAll(keepingCapacity: true)
                    due = nil
                }
                start = index + 1
            }
            index += 1
        }
        return schedule
    }

    static let moneyPrefix = Array(#"{"currency":""#.utf8)
    static let moneyMiddle = Array(#"","minorUnits":"#.utf8)

    /// The members `TermsCache`'s encoder writes (sorted keys, compact schedule), in the order it writes them; `cat` may be absent.
    enum StoredMember: Int {
        case amount, cat, disbursed, disbursementDate, nonPerformingAfterDays, openingFee, openingFeeIva, principal, product, scheduleRows, term
    }

    /// The members' names, in `StoredMember`'s order.
    static let storedMemberKeys: [[UInt8]] = [
        "amount", "cat", "disbursed", "disbursementDate", "nonPerformingAfterDays", "openingFee", "openingFeeIva", "principal", "product", "scheduleRows", "term",
    ].map { Array($0.utf8) }
    static let moneyMemberKeys: [[UInt8]] = [Array("currency".utf8), Array("minorUnits".utf8)]

    /// Reads terms in the shape this file writes them without Foundation's decoder — one pass over the members, the
    /// schedule parsed from its bytes, the product given by `product` for the exact text of the `product` member
    /// (callers cache products by that text). Nil when the text has any other shape (the schedule as objects, escapes
    /// in strings, an unknown member, a product `product` cannot give): decode it with `JSONDecoder` then.
    public static func stored(_ text: String, product: (Substring) -> Product?) -> LoanTerms? {
        var copy = text
        return copy.withUTF8 { bytes -> LoanTerms? in
            guard let found = JSONMember.members(bytes, keys: storedMemberKeys), let productRange = found[StoredMember.product.rawValue] else { return nil }
            func member(_ key: StoredMember) -> Range<Int>? { found[key.rawValue] }
            let utf8 = text.utf8
            let productStart = utf8.index(utf8.startIndex, offsetBy: productRange.lowerBound)
            guard let product = product(text[productStart..<utf8.index(productStart, offsetBy: productRange.count)]) else { return nil }
            func money(_ key: StoredMember) -> Money? {
                guard let range = member(key) else { return nil }
                // The shape the encoder writes, `{"currency":"MXN","minorUnits":N}`, read in place; anything else member by member.
                if range.count > moneyPrefix.count + 3 + moneyMiddle.count + 1,
                    UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<(range.lowerBound + moneyPrefix.count)]).elementsEqual(moneyPrefix),
                    UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + moneyPrefix.count + 3)..<(range.lowerBound + moneyPrefix.count + 3 + moneyMiddle.count)])
                        .elementsEqual(moneyMiddle),
                    bytes[range.upperBound - 1] == UInt8(ascii: "}"),
                    let currency = Currency(codeBytes: UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + moneyPrefix.count)..<(range.lowerBound + moneyPrefix.count + 3)])),
                    let units = JSONMember.integer(bytes, (range.lowerBound + moneyPrefix.count + 3 + moneyMiddle.count)..<(range.upperBound - 1))
                {
                    return Money(minorUnits: units, currency: currency)
                }
                let inner = UnsafeBufferPointer(rebasing: bytes[range])
                guard let fields = JSONMember.members(inner, keys: moneyMemberKeys), let code = fields[0], let units = fields[1],
                    let minorUnits = JSONMember.integer(inner, units), let name = JSONMember.plainString(inner, code), let currency = Currency(code: name), name == currency.code
                else { return nil }
                return Money(minorUnits: minorUnits, currency: currency)
            }
            func integer(_ key: StoredMember) -> Int? { member(key).flatMap { JSONMember.integer(bytes, $0) }.flatMap { Int(exactly: $0) } }
            guard let amount = money(.amount), let principal = money(.principal), let openingFee = money(.openingFee),
                let openingFeeIva = money(.openingFeeIva), let disbursed = money(.disbursed), let term = integer(.term),
                let nonPerforming = integer(.nonPerformingAfterDays),
                let dateRange = member(.disbursementDate), dateRange.count == 12, bytes[dateRange.lowerBound] == UInt8(ascii: "\""),
                bytes[dateRange.upperBound - 1] == UInt8(ascii: "\""),
                let date = CalendarDate(bytes: bytes, from: dateRange.lowerBound + 1, to: dateRange.upperBound - 1),
                let rows = member(.scheduleRows), rows.count >= 2, bytes[rows.lowerBound] == UInt8(ascii: "\""), bytes[rows.upperBound - 1] == UInt8(ascii: "\""),
                let schedule = parseRows(bytes, from: rows.lowerBound + 1, to: rows.upperBound - 1, currency: amount.currency)
            else { return nil }
            var cat: String?
            if let range = member(.cat), !JSONMember.isNull(bytes, range) {
                guard let text = JSONMember.plainString(bytes, range) else { return nil }
                cat = text
            }
            return LoanTerms(
                product: product, amount: amount, principal: principal, term: term, disbursementDate: date, openingFee: openingFee, openingFeeIva: openingFeeIva,
                disbursed: disbursed, schedule: schedule, cat: cat, nonPerformingAfterDays: nonPerforming
            )
        }
    }
}
