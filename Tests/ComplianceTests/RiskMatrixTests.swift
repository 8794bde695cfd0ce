import Compliance
import Foundation
import Testing

@Suite("Client risk matrix: points, bands, floors, unknown values")
struct RiskMatrixTests {
    static let ordinary = [
        "tipo_cliente": "pf_asalariado", "residencia": "mx_residente", "geografia": "baja", "actividad": "bajo", "producto": "nomina",
        "canal": "sucursal_biometria", "pep": "no", "listas": "sin_coincidencia", "perfil": "dentro", "comportamiento": "sin_alertas",
    ]

    @Test("Bands at their edges: 19 points bajo, 20 medio, 39 medio, 40 alto")
    func bands() {
        let matrix = RiskMatrix.starting
        #expect(matrix.assess(Self.ordinary).grade == .low && matrix.assess(Self.ordinary).points == 0)
        func graded(_ changes: [String: String]) -> (Int, RiskGrade) {
            let assessment = matrix.assess(Self.ordinary.merging(changes) { $1 })
            return (assessment.points, assessment.grade)
        }
        #expect(graded(["geografia": "alta"]) == (15, .low))
        #expect(graded(["geografia": "alta", "canal": "remoto_video"]) == (20, .medium))
        #expect(graded(["geografia": "alta", "actividad": "medio", "canal": "remoto_video", "producto": "nomina"]) == (30, .medium))
        #expect(graded(["geografia": "alta", "actividad": "medio", "canal": "remoto_video", "producto": "personal", "perfil": "dentro"]) == (35, .medium))
        #expect(graded(["geografia": "alta", "actividad": "alto"]) == (40, .high))
        let edges = try! RiskMatrix(version: 2, factors: [.init(key: "x", label: "X", points: ["a": 19, "b": 20, "c": 39, "d": 40])], mediumFrom: 20, highFrom: 40)
        #expect(["a", "b", "c", "d"].map { edges.assess(["x": $0]).grade } == [.low, .medium, .medium, .high])
    }

    @Test("A foreign PEP is alto by its floor with few points, and the reasons say so first; a national PEP only adds points")
    func floors() {
        let foreign = RiskMatrix.starting.assess(Self.ordinary.merging(["pep": "extranjero"]) { $1 })
        #expect(foreign.points == 30 && foreign.pointsGrade == .medium && foreign.grade == .high)
        #expect(foreign.reasons.first == "Persona políticamente expuesta: extranjero (mínimo alto)")
        let national = RiskMatrix.starting.assess(Self.ordinary.merging(["pep": "nacional_o_familiar"]) { $1 })
        #expect(national.grade == .medium && national.parts.first { $0.factor == "pep" }?.floor == nil)
        #expect(RiskMatrix.starting.assess(Self.ordinary.merging(["listas": "coincidencia_en_revision"]) { $1 }).grade == .high)
    }

    @Test("A missing or unknown value counts the factor's highest points (or its own unknown points) and is named in the reasons")
    func unknown() {
        var values = Self.ordinary
        values["actividad"] = nil
        let missing = RiskMatrix.starting.assess(values)
        #expect(missing.points == 25 && missing.grade == .medium)
        #expect(missing.reasons == ["Actividad económica: sin dato (25 puntos, valor no reconocido)"])
        // A missing factor with a floor takes its highest floor: no list screening means no lower grade.
        var unscreened = Self.ordinary
        unscreened["listas"] = nil
        #expect(RiskMatrix.starting.assess(unscreened).grade == .high)
        values["actividad"] = "casa de cambio"
        #expect(RiskMatrix.starting.assess(values).parts.first { $0.factor == "actividad" }?.unknown == true)
        let lenient = try! RiskMatrix(version: 1, factors: [.init(key: "x", label: "X", points: ["a": 0, "b": 50], unknownPoints: 5)], mediumFrom: 10, highFrom: 20)
        #expect(lenient.assess([:]).points == 5)
    }

    @Test("The matrix is data: it survives JSON with its version; a bad one is refused with what to fix")
    func data() throws {
        let json = try JSONEncoder().encode(RiskMatrix.starting)
        let decoded = try JSONDecoder().decode(RiskMatrix.self, from: json)
        #expect(decoded == RiskMatrix.starting && decoded.assess(Self.ordinary) == RiskMatrix.starting.assess(Self.ordinary))
        #expect(throws: RiskMatrix.Invalid(message: "Los umbrales deben crecer: medio desde 40, alto desde 20. Use medio > 0 y alto > medio.")) {
            try RiskMatrix(version: 1, factors: [.init(key: "x", label: "X", points: ["a": 1])], mediumFrom: 40, highFrom: 20)
        }
        #expect(throws: RiskMatrix.Invalid(message: "El factor «x» falta o se repite.")) {
            try RiskMatrix(version: 1, factors: [.init(key: "x", label: "X", points: ["a": 1]), .init(key: "x", label: "Y", points: ["b": 1])], mediumFrom: 1, highFrom: 2)
        }
        #expect(throws: RiskMatrix.Invalid(message: "El piso del factor «x» nombra el valor «z», que no tiene puntos.")) {
            try RiskMatrix(version: 1, factors: [.init(key: "x", label: "X", points: ["a": 1], floors: ["z": .high])], mediumFrom: 1, highFrom: 2)
        }
        let broken = Data(#"{"version":1,"factors":[{"key":"x","label":"X","points":{"a":-5},"floors":{}}],"mediumFrom":1,"highFrom":2}"#.utf8)
        #expect(throws: RiskMatrix.Invalid.self) { try JSONDecoder().decode(RiskMatrix.self, from: broken) }
    }
}
