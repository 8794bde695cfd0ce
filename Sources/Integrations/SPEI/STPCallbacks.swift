import CarteraCore
import Foundation

/// Why a callback from the SPEI participant could not be read.
public struct SPEICallbackError: Error, Sendable, Equatable {
    public let detail: String

    public init(_ detail: String) { self.detail = detail }
}

/// A deposit (abono) the participant reports: an SPEI transfer received into one of the lender's CLABEs.
///
/// Both body formats seen in STP integrations are read (field names matched whatever their case): the current camelCase
/// one (`id`, `claveRastreo`, `cuentaBeneficiario`, …) and the legacy PascalCase one (`Clave`, `ClaveRastreo`, …).
/// Amounts are read as decimal text, never through a floating-point number.
public struct SPEIDeposit: Sendable, Equatable {
    /// The participant's id for the movement.
    public let participantID: String?
    public let trackingKey: String
    /// The SPEI operating date (not the calendar date after the cut-off).
    public let operatingDate: CalendarDate
    /// The sending bank's 5-digit participant code.
    public let senderInstitution: String
    public let amount: Money
    public let payerName: String?
    public let payerAccount: String?
    public let payerRFC: String?
    /// The CLABE the money was sent to.
    public let destinationAccount: String
    public let beneficiaryName: String?
    public let concept: String?
    public let numericReference: Int64?
    public let company: String?
    /// The tracking key of the lender's own order this deposit returns (`claveRastreoDevolucion`), when it is a
    /// return (`tipoPago` 0 or a `causaDevolucion`): money the lender sent coming back, not a payment.
    public let returnedTrackingKey: String?
    public let isReturn: Bool
    /// Whether it came in the legacy PascalCase format (answered `{"estado": …}` instead of `{"mensaje": …}`).
    public let legacyFormat: Bool

    public init(
        participantID: String?, trackingKey: String, operatingDate: CalendarDate, senderInstitution: String, amount: Money,
        payerName: String?, payerAccount: String?, payerRFC: String?, destinationAccount: String, beneficiaryName: String?,
        concept: String?, numericReference: Int64?, company: String?, returnedTrackingKey: String? = nil, isReturn: Bool = false, legacyFormat: Bool = false
    ) {
        self.returnedTrackingKey = returnedTrackingKey
        self.isReturn = isReturn
        self.legacyFormat = legacyFormat
        self.participantID = participantID
        self.trackingKey = trackingKey
        self.operatingDate = operatingDate
        self.senderInstitution = senderInstitution
        self.amount = amount
        self.payerName = payerName
        self.payerAccount = payerAccount
        self.payerRFC = payerRFC
        self.destinationAccount = destinationAccount
        self.beneficiaryName = beneficiaryName
        self.concept = concept
        self.numericReference = numericReference
        self.company = company
    }

    /// Reads a deposit callback's JSON body.
    public static func parse(_ body: [UInt8]) throws(SPEICallbackError) -> SPEIDeposit {
        let fields = try CallbackFields(body)
        guard let trackingKey = fields.text("claveRastreo"), !trackingKey.isEmpty, trackingKey.count <= 30 else {
            throw SPEICallbackError("falta claveRastreo o pasa de 30 caracteres")
        }
        guard let dateText = fields.text("fechaOperacion"), dateText.count == 8, let date = CalendarDate(text: Self.dashed(dateText)) else {
            throw SPEICallbackError("fechaOperacion debe ser AAAAMMDD")
        }
        guard let amountText = fields.text("monto"), let amount = try? Money(parsing: amountText), amount.isPositive,
              amount.minorUnits <= 100_000_000_000
        else {
            throw SPEICallbackError("monto inválido")
        }
        guard let destination = fields.text("cuentaBeneficiario"), !destination.isEmpty, destination.count <= 20,
              destination.allSatisfy(\.isNumber)
        else {
            throw SPEICallbackError("falta cuentaBeneficiario")
        }
        guard let sender = fields.text("institucionOrdenante"), !sender.isEmpty, sender.count <= 5, sender.allSatisfy(\.isNumber) else {
            throw SPEICallbackError("falta institucionOrdenante")
        }
        return SPEIDeposit(
            participantID: fields.text("id") ?? fields.text("clave"), trackingKey: trackingKey, operatingDate: date,
            senderInstitution: sender, amount: amount, payerName: fields.text("nombreOrdenante"), payerAccount: fields.text("cuentaOrdenante"),
            payerRFC: fields.text("rfcCurpOrdenante"), destinationAccount: destination, beneficiaryName: fields.text("nombreBeneficiario"),
            concept: fields.text("conceptoPago"), numericReference: fields.text("referenciaNumerica").flatMap { Int64($0) },
            company: fields.text("empresa"), returnedTrackingKey: fields.text("claveRastreoDevolucion"),
            isReturn: fields.text("tipoPago") == "0" || fields.text("causaDevolucion") != nil || fields.text("claveRastreoDevolucion") != nil,
            legacyFormat: fields.legacy
        )
    }

    static func dashed(_ text: String) -> String {
        let c = Array(text)
        return String(c[0..<4]) + "-" + String(c[4..<6]) + "-" + String(c[6..<8])
    }
}

/// What the participant reports about an order the lender sent: settled (liquidada), returned (devuelta, with a cause)
/// or canceled.
public struct SPEIOrderStatus: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case settled
        case returned
        /// Canceled, or rejected by Banxico: the money never left.
        case canceled
        /// A state on the way (por devolver, autorizada…): nothing to do yet.
        case other
    }

    /// The participant's order id.
    public let participantID: String?
    /// The lender's own folio sent with the order.
    public let folio: String?
    public let state: State
    /// The state as the participant wrote it.
    public let stateText: String
    /// The cause of a return (causa de devolución).
    public let returnCause: Int?
    /// When it settled, epoch milliseconds.
    public let settledAtMilliseconds: Int64?

    public init(participantID: String?, folio: String?, state: State, stateText: String, returnCause: Int?, settledAtMilliseconds: Int64?) {
        self.participantID = participantID
        self.folio = folio
        self.state = state
        self.stateText = stateText
        self.returnCause = returnCause
        self.settledAtMilliseconds = settledAtMilliseconds
    }

    /// Reads a status callback's JSON body. Both vocabularies are understood: `LIQUIDACION`, `DEVOLUCION`,
    /// `CANCELACION` and `Exito`, `Devuelto`, `Cancelado`, and the order codes `LQ`, `D`, `CN`, `RB` (rechazada
    /// Banxico); any other state (`XD` por devolver, `A`, `L`…) is `other`.
    public static func parse(_ body: [UInt8]) throws(SPEICallbackError) -> SPEIOrderStatus {
        let fields = try CallbackFields(body)
        guard let text = fields.text("estado") else { throw SPEICallbackError("falta estado") }
        let state: State
        switch text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased() {
        case "LIQUIDACION", "LIQUIDADA", "EXITO", "LQ", "TLQ": state = .settled
        case "DEVOLUCION", "DEVUELTA", "DEVUELTO", "D": state = .returned
        case "CANCELACION", "CANCELADA", "CANCELADO", "CN", "RB", "RECHAZADA", "RECHAZADO": state = .canceled
        default:
            guard !text.isEmpty, text.count <= 30 else { throw SPEICallbackError("estado ilegible") }
            state = .other
        }
        let folio = fields.text("folioOrigen")
        let id = fields.text("id")
        guard folio != nil || id != nil else { throw SPEICallbackError("falta id y folioOrigen") }
        return SPEIOrderStatus(
            participantID: id, folio: folio, state: state, stateText: String(text.prefix(20)),
            returnCause: fields.text("causaDevolucion").flatMap { Int($0) }, settledAtMilliseconds: fields.text("tsLiquidacion").flatMap { Int64($0) }
        )
    }
}

/// A callback's top-level JSON fields by lowercased name, each as text (numbers as their decimal text, exactly as sent).
struct CallbackFields {
    let values: [String: String]
    /// Whether the names are the legacy PascalCase ones (`ClaveRastreo`).
    let legacy: Bool

    init(_ body: [UInt8]) throws(SPEICallbackError) {
        guard body.count <= 64 * 1024 else { throw SPEICallbackError("cuerpo demasiado grande") }
        guard let object = try? JSONDecoder().decode([String: LooseJSONValue].self, from: Data(body)) else {
            throw SPEICallbackError("el cuerpo no es un objeto JSON")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            if let text = value.text { values[key.lowercased()] = text }
        }
        self.values = values
        legacy = object.keys.contains("ClaveRastreo")
    }

    func text(_ name: String) -> String? {
        values[name.lowercased()].map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// A JSON value read without losing a number's digits.
enum LooseJSONValue: Decodable {
    case text(String)
    case other

    var text: String? {
        if case .text(let value) = self { value } else { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .text(String(value))
        } else if let value = try? container.decode(Decimal.self) {
            self = .text("\(value)")
        } else {
            self = .other
        }
    }
}
