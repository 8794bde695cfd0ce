/// The lender's catalogues that turn a client's data into risk-matrix values: the band of each state (CURP key), of
/// each occupation or line of business, the value of each product, and the FATF call-for-action countries. Data a
/// compliance officer keeps up to date; a client whose state or activity is not in them is graded as unknown (the
/// factor's highest points).
public struct RiskCatalogs: Sendable, Hashable, Codable {
    /// CURP state key (`VZ`) → `geografia` value (`baja`, `media`, `alta`, `alta_frontera_puerto`).
    public var states: [String: String]
    /// Occupation or line of business (compared without accents or case) → `actividad` value (`bajo`, `medio`, `alto`).
    public var activities: [String: String]
    /// Product code → `producto` value (`nomina`, `personal`, `empresarial`, …).
    public var products: [String: String]
    /// ISO 3166-1 alpha-2 codes of FATF call-for-action countries.
    public var fatfCountries: Set<String>

    public init(states: [String: String] = [:], activities: [String: String] = [:], products: [String: String] = [:], fatfCountries: Set<String> = []) {
        self.states = Dictionary(states.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.activities = Dictionary(activities.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.products = products
        self.fatfCountries = Set(fatfCountries.map { $0.uppercased() })
    }

    static func key(_ text: String) -> String { NameText.fold(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }

    enum CodingKeys: String, CodingKey {
        case states, activities, products, fatfCountries
    }

    /// Read from JSON through the same normalisation as `init`: activities without accents or case, states and
    /// countries upper-case.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            states: Dictionary((try container.decodeIfPresent([String: String].self, forKey: .states) ?? [:]).map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a }),
            activities: try container.decodeIfPresent([String: String].self, forKey: .activities) ?? [:],
            products: try container.decodeIfPresent([String: String].self, forKey: .products) ?? [:],
            fatfCountries: Set((try container.decodeIfPresent(Set<String>.self, forKey: .fatfCountries) ?? []).map { $0.uppercased() })
        )
    }
}

/// What Cartera knows about a client that the risk matrix reads, gathered from its file, its lists, its loans, its
/// declared profile and its alerts, plus the values staff declared (channel, kind of persona física…).
public struct RiskInputs: Sendable, Hashable {
    public var isCompany: Bool
    public var nationality: String
    public var residenceCountry: String
    /// CURP state key of the address.
    public var state: String
    /// Occupation (persona física) or line of business (persona moral).
    public var activity: String
    public var productCodes: [String]
    /// A match on any list not yet reviewed.
    public var pendingListMatch: Bool
    /// A confirmed match on a blocking, sanctions or own list.
    public var confirmedListMatch: Bool
    /// A confirmed match on a PEP list.
    public var confirmedPEP: Bool
    public var unusualAlertsLast12Months: Int
    /// Whether the client declared a transactional profile, and whether it includes cash.
    public var declaredProfile: Bool
    public var declaresCash: Bool
    /// Whether the client's relationship component (shared phone, address, CLABE, representative…) holds another client
    /// with a confirmed list match, a suspension or a reportable PLD case.
    public var linkedToHighRisk: Bool
    /// Values staff declared by factor key; they fill what the data cannot say, but never lower what lists say.
    public var declared: [String: String]

    public init(
        isCompany: Bool, nationality: String, residenceCountry: String, state: String, activity: String, productCodes: [String] = [],
        pendingListMatch: Bool = false, confirmedListMatch: Bool = false, confirmedPEP: Bool = false, unusualAlertsLast12Months: Int = 0,
        declaredProfile: Bool = false, declaresCash: Bool = false, linkedToHighRisk: Bool = false, declared: [String: String] = [:]
    ) {
        self.linkedToHighRisk = linkedToHighRisk
        self.isCompany = isCompany
        self.nationality = nationality
        self.residenceCountry = residenceCountry
        self.state = state
        self.activity = activity
        self.productCodes = productCodes
        self.pendingListMatch = pendingListMatch
        self.confirmedListMatch = confirmedListMatch
        self.confirmedPEP = confirmedPEP
        self.unusualAlertsLast12Months = unusualAlertsLast12Months
        self.declaredProfile = declaredProfile
        self.declaresCash = declaresCash
        self.declared = declared
    }

    /// The value of each factor of the starting matrix's shape (`tipo_cliente`, `residencia`, `geografia`, `actividad`,
    /// `producto`, `canal`, `pep`, `listas`, `perfil`, `comportamiento`); a factor left out is graded as unknown. Of
    /// several products, the one `matrix` weighs most counts.
    public func values(catalogs: RiskCatalogs, matrix: RiskMatrix) -> [String: String] {
        var values = declared
        if values["tipo_cliente"] == nil, isCompany { values["tipo_cliente"] = "pm" }
        if catalogs.fatfCountries.contains(nationality) || catalogs.fatfCountries.contains(residenceCountry) {
            values["residencia"] = "pais_gafi_accion"
        } else if values["residencia"] == nil {
            values["residencia"] = residenceCountry == "MX" && nationality == "MX" ? "mx_residente" : "extranjero_residente"
        }
        if values["geografia"] == nil { values["geografia"] = catalogs.states[state.uppercased()] }
        if values["actividad"] == nil { values["actividad"] = catalogs.activities[RiskCatalogs.key(activity)] }
        if values["producto"] == nil {
            let weights = matrix.factors.first { $0.key == "producto" }?.points ?? [:]
            values["producto"] = productCodes.compactMap { catalogs.products[$0] }.max { (weights[$0] ?? 0, $1) < (weights[$1] ?? 0, $0) }
        }
        if confirmedPEP, values["pep"] == nil || values["pep"] == "no" { values["pep"] = "nacional_o_familiar" }
        if values["pep"] == nil { values["pep"] = "no" }
        if pendingListMatch || confirmedListMatch { values["listas"] = "coincidencia_en_revision" } else if values["listas"] == nil { values["listas"] = "sin_coincidencia" }
        if values["perfil"] == nil, declaredProfile { values["perfil"] = declaresCash ? "efectivo_intensivo" : "dentro" }
        if values["comportamiento"] == nil || unusualAlertsLast12Months > 0 || linkedToHighRisk {
            let linked = linkedToHighRisk || values["comportamiento"] == "vinculado_alto_riesgo" || values["comportamiento"] == "ambos"
            let alerted = unusualAlertsLast12Months > 0 || values["comportamiento"] == "alertas_12_meses" || values["comportamiento"] == "ambos"
            values["comportamiento"] = alerted ? (linked ? "ambos" : "alertas_12_meses") : (linked ? "vinculado_alto_riesgo" : "sin_alertas")
        }
        return values.filter { !$0.value.isEmpty }
    }
}
