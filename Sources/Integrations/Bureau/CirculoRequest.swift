import Foundation

/// A query for Círculo de Crédito's "Reporte de Crédito Consolidado con FICO Score" (`POST /v2/rccficoscore`): the
/// person and their address, with the JSON keys Círculo expects (`RFC`, `CURP`, `CP` in upper case).
///
/// Círculo matches people by text, so names and address go in upper case, without accents or Ñ, and without
/// `, \ - / ; : ! ?` — `cleaned()` applies those rules, and `CirculoClient` always sends the cleaned form. Empty
/// values are left out of the JSON, so a blank field reaches Círculo as a missing one.
public struct CirculoRequest: Codable, Sendable, Equatable {
    public struct Domicilio: Codable, Sendable, Equatable {
        /// Street, number and interior number.
        public var direccion: String
        public var coloniaPoblacion: String
        public var delegacionMunicipio: String
        public var ciudad: String
        /// Círculo's state code: `CDMX`, `JAL`, `VER`…
        public var estado: String
        /// Código postal (`CP`).
        public var cp: String

        public init(direccion: String, coloniaPoblacion: String, delegacionMunicipio: String, ciudad: String, estado: String, cp: String) {
            self.direccion = direccion
            self.coloniaPoblacion = coloniaPoblacion
            self.delegacionMunicipio = delegacionMunicipio
            self.ciudad = ciudad
            self.estado = estado
            self.cp = cp
        }

        enum CodingKeys: String, CodingKey {
            case direccion, coloniaPoblacion, delegacionMunicipio, ciudad, estado
            case cp = "CP"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            direccion = try container.decodeIfPresent(String.self, forKey: .direccion) ?? ""
            coloniaPoblacion = try container.decodeIfPresent(String.self, forKey: .coloniaPoblacion) ?? ""
            delegacionMunicipio = try container.decodeIfPresent(String.self, forKey: .delegacionMunicipio) ?? ""
            ciudad = try container.decodeIfPresent(String.self, forKey: .ciudad) ?? ""
            estado = try container.decodeIfPresent(String.self, forKey: .estado) ?? ""
            cp = try container.decodeIfPresent(String.self, forKey: .cp) ?? ""
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeUnlessEmpty(direccion, forKey: .direccion)
            try container.encodeUnlessEmpty(coloniaPoblacion, forKey: .coloniaPoblacion)
            try container.encodeUnlessEmpty(delegacionMunicipio, forKey: .delegacionMunicipio)
            try container.encodeUnlessEmpty(ciudad, forKey: .ciudad)
            try container.encodeUnlessEmpty(estado, forKey: .estado)
            try container.encodeUnlessEmpty(cp, forKey: .cp)
        }

        /// The address with Círculo's text rules applied (`cp` keeps its digits only).
        public func cleaned() -> Domicilio {
            Domicilio(
                direccion: CirculoRequest.clean(direccion), coloniaPoblacion: CirculoRequest.clean(coloniaPoblacion),
                delegacionMunicipio: CirculoRequest.clean(delegacionMunicipio), ciudad: CirculoRequest.clean(ciudad), estado: CirculoRequest.clean(estado),
                cp: String(cp.filter { $0.isASCII && $0.isNumber })
            )
        }
    }

    public var apellidoPaterno: String
    public var apellidoMaterno: String
    public var primerNombre: String
    public var segundoNombre: String?
    /// `AAAA-MM-DD`.
    public var fechaNacimiento: String
    public var rfc: String
    public var curp: String?
    /// `MX` for Mexicans.
    public var nacionalidad: String
    public var domicilio: Domicilio
    /// The lender's own folio for this query (at most 25 characters); Círculo answers it back as `folioConsultaOtorgante`.
    public var folioOtorgante: String

    /// The longest `folioOtorgante` Círculo takes.
    public static let maximumFolioLength = 25

    public init(
        apellidoPaterno: String, apellidoMaterno: String, primerNombre: String, segundoNombre: String? = nil, fechaNacimiento: String, rfc: String,
        curp: String? = nil, nacionalidad: String = "MX", domicilio: Domicilio, folioOtorgante: String
    ) {
        self.apellidoPaterno = apellidoPaterno
        self.apellidoMaterno = apellidoMaterno
        self.primerNombre = primerNombre
        self.segundoNombre = segundoNombre
        self.fechaNacimiento = fechaNacimiento
        self.rfc = rfc
        self.curp = curp
        self.nacionalidad = nacionalidad
        self.domicilio = domicilio
        self.folioOtorgante = folioOtorgante
    }

    enum CodingKeys: String, CodingKey {
        case apellidoPaterno, apellidoMaterno, primerNombre, segundoNombre, fechaNacimiento, nacionalidad, domicilio, folioOtorgante
        case rfc = "RFC"
        case curp = "CURP"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apellidoPaterno = try container.decodeIfPresent(String.self, forKey: .apellidoPaterno) ?? ""
        apellidoMaterno = try container.decodeIfPresent(String.self, forKey: .apellidoMaterno) ?? ""
        primerNombre = try container.decodeIfPresent(String.self, forKey: .primerNombre) ?? ""
        segundoNombre = try container.decodeIfPresent(String.self, forKey: .segundoNombre)
        fechaNacimiento = try container.decodeIfPresent(String.self, forKey: .fechaNacimiento) ?? ""
        rfc = try container.decodeIfPresent(String.self, forKey: .rfc) ?? ""
        curp = try container.decodeIfPresent(String.self, forKey: .curp)
        nacionalidad = try container.decodeIfPresent(String.self, forKey: .nacionalidad) ?? ""
        domicilio =
            try container.decodeIfPresent(Domicilio.self, forKey: .domicilio)
            ?? Domicilio(direccion: "", coloniaPoblacion: "", delegacionMunicipio: "", ciudad: "", estado: "", cp: "")
        folioOtorgante = try container.decodeIfPresent(String.self, forKey: .folioOtorgante) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeUnlessEmpty(apellidoPaterno, forKey: .apellidoPaterno)
        try container.encodeUnlessEmpty(apellidoMaterno, forKey: .apellidoMaterno)
        try container.encodeUnlessEmpty(primerNombre, forKey: .primerNombre)
        try container.encodeUnlessEmpty(segundoNombre ?? "", forKey: .segundoNombre)
        try container.encodeUnlessEmpty(fechaNacimiento, forKey: .fechaNacimiento)
        try container.encodeUnlessEmpty(rfc, forKey: .rfc)
        try container.encodeUnlessEmpty(curp ?? "", forKey: .curp)
        try container.encodeUnlessEmpty(nacionalidad, forKey: .nacionalidad)
        try container.encode(domicilio, forKey: .domicilio)
        try container.encodeUnlessEmpty(folioOtorgante, forKey: .folioOtorgante)
    }

    /// The query as Círculo wants it: names and address cleaned (`clean(_:)`), RFC, CURP and nationality in upper case
    /// without spaces, the folio trimmed.
    public func cleaned() -> CirculoRequest {
        func identifier(_ text: String) -> String { String(text.uppercased().filter { !$0.isWhitespace }) }
        let second = segundoNombre.map(Self.clean)
        let curp = curp.map(identifier)
        return CirculoRequest(
            apellidoPaterno: Self.clean(apellidoPaterno), apellidoMaterno: Self.clean(apellidoMaterno), primerNombre: Self.clean(primerNombre),
            segundoNombre: second?.isEmpty == true ? nil : second, fechaNacimiento: fechaNacimiento.trimmingCharacters(in: .whitespacesAndNewlines),
            rfc: identifier(rfc), curp: curp?.isEmpty == true ? nil : curp, nacionalidad: identifier(nacionalidad), domicilio: domicilio.cleaned(),
            folioOtorgante: folioOtorgante.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    /// Characters Círculo does not take in names and addresses.
    static let removed: Set<Character> = [",", "\\", "-", "/", ";", ":", "!", "?"]

    /// `text` by Círculo's rules: accents and other marks dropped (Ñ becomes N, Ü becomes U), upper case, the characters
    /// `, \ - / ; : ! ?` taken out (each leaves a space, so "MARÍA-JOSÉ" reads "MARIA JOSE" and "5/7" does not become
    /// "57"), and runs of spaces collapsed to one, with none at either end.
    public static func clean(_ text: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: folded.append(scalar)
            }
        }
        var out = ""
        var pendingSpace = false
        for character in String(folded).uppercased() {
            if character.isWhitespace || removed.contains(character) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }
}

extension KeyedEncodingContainer {
    /// Encodes `text` unless it is empty (Círculo reads a present empty value as invalid, an absent one as missing).
    mutating func encodeUnlessEmpty(_ text: String, forKey key: Key) throws {
        if !text.isEmpty { try encode(text, forKey: key) }
    }
}
