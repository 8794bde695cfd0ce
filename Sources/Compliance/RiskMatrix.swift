/// The client risk grade of the PLD risk-based approach.
public enum RiskGrade: String, Sendable, Codable, Comparable, CaseIterable {
    case low = "bajo"
    case medium = "medio"
    case high = "alto"

    var rank: Int { self == .low ? 0 : self == .medium ? 1 : 2 }
    public static func < (lhs: RiskGrade, rhs: RiskGrade) -> Bool { lhs.rank < rhs.rank }
}

/// A configurable, versioned client risk matrix: each factor (person type, nationality, state, activity, product,
/// channel, PEP, list matches, transactional profile, linked clients…) gives points by the client's value for it, and
/// may set a floor (a foreign PEP is at least alto whatever the points). Points add up; the grade is the band the sum
/// falls in (`mediumFrom`, `highFrom`), raised to the highest floor. A value the matrix does not know, or a missing one,
/// counts the factor's `unknownPoints` (by default its highest) and its highest floor, so a gap never lowers the grade. The matrix is data a
/// compliance officer edits (JSON); every assessment names the version and the factors that produced it.
public struct RiskMatrix: Sendable, Hashable, Codable {
    public struct Factor: Sendable, Hashable, Codable {
        public let key: String
        public let label: String
        public let points: [String: Int]
        public let floors: [String: RiskGrade]
        public let unknownPoints: Int?

        public init(key: String, label: String, points: [String: Int], floors: [String: RiskGrade] = [:], unknownPoints: Int? = nil) {
            self.key = key
            self.label = label
            self.points = points
            self.floors = floors
            self.unknownPoints = unknownPoints
        }
    }

    public let version: Int
    public let factors: [Factor]
    public let mediumFrom: Int
    public let highFrom: Int

    public struct Invalid: Error, Equatable, Sendable {
        public let message: String

        public init(message: String) { self.message = message }
    }

    public init(version: Int, factors: [Factor], mediumFrom: Int, highFrom: Int) throws(Invalid) {
        guard version > 0 else { throw Invalid(message: "La versión de la matriz debe ser 1 o mayor.") }
        guard !factors.isEmpty else { throw Invalid(message: "La matriz no tiene factores.") }
        guard mediumFrom > 0, highFrom > mediumFrom else {
            throw Invalid(message: "Los umbrales deben crecer: medio desde \(mediumFrom), alto desde \(highFrom). Use medio > 0 y alto > medio.")
        }
        var keys: Set<String> = []
        for factor in factors {
            guard !factor.key.isEmpty, keys.insert(factor.key).inserted else { throw Invalid(message: "El factor «\(factor.key)» falta o se repite.") }
            guard !factor.points.isEmpty else { throw Invalid(message: "El factor «\(factor.key)» no tiene valores con puntos.") }
            guard factor.points.values.allSatisfy({ $0 >= 0 }), (factor.unknownPoints ?? 0) >= 0 else {
                throw Invalid(message: "El factor «\(factor.key)» tiene puntos negativos; use 0 o más.")
            }
            for value in factor.floors.keys where factor.points[value] == nil {
                throw Invalid(message: "El piso del factor «\(factor.key)» nombra el valor «\(value)», que no tiene puntos.")
            }
        }
        self.version = version
        self.factors = factors
        self.mediumFrom = mediumFrom
        self.highFrom = highFrom
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            version: try container.decode(Int.self, forKey: .version), factors: try container.decode([Factor].self, forKey: .factors),
            mediumFrom: try container.decode(Int.self, forKey: .mediumFrom), highFrom: try container.decode(Int.self, forKey: .highFrom)
        )
    }

    /// One factor's part of an assessment.
    public struct Part: Sendable, Hashable, Codable {
        public let factor: String
        public let label: String
        /// The client's value; nil when missing.
        public let value: String?
        public let points: Int
        /// Whether the value is not in the matrix (or missing) and the factor's unknown points were counted.
        public let unknown: Bool
        public let floor: RiskGrade?
    }

    public struct Assessment: Sendable, Hashable, Codable {
        public let matrixVersion: Int
        public let points: Int
        /// The band of the points alone.
        public let pointsGrade: RiskGrade
        public let grade: RiskGrade
        public let parts: [Part]

        public init(matrixVersion: Int, points: Int, pointsGrade: RiskGrade, grade: RiskGrade, parts: [Part]) {
            self.matrixVersion = matrixVersion
            self.points = points
            self.pointsGrade = pointsGrade
            self.grade = grade
            self.parts = parts
        }

        /// The factors that raised the grade most, for a person: floors first, then points, highest first.
        public var reasons: [String] {
            let floors = parts.filter { $0.floor != nil && $0.floor! > pointsGrade }.map { "\($0.label): \($0.value ?? "sin dato") (mínimo \($0.floor!.rawValue))" }
            let weighed = parts.filter { $0.points > 0 }.sorted { ($0.points, $1.factor) > ($1.points, $0.factor) }
                .map { "\($0.label): \($0.value ?? "sin dato") (\($0.points) puntos\($0.unknown ? ", valor no reconocido" : ""))" }
            return floors + weighed
        }
    }

    /// Grades a client from its value for each factor (by factor key).
    public func assess(_ values: [String: String]) -> Assessment {
        var total = 0
        var floor = RiskGrade.low
        var parts: [Part] = []
        for factor in factors {
            let value = values[factor.key].flatMap { $0.isEmpty ? nil : $0 }
            let known = value.flatMap { factor.points[$0] }
            let points = known ?? factor.unknownPoints ?? factor.points.values.max() ?? 0
            // An unknown or missing value takes the factor's highest floor too: a gap never lowers the grade.
            let factorFloor = known == nil ? factor.floors.values.max() : value.flatMap { factor.floors[$0] }
            if let factorFloor, factorFloor > floor { floor = factorFloor }
            total += points
            parts.append(Part(factor: factor.key, label: factor.label, value: value, points: points, unknown: known == nil, floor: factorFloor))
        }
        let banded: RiskGrade = total >= highFrom ? .high : total >= mediumFrom ? .medium : .low
        return Assessment(matrixVersion: version, points: total, pointsGrade: banded, grade: max(banded, floor), parts: parts)
    }

    /// An illustrative starting matrix (`compliance.md` §3.1: weights are NOT regulatory; the compliance officer sets
    /// them): bajo under 20 points, medio from 20, alto from 40; foreign PEPs, residents of FATF call-for-action
    /// countries and unresolved list matches at least alto.
    public static let starting: RiskMatrix = try! RiskMatrix(
        version: 1,
        factors: [
            Factor(key: "tipo_cliente", label: "Tipo de cliente", points: ["pf_asalariado": 0, "pf_actividad_empresarial": 5, "pm": 10, "pm_estructura_compleja": 20]),
            Factor(
                key: "residencia", label: "Nacionalidad y residencia", points: ["mx_residente": 0, "extranjero_residente": 10, "pais_gafi_accion": 30],
                floors: ["pais_gafi_accion": .high]
            ),
            Factor(key: "geografia", label: "Entidad federativa", points: ["baja": 0, "media": 5, "alta": 15, "alta_frontera_puerto": 20]),
            Factor(key: "actividad", label: "Actividad económica", points: ["bajo": 0, "medio": 10, "alto": 25]),
            Factor(key: "producto", label: "Producto", points: ["nomina": 0, "personal": 5, "empresarial": 10, "arrendamiento_factoraje": 15, "garantizado_alto_valor": 10]),
            Factor(key: "canal", label: "Canal", points: ["sucursal_biometria": 0, "remoto_video": 5, "comisionista": 10]),
            Factor(
                key: "pep", label: "Persona políticamente expuesta", points: ["no": 0, "nacional_o_familiar": 20, "extranjero": 30],
                floors: ["extranjero": .high]
            ),
            Factor(
                key: "listas", label: "Listas", points: ["sin_coincidencia": 0, "medios_adversos": 15, "coincidencia_en_revision": 30],
                floors: ["coincidencia_en_revision": .high]
            ),
            Factor(key: "perfil", label: "Perfil transaccional", points: ["dentro": 0, "sobre_ingreso": 10, "efectivo_intensivo": 10]),
            Factor(key: "comportamiento", label: "Alertas y vínculos", points: ["sin_alertas": 0, "alertas_12_meses": 10, "vinculado_alto_riesgo": 10, "ambos": 20]),
        ],
        mediumFrom: 20, highFrom: 40
    )
}
