import CarteraCore
import Foundation

/// Buró de Crédito's monthly reporting tape for personas físicas (INTF): a header, then for each account the segments
/// PN (name), PA (address), optionally PE (employment) and TL (the account), and a `TRLR` trailer with totals.
///
/// Each field is tag (2) + length (2 digits) + value; a segment starts with its own tag whose value is the segment's
/// first field (`PN` + length + paternal surname), and each account ends with `TL`'s tag `99` = `FIN`. Text is
/// upper-case ASCII without accents; amounts are whole pesos (centavos rounded half up); dates `DDMMAAAA`. The field
/// list follows a production core's implementation (`compliance.md` §9.1) and is **unverified** against Buró's
/// current manual: the version, member code and segment tags must be confirmed before the first real upload.
public enum BuroTape {
    /// The lender as Buró knows it.
    public struct Member: Sendable, Hashable, Codable {
        /// Clave de otorgante (member code) Buró assigned.
        public let code: String
        /// Nombre del otorgante, as registered.
        public let name: String
        /// The tape's format version (`11` in the implementation the notes read; current versions may be higher).
        public let version: String

        public init(code: String, name: String, version: String = "11") {
            self.code = code
            self.name = name
            self.version = version
        }
    }

    /// Pago fijo's payment frequency: W semanal, K catorcenal, S quincenal, M mensual.
    public enum Frequency: String, Sendable, Hashable, Codable {
        case weekly = "W"
        case biweekly = "K"
        case semimonthly = "S"
        case monthly = "M"
    }

    /// One account (a loan) with its borrower, as of the report date.
    public struct Account: Sendable, Hashable, Codable {
        public var paternalSurname: String
        public var maternalSurname: String?
        public var givenNames: String
        public var birthDate: CalendarDate
        public var rfc: String?
        /// ISO alpha-2 nationality (`MX`).
        public var nationality: String
        /// `H`, `M` or `X` as in the CURP.
        public var sex: String?
        public var street: String
        public var neighborhood: String
        public var municipality: String
        public var city: String
        /// Buró's state key (`VER`, `CDMX`, `JAL`…).
        public var state: String
        public var postalCode: String
        public var phone: String?
        public var accountNumber: String
        public var numberOfPayments: Int
        public var frequency: Frequency
        /// The installment, in centavos.
        public var paymentAmount: Int64
        public var openedOn: CalendarDate
        public var lastPaymentOn: CalendarDate?
        public var closedOn: CalendarDate?
        public var originalAmount: Int64
        public var currentBalance: Int64
        public var pastDueBalance: Int64
        public var paymentsPastDue: Int
        public var daysPastDue: Int
        /// Written off (quebranto): MOP 97.
        public var writtenOff: Bool
        public var firstDefaultOn: CalendarDate?

        public init(
            paternalSurname: String, maternalSurname: String?, givenNames: String, birthDate: CalendarDate, rfc: String?, nationality: String = "MX",
            sex: String? = nil, street: String, neighborhood: String, municipality: String, city: String, state: String, postalCode: String,
            phone: String? = nil, accountNumber: String, numberOfPayments: Int, frequency: Frequency, paymentAmount: Int64, openedOn: CalendarDate,
            lastPaymentOn: CalendarDate? = nil, closedOn: CalendarDate? = nil, originalAmount: Int64, currentBalance: Int64, pastDueBalance: Int64,
            paymentsPastDue: Int, daysPastDue: Int, writtenOff: Bool = false, firstDefaultOn: CalendarDate? = nil
        ) {
            self.paternalSurname = paternalSurname
            self.maternalSurname = maternalSurname
            self.givenNames = givenNames
            self.birthDate = birthDate
            self.rfc = rfc
            self.nationality = nationality
            self.sex = sex
            self.street = street
            self.neighborhood = neighborhood
            self.municipality = municipality
            self.city = city
            self.state = state
            self.postalCode = postalCode
            self.phone = phone
            self.accountNumber = accountNumber
            self.numberOfPayments = numberOfPayments
            self.frequency = frequency
            self.paymentAmount = paymentAmount
            self.openedOn = openedOn
            self.lastPaymentOn = lastPaymentOn
            self.closedOn = closedOn
            self.originalAmount = originalAmount
            self.currentBalance = currentBalance
            self.pastDueBalance = pastDueBalance
            self.paymentsPastDue = paymentsPastDue
            self.daysPastDue = daysPastDue
            self.writtenOff = writtenOff
            self.firstDefaultOn = firstDefaultOn
        }
    }

    /// The payment behaviour code (MOP) from days past due: 01 al corriente, 02 from 1 day, 03 from 30, 04 from 60,
    /// 05 from 90, 06 from 120, 07 from 150, 96 from 360; 97 written off.
    public static func mop(daysPastDue: Int, writtenOff: Bool = false) -> String {
        if writtenOff { return "97" }
        switch daysPastDue {
        case 360...: return "96"
        case 150...: return "07"
        case 120...: return "06"
        case 90...: return "05"
        case 60...: return "04"
        case 30...: return "03"
        case 1...: return "02"
        default: return "01"
        }
    }

    /// What stops a tape from being written: the account (1-based; 0 for the member) and what to fix.
    public struct Issue: Sendable, Hashable, Codable {
        public let account: Int
        public let message: String
    }

    /// Everything that stops a tape from being written.
    public struct Issues: Error, Sendable, Hashable {
        public let issues: [Issue]
    }

    /// The tape, or what must be fixed first. `reportDate` is the month's last day.
    public static func file(member: Member, reportDate: CalendarDate, accounts: [Account], lineEnding: String = "\r\n") -> Result<String, Issues> {
        var issues: [Issue] = []
        let memberCode = text(member.code, 10)
        let memberName = text(member.name, 16)
        if memberCode.isEmpty || !memberCode.allSatisfy({ $0.isNumber || $0.isLetter }) { issues.append(Issue(account: 0, message: "falta la clave de otorgante de Buró (letras y dígitos)")) }
        if memberName.isEmpty { issues.append(Issue(account: 0, message: "falta el nombre del otorgante")) }
        if member.version.count != 2 || !member.version.allSatisfy(\.isNumber) { issues.append(Issue(account: 0, message: "la versión del formato tiene 2 dígitos")) }
        var lines: [String] = [pad("INTF" + member.version + pad(memberCode, 10) + pad(memberName, 16) + String(repeating: " ", count: 2) + date(reportDate), 150)]
        var totalBalance: Int64 = 0
        var totalPastDue: Int64 = 0
        for (index, account) in accounts.enumerated() {
            let row = index + 1
            func issue(_ message: String) { issues.append(Issue(account: row, message: message)) }
            if text(account.paternalSurname, 26).isEmpty { issue("falta el apellido paterno") }
            if text(account.givenNames, 26).isEmpty { issue("falta el nombre") }
            if account.postalCode.count != 5 || !account.postalCode.allSatisfy(\.isNumber) { issue("el código postal tiene 5 dígitos") }
            if text(account.state, 4).isEmpty { issue("falta la clave de estado de Buró") }
            if text(account.accountNumber, 25).isEmpty { issue("falta el número de cuenta") }
            if account.currentBalance < 0 || account.pastDueBalance < 0 || account.pastDueBalance > max(account.currentBalance, 0) + account.paymentAmount * Int64(max(account.paymentsPastDue, 1)) {
                issue("los saldos no cuadran: el vencido no puede ser negativo ni mayor que lo que se debe")
            }
            let names = text(account.givenNames, 52).split(separator: " ", maxSplits: 1).map(String.init)
            var segment = field("PN", text(account.paternalSurname, 26))
            segment += field("00", text(account.maternalSurname ?? "NO PROPORCIONADO", 26))
            segment += field("02", String((names.first ?? "").prefix(26)))
            if names.count > 1 { segment += field("03", String(names[1].prefix(26))) }
            segment += field("04", date(account.birthDate))
            if let rfc = account.rfc.map({ text($0, 13) }), !rfc.isEmpty { segment += field("05", rfc) }
            segment += field("08", text(account.nationality, 2))
            // Buró's sex codes: M masculino, F femenino (the CURP's H and M); other values are left out.
            switch account.sex.map({ text($0, 1) }) {
            case "H": segment += field("12", "M")
            case "M": segment += field("12", "F")
            default: break
            }
            segment += field("PA", text(account.street, 40))
            segment += field("01", text(account.neighborhood, 40))
            segment += field("02", text(account.municipality, 40))
            segment += field("03", text(account.city, 40))
            segment += field("04", text(account.state, 4))
            segment += field("05", account.postalCode)
            if let phone = account.phone?.filter(\.isNumber), !phone.isEmpty { segment += field("07", String(phone.suffix(10))) }
            segment += field("TL", "TL")
            segment += field("01", memberCode)
            segment += field("02", memberName)
            segment += field("04", text(account.accountNumber, 25))
            segment += field("05", "I")
            segment += field("06", "I")
            segment += field("07", "PL")
            segment += field("08", "MX")
            segment += field("10", String(account.numberOfPayments))
            segment += field("11", account.frequency.rawValue)
            segment += field("12", String(pesos(account.paymentAmount)))
            segment += field("13", date(account.openedOn))
            if let last = account.lastPaymentOn { segment += field("14", date(last)) }
            segment += field("15", date(account.openedOn))
            if let closed = account.closedOn { segment += field("16", date(closed)) }
            segment += field("17", date(reportDate))
            segment += field("21", String(pesos(account.originalAmount)))
            segment += field("22", String(pesos(account.currentBalance)))
            segment += field("24", String(pesos(account.pastDueBalance)))
            segment += field("25", String(account.paymentsPastDue))
            segment += field("26", mop(daysPastDue: account.daysPastDue, writtenOff: account.writtenOff))
            if let first = account.firstDefaultOn { segment += field("43", date(first)) }
            segment += field("99", "FIN")
            lines.append(segment)
            totalBalance += pesos(account.currentBalance)
            totalPastDue += pesos(account.pastDueBalance)
        }
        lines.append(pad("TRLR" + zeros(totalBalance, 14) + zeros(totalPastDue, 14) + zeros(Int64(accounts.count), 7) + zeros(Int64(accounts.count), 7) + zeros(Int64(accounts.count), 7) + pad(memberName, 16), 150))
        guard issues.isEmpty else { return .failure(Issues(issues: issues)) }
        return .success(lines.map { $0 + lineEnding }.joined())
    }

    /// A field: tag, two-digit length, value (at most 99 characters).
    static func field(_ tag: String, _ value: String) -> String {
        let value = String(value.prefix(99))
        return tag + (value.count < 10 ? "0" : "") + String(value.count) + value
    }

    /// Upper-case ASCII: accents removed, Ñ as N, anything but letters, digits, spaces, `&`, `.`, `-` and `/` dropped,
    /// spaces collapsed, cut to `limit`.
    static func text(_ value: String, _ limit: Int) -> String {
        let folded = value.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "es_MX")).uppercased()
        let kept = folded.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || " &.-/".unicodeScalars.contains($0)) }
        let text = String(String.UnicodeScalarView(kept)).split(separator: " ").joined(separator: " ")
        return String(text.prefix(limit))
    }

    static func date(_ date: CalendarDate) -> String {
        let parts = date.text.split(separator: "-")
        return String(parts[2] + parts[1] + parts[0])
    }

    /// Whole pesos, centavos rounded half up.
    static func pesos(_ centavos: Int64) -> Int64 { (centavos + 50) / 100 }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count) }

    static func zeros(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
