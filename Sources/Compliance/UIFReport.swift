import CarteraCore
import Foundation

/// The UIF report file for a SOFOM (relevantes, inusuales, internas preocupantes and 24-hour reports) in the
/// 36-column `;`-separated layout of `compliance.md` §4.1 — medium-low confidence there: the layout, the catalogue
/// codes and the organ key must be checked against the official instructivo, so codes are data and every rule is
/// checked before a file is written.
///
/// Format: one record per line, every `;` present even for empty fields, no header, upper case, amounts with two
/// decimals and `.` without thousands separators, dates `AAAAMMDD`, folios `000001…` per principal operation. A
/// relevantes report has columns 14 and 29–36 empty; an empty quarter is one record with only columns 1, 2, 4 and 5.
public enum UIFReport {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case relevant = "1"
        case unusual = "2"
        case internalConcern = "3"
    }

    /// Who files: the supervising organ's key (implementations use 001002; one source says 160000 for E.N.R.), the
    /// entity's key, and the branch's locality and postal code.
    public struct Filer: Sendable, Hashable, Codable {
        public let organ: String
        public let entity: String
        public let locality: String
        public let postalCode: String

        public init(organ: String = "001002", entity: String, locality: String, postalCode: String) {
            self.organ = organ
            self.entity = entity
            self.locality = locality
            self.postalCode = postalCode
        }
    }

    /// One principal operation (related persons are not written yet).
    public struct Operation: Sendable, Hashable, Codable {
        public var operationType: String
        public var instrument: String
        public var account: String
        public var amount: Money
        public var date: CalendarDate
        public var detected: CalendarDate?
        public var mexican: Bool
        public var moral: Bool
        public var businessName: String?
        public var givenNames: String?
        public var paternalSurname: String?
        public var maternalSurname: String?
        public var rfc: String?
        public var curp: String?
        public var bornOrIncorporated: CalendarDate?
        public var street: String
        public var neighbourhood: String
        public var cityCode: String
        public var phone: String?
        public var activity: String
        public var description: String?
        public var reasons: String?

        public init(
            operationType: String, instrument: String, account: String, amount: Money, date: CalendarDate, detected: CalendarDate? = nil, mexican: Bool = true,
            moral: Bool = false, businessName: String? = nil, givenNames: String? = nil, paternalSurname: String? = nil, maternalSurname: String? = nil,
            rfc: String? = nil, curp: String? = nil, bornOrIncorporated: CalendarDate? = nil, street: String, neighbourhood: String, cityCode: String,
            phone: String? = nil, activity: String, description: String? = nil, reasons: String? = nil
        ) {
            self.operationType = operationType
            self.instrument = instrument
            self.account = account
            self.amount = amount
            self.date = date
            self.detected = detected
            self.mexican = mexican
            self.moral = moral
            self.businessName = businessName
            self.givenNames = givenNames
            self.paternalSurname = paternalSurname
            self.maternalSurname = maternalSurname
            self.rfc = rfc
            self.curp = curp
            self.bornOrIncorporated = bornOrIncorporated
            self.street = street
            self.neighbourhood = neighbourhood
            self.cityCode = cityCode
            self.phone = phone
            self.activity = activity
            self.description = description
            self.reasons = reasons
        }
    }

    /// A rule a record breaks: its row (1-based), the column (1–36) and what to fix.
    public struct Issue: Sendable, Hashable, Codable {
        public let row: Int
        public let column: Int
        public let message: String

        public init(row: Int, column: Int, message: String) {
            self.row = row
            self.column = column
            self.message = message
        }
    }

    /// The period column: the quarter's last month `AAAAMM` for relevantes, the report's day `AAAAMMDD` otherwise.
    public static func period(_ kind: Kind, reportDate: CalendarDate) -> String {
        let text = reportDate.text.replacingOccurrences(of: "-", with: "")
        return kind == .relevant ? String(text.prefix(6)) : text
    }

    /// The file's text, or the issues that stop it from being written.
    public static func file(
        _ kind: Kind, period: String, filer: Filer, operations: [Operation], lineEnding: String = "\r\n"
    ) -> Result<String, IssueList> {
        var issues: [Issue] = []
        if !(kind == .relevant ? period.count == 6 : period.count == 8) || !period.allSatisfy(\.isNumber) {
            issues.append(Issue(row: 0, column: 2, message: kind == .relevant ? "el periodo se escribe AAAAMM (último mes del trimestre)" : "el periodo se escribe AAAAMMDD"))
        }
        if kind == .relevant, period.count == 6, let month = Int(period.suffix(2)), ![3, 6, 9, 12].contains(month) {
            issues.append(Issue(row: 0, column: 2, message: "el periodo de relevantes es el último mes de un trimestre (03, 06, 09 o 12)"))
        }
        for (column, value, length) in [(4, filer.organ, 6...6), (5, filer.entity, 6...8), (6, filer.locality, 1...8), (7, filer.postalCode, 5...5)]
        where !length.contains(value.count) || value.contains(";") {
            issues.append(Issue(row: 0, column: column, message: "el dato del sujeto obligado «\(value)» debe tener \(length.lowerBound == length.upperBound ? "\(length.lowerBound)" : "de \(length.lowerBound) a \(length.upperBound)") caracteres"))
        }
        if kind == .relevant && operations.isEmpty {
            guard issues.isEmpty else { return .failure(IssueList(issues: issues)) }
            var fields = [String](repeating: "", count: 36)
            (fields[0], fields[1], fields[3], fields[4]) = (kind.rawValue, period, filer.organ, filer.entity)
            return .success(fields.joined(separator: ";") + lineEnding)
        }
        var lines: [String] = []
        for (index, operation) in operations.enumerated() {
            let row = index + 1
            func issue(_ column: Int, _ message: String) { issues.append(Issue(row: row, column: column, message: message)) }
            var fields = [String](repeating: "", count: 36)
            fields[0] = kind.rawValue
            fields[1] = period
            fields[2] = String(format: "%06d", row)
            fields[3] = filer.organ
            fields[4] = filer.entity
            fields[5] = filer.locality
            fields[6] = filer.postalCode
            fields[7] = operation.operationType
            fields[8] = operation.instrument
            fields[9] = text(operation.account, 16)
            if operation.operationType.count != 2 || !operation.operationType.allSatisfy(\.isNumber) { issue(8, "el tipo de operación es una clave de 2 dígitos del catálogo") }
            if operation.instrument.count != 2 || !operation.instrument.allSatisfy(\.isNumber) { issue(9, "el instrumento monetario es una clave de 2 dígitos del catálogo") }
            if operation.account.isEmpty || operation.account.count > 16 { issue(10, "la cuenta o contrato va de 1 a 16 caracteres") }
            if operation.amount.minorUnits <= 0 { issue(11, "el monto debe ser mayor que cero") }
            if operation.amount.minorUnits > 99_999_999_999_999_99 { issue(11, "el monto no cabe en 14 enteros y 2 decimales") }
            fields[10] = operation.amount.decimalText
            fields[11] = operation.amount.currency.code
            fields[12] = compact(operation.date)
            if compact(operation.date).prefix(period.count) > period { issue(13, "la fecha de la operación es posterior al periodo") }
            switch kind {
            case .relevant:
                if operation.detected != nil { issue(14, "los relevantes no llevan fecha de detección") }
                if operation.description != nil || operation.reasons != nil { issue(35, "los relevantes no llevan descripción ni razones (columnas 35 y 36)") }
            case .unusual, .internalConcern:
                if let detected = operation.detected {
                    if detected < operation.date { issue(14, "la fecha de detección es anterior a la operación") }
                    fields[13] = compact(detected)
                } else {
                    issue(14, "falta la fecha de detección")
                }
                fields[28] = "00"
                if (operation.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issue(35, "falta la descripción de la operación") }
                if (operation.reasons ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issue(36, "faltan las razones del reporte") }
                fields[34] = text(operation.description ?? "", 4_000)
                fields[35] = text(operation.reasons ?? "", 4_000)
            }
            fields[14] = operation.mexican ? "1" : "2"
            fields[15] = operation.moral ? "2" : "1"
            if operation.moral {
                if (operation.businessName ?? "").isEmpty { issue(17, "falta la razón social") }
                fields[16] = text(operation.businessName ?? "", 125)
            } else {
                if (operation.givenNames ?? "").isEmpty { issue(18, "falta el nombre") }
                if (operation.paternalSurname ?? "").isEmpty { issue(19, "falta el apellido paterno") }
                fields[17] = text(operation.givenNames ?? "", 60)
                fields[18] = text(operation.paternalSurname ?? "", 60)
                fields[19] = text(operation.maternalSurname ?? "", 30)
            }
            let rfc = ListEntry.Identifier.normalized(operation.rfc ?? ""), curp = ListEntry.Identifier.normalized(operation.curp ?? "")
            if !rfc.isEmpty && rfc.count != (operation.moral ? 12 : 13) { issue(21, "el RFC de una persona \(operation.moral ? "moral tiene 12" : "física tiene 13") caracteres") }
            if !curp.isEmpty && (operation.moral || curp.count != 18) { issue(22, operation.moral ? "una persona moral no lleva CURP" : "la CURP tiene 18 caracteres") }
            if rfc.isEmpty && curp.isEmpty && operation.bornOrIncorporated == nil { issue(21, "se necesita RFC, CURP o fecha de nacimiento o constitución") }
            fields[20] = rfc
            fields[21] = curp
            fields[22] = operation.bornOrIncorporated.map(compact) ?? ""
            fields[23] = text(operation.street, 60)
            fields[24] = text(operation.neighbourhood, 30)
            fields[25] = text(operation.cityCode, 8)
            fields[26] = text(operation.phone ?? "", 40)
            if operation.activity.count != 7 || !operation.activity.allSatisfy(\.isNumber) { issue(28, "la actividad económica es una clave de 7 dígitos del catálogo") }
            fields[27] = operation.activity
            lines.append(fields.joined(separator: ";"))
        }
        guard issues.isEmpty else { return .failure(IssueList(issues: issues)) }
        return .success(lines.map { $0 + lineEnding }.joined())
    }

    public struct IssueList: Error, Sendable, Hashable {
        public let issues: [Issue]
    }

    static func compact(_ date: CalendarDate) -> String { date.text.replacingOccurrences(of: "-", with: "") }

    /// Upper case, without the separator or line breaks, cut to `limit` characters.
    static func text(_ value: String, _ limit: Int) -> String {
        let cleaned = value.uppercased().map { $0 == ";" ? "," : ($0.isNewline ? " " : $0) }
        return String(String(cleaned).trimmingCharacters(in: .whitespaces).prefix(limit))
    }
}
