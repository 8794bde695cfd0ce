import CarteraCore
import Foundation

/// An SPEI transfer order for an STP-style participant (`registraOrden`, "dispersión"), with STP's own field names.
///
/// The signature covers the cadena original: 34 fields in one fixed order (`cadenaFields`), each the field's text or
/// empty, joined by `|` between `||` and `||`. The order of the fields and the formats (amount with two decimals,
/// numbers in plain digits) come from STP's public client code (cuenca-mx/stpmex-python `stpmex/auth.py`); see
/// `docs/spei.md`. STP takes ASCII only: `STPText.ascii` is applied to every text before it is signed.
public struct STPOrder: Sendable, Hashable, Codable {
    /// The company (empresa) STP knows the lender by.
    public var empresa: String
    /// The tracking key (clave de rastreo): unique per order, at most 29 characters; Cartera's idempotency key.
    public var claveRastreo: String
    /// Up to 39 characters.
    public var conceptoPago: String
    /// The amount in pesos with two decimals, exact (made from centavos, never from a floating-point number).
    public var monto: Decimal
    public var cuentaOrdenante: String
    public var nombreOrdenante: String?
    public var rfcCurpOrdenante: String?
    public var tipoCuentaOrdenante: Int?
    public var cuentaBeneficiario: String
    /// Up to 39 characters.
    public var nombreBeneficiario: String
    public var rfcCurpBeneficiario: String
    /// 40 = CLABE.
    public var tipoCuentaBeneficiario: Int
    /// The beneficiary's bank: its 5-digit SPEI participant code.
    public var institucionContraparte: String
    /// The operating participant: STP is 90646.
    public var institucionOperante: String
    /// 1…9,999,999.
    public var referenciaNumerica: Int
    /// 1 = tercero a tercero.
    public var tipoPago: Int
    /// 0 normal, 1 high.
    public var prioridad: Int?
    public var medioEntrega: Int?
    public var topologia: String?
    public var fechaOperacion: String?
    /// The lender's own id for the order: STP sends it back in status callbacks.
    public var folioOrigen: String?
    public var emailBeneficiario: String?
    public var iva: Decimal?
    /// The signature (base64), set by `STPSigner`.
    public var firma: String?

    /// The fields the cadena original is made of, in their one order.
    public static let cadenaFields = [
        "institucionContraparte", "empresa", "fechaOperacion", "folioOrigen", "claveRastreo", "institucionOperante", "monto",
        "tipoPago", "tipoCuentaOrdenante", "nombreOrdenante", "cuentaOrdenante", "rfcCurpOrdenante", "tipoCuentaBeneficiario",
        "nombreBeneficiario", "cuentaBeneficiario", "rfcCurpBeneficiario", "emailBeneficiario", "tipoCuentaBeneficiario2",
        "nombreBeneficiario2", "cuentaBeneficiario2", "rfcCurpBeneficiario2", "conceptoPago", "conceptoPago2",
        "claveCatUsuario1", "claveCatUsuario2", "clavePago", "referenciaCobranza", "referenciaNumerica", "tipoOperacion",
        "topologia", "usuario", "medioEntrega", "prioridad", "iva",
    ]

    /// An order for `amount` (pesos) from the lender's account to a CLABE, with STP's usual constants (tercero a
    /// tercero, delivery 3, topology T, STP operating).
    public init(
        empresa: String, claveRastreo: String, concepto: String, amount: Money, cuentaOrdenante: String, nombreOrdenante: String?,
        rfcCurpOrdenante: String?, clabeBeneficiario: String, nombreBeneficiario: String, rfcCurpBeneficiario: String?,
        institucionContraparte: String, referenciaNumerica: Int, folioOrigen: String?, prioridad: Int = 1
    ) {
        self.empresa = STPText.ascii(empresa, limit: 15)
        self.claveRastreo = STPText.ascii(claveRastreo, limit: 29)
        conceptoPago = STPText.ascii(concepto, limit: 39)
        monto = Decimal(amount.minorUnits) / 100
        self.cuentaOrdenante = cuentaOrdenante
        self.nombreOrdenante = nombreOrdenante.map { STPText.ascii($0, limit: 39) }
        self.rfcCurpOrdenante = rfcCurpOrdenante.map { STPText.ascii($0, limit: 18) }
        tipoCuentaOrdenante = 40
        cuentaBeneficiario = clabeBeneficiario
        self.nombreBeneficiario = STPText.ascii(nombreBeneficiario, limit: 39)
        self.rfcCurpBeneficiario = rfcCurpBeneficiario.map { STPText.ascii($0, limit: 18) } ?? "ND"
        tipoCuentaBeneficiario = 40
        self.institucionContraparte = institucionContraparte
        institucionOperante = "90646"
        self.referenciaNumerica = referenciaNumerica
        tipoPago = 1
        self.prioridad = prioridad
        medioEntrega = 3
        topologia = "T"
        self.folioOrigen = folioOrigen.map { STPText.ascii($0, limit: 50) }
    }

    /// The amount in centavos, when `monto` has at most two decimals.
    public var amountMinorUnits: Int64? { STPText.minorUnits(monto) }

    /// Each field of the cadena original as text (empty when absent).
    public var cadenaValues: [String: String] {
        var values: [String: String] = [
            "institucionContraparte": institucionContraparte, "empresa": empresa, "claveRastreo": claveRastreo,
            "institucionOperante": institucionOperante, "tipoPago": String(tipoPago), "nombreBeneficiario": nombreBeneficiario,
            "cuentaOrdenante": cuentaOrdenante, "cuentaBeneficiario": cuentaBeneficiario, "rfcCurpBeneficiario": rfcCurpBeneficiario,
            "tipoCuentaBeneficiario": String(tipoCuentaBeneficiario), "conceptoPago": conceptoPago, "referenciaNumerica": String(referenciaNumerica),
        ]
        values["monto"] = STPText.twoDecimals(monto)
        values["fechaOperacion"] = fechaOperacion
        values["folioOrigen"] = folioOrigen
        values["tipoCuentaOrdenante"] = tipoCuentaOrdenante.map(String.init)
        values["nombreOrdenante"] = nombreOrdenante
        values["rfcCurpOrdenante"] = rfcCurpOrdenante
        values["emailBeneficiario"] = emailBeneficiario
        values["topologia"] = topologia
        values["medioEntrega"] = medioEntrega.map(String.init)
        values["prioridad"] = prioridad.map(String.init)
        values["iva"] = iva.map(STPText.twoDecimals)
        return values
    }

    /// `||f1|f2|…|f34||` over `values` (a field's text, absent = empty).
    public static func cadenaOriginal(_ values: [String: String]) -> String {
        "||" + cadenaFields.map { values[$0] ?? "" }.joined(separator: "|") + "||"
    }

    /// The text this order's signature covers.
    public var cadenaOriginal: String { Self.cadenaOriginal(cadenaValues) }
}

/// Text as STP takes it: ASCII only (accents and Ñ folded, anything else dropped), amounts with two decimals.
public enum STPText {
    /// `text` folded to printable ASCII, trimmed and cut to `limit` characters.
    public static func ascii(_ text: String, limit: Int) -> String {
        let folded = text.folding(options: .diacriticInsensitive, locale: nil)
        let kept = folded.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F && $0 != "|" }
        let clean = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        return String(clean.prefix(limit))
    }

    /// `1234.5` → `"1234.50"`; exact for any amount with at most two decimals.
    public static func twoDecimals(_ value: Decimal) -> String {
        guard let units = minorUnits(value) else { return "\(value)" }
        return Money(minorUnits: units, currency: .mxn).decimalText
    }

    /// Centavos of a peso amount, nil when it has more than two decimals or does not fit.
    public static func minorUnits(_ value: Decimal) -> Int64? {
        var scaled = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, abs(rounded) < Decimal(Int64(1) << 53) else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}
