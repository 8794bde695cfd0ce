import CarteraCore

/// How loan terms are stored (as JSON in the loan's row). The schedule is written as one compact text of integer rows,
/// `number,YYYY-MM-DD,payment,principal,interest,iva,balance` separated by `;` (amounts in minor units of the loan's
/// currency), because decoding it as an array of objects (six nested containers per installment) was two thirds of
/// the end-of-day close's time. Terms stored before, with `schedule` as an array of objects, are still read.
///
/// Loans of one product version embed the same product; a reader decoding many of them can decode that product once
/// and hand it in with `decoder.userInfo[LoanTerms.decodedProduct]` — it must be the decoding of this very text's
/// `product` value, as `TermsCache` ensures by keying it on that text.
extension LoanTerms {
    /// The user-info key under which a decoder carries the already-decoded `product` of the terms being decoded.
    public static let decodedProduct = CodingUserInfoKey(rawValue: "cartera.loanTerms.product")!

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
            product: try (decoder.userInfo[Self.decodedProduct] as? Product) ?? container.decode(Product.self, forKey: .product), amount: amount, principal: try container.decode(Money.self, forKey: .principal),
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
        guard !text.isEmpty else { return [] }
        var schedule: [Installment] = []
        for row in text.split(separator: ";", omittingEmptySubsequences: false) {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 7, let number = Int(fields[0]), let due = CalendarDate(text: String(fields[1])),
                let payment = Int64(fields[2]), let principal = Int64(fields[3]), let interest = Int64(fields[4]), let iva = Int64(fields[5]),
                let balance = Int64(fields[6])
            else { return nil }
            schedule.append(Installment(
                number: number, dueDate: due, payment: Money(minorUnits: payment, currency: currency), principal: Money(minorUnits: principal, currency: currency),
                interest: Money(minorUnits: interest, currency: currency), iva: Money(minorUnits: iva, currency: currency),
                balance: Money(minorUnits: balance, currency: currency)
            ))
        }
        return schedule
    }
}
