/// How one bank's CSV export is laid out: which column holds what, how dates and amounts are written. Presets for
/// BBVA, Banorte and Santander México; a lender adds its own for other banks or export types.
public struct CSVProfile: Sendable, Hashable, Codable {
    /// How a date is written.
    public enum DateStyle: String, Sendable, Hashable, Codable {
        /// `31/12/2026` or `31-12-2026`.
        case dayMonthYear
        /// `31122026`, often with a leading apostrophe (`'31122026`) so spreadsheets keep it as text.
        case compactDayMonthYear
        /// `2026-12-31`.
        case iso
    }

    /// Where the amount is.
    public enum Amounts: Sendable, Hashable, Codable {
        /// Money out and money in in two columns (either may be empty or `-`; a minus sign is ignored).
        case split(debit: String, credit: String)
        /// One signed column (negative = money out).
        case signed(String)
        /// An unsigned amount and a column marking the direction (`+` / `-`, or words); any other mark is refused.
        case marked(amount: String, mark: String, creditMarks: [String], debitMarks: [String])
    }

    public var name: String
    public var delimiter: String
    public var date: String
    public var dateStyle: DateStyle
    public var amounts: Amounts
    public var description: String?
    public var reference: String?
    public var concept: String?
    public var balance: String?
    public var counterpartyName: String?
    public var counterpartyAccount: String?
    public var currency: String

    public init(
        name: String, delimiter: String = ",", date: String, dateStyle: DateStyle, amounts: Amounts, description: String? = nil, reference: String? = nil,
        concept: String? = nil, balance: String? = nil, counterpartyName: String? = nil, counterpartyAccount: String? = nil, currency: String = "MXN"
    ) {
        self.name = name
        self.delimiter = delimiter
        self.date = date
        self.dateStyle = dateStyle
        self.amounts = amounts
        self.description = description
        self.reference = reference
        self.concept = concept
        self.balance = balance
        self.counterpartyName = counterpartyName
        self.counterpartyAccount = counterpartyAccount
        self.currency = currency
    }

    /// BBVA México's CSV: `FECHA` (dd/mm/aaaa), `DESCRIPCIÓN`, `CARGO` (written negative), `ABONO`, `SALDO`.
    public static let bbva = CSVProfile(
        name: "bbva", date: "FECHA", dateStyle: .dayMonthYear, amounts: .split(debit: "CARGO", credit: "ABONO"), description: "DESCRIPCION", balance: "SALDO"
    )

    /// Banorte's CSV: `FECHA`, `REFERENCIA`, `DESCRIPCIÓN`, `COD. TRANSAC`, `SUCURSAL`, `DEPÓSITOS`, `RETIROS`, `SALDO`,
    /// `MOVIMIENTO`, `DESCRIPCIÓN DETALLADA` (`-` for an empty amount).
    public static let banorte = CSVProfile(
        name: "banorte", date: "FECHA", dateStyle: .dayMonthYear, amounts: .split(debit: "RETIROS", credit: "DEPOSITOS"), description: "DESCRIPCION",
        reference: "REFERENCIA", concept: "DESCRIPCION DETALLADA", balance: "SALDO"
    )

    /// Santander México's CSV: `Fecha` ('ddmmaaaa), `Hora`, `Descripcion`, `Cargo/Abono` (+/-), `Importe`, `Saldo`,
    /// `Referencia`, `Concepto`, `Clabe Beneficiario`, `Nombre Beneficiario`.
    public static let santander = CSVProfile(
        name: "santander", date: "FECHA", dateStyle: .compactDayMonthYear, amounts: .marked(amount: "IMPORTE", mark: "CARGO/ABONO", creditMarks: ["+", "ABONO"], debitMarks: ["-", "CARGO"]),
        description: "DESCRIPCION", reference: "REFERENCIA", concept: "CONCEPTO", balance: "SALDO", counterpartyName: "NOMBRE BENEFICIARIO",
        counterpartyAccount: "CLABE BENEFICIARIO"
    )

    /// The presets by name.
    public static let presets: [String: CSVProfile] = ["bbva": .bbva, "banorte": .banorte, "santander": .santander]

    /// Every column the profile names.
    var columns: [String] {
        var names = [date]
        switch amounts {
        case .split(let debit, let credit): names += [debit, credit]
        case .signed(let amount): names.append(amount)
        case .marked(let amount, let mark, _, _): names += [amount, mark]
        }
        return names + [description, reference, concept, balance, counterpartyName, counterpartyAccount].compactMap { $0 }
    }

    /// The columns a row cannot do without.
    var required: [String] {
        switch amounts {
        case .split(let debit, let credit): [date, debit, credit]
        case .signed(let amount): [date, amount]
        case .marked(let amount, let mark, _, _): [date, amount, mark]
        }
    }
}
