import Compliance
import Foundation
import Testing

@Suite("Risk inputs: a client's data as risk-matrix values")
struct RiskInputsTests {
    static let catalogs = RiskCatalogs(
        states: ["VZ": "media", "BC": "alta_frontera_puerto"], activities: ["Comerciante": "medio"], products: ["NOMINA": "nomina", "PYME": "empresarial"],
        fatfCountries: ["KP"]
    )

    @Test("Values come from the data and the catalogues; gaps stay unknown; of two products the heavier counts; lists and PEP matches cannot be declared away")
    func values() throws {
        var inputs = RiskInputs(isCompany: false, nationality: "MX", residenceCountry: "MX", state: "vz", activity: "COMERCIANTE", productCodes: ["NOMINA", "PYME"])
        var values = inputs.values(catalogs: Self.catalogs, matrix: .starting)
        #expect(values == [
            "residencia": "mx_residente", "geografia": "media", "actividad": "medio", "producto": "empresarial", "pep": "no", "listas": "sin_coincidencia",
            "comportamiento": "sin_alertas",
        ])
        // Unknown tipo_cliente, canal and perfil count their highest points: 20 + 10 + 10, plus 5 + 10 + 10 = 65 → alto.
        #expect(RiskMatrix.starting.assess(values).points == 65 && RiskMatrix.starting.assess(values).grade == .high)

        inputs.declared = ["tipo_cliente": "pf_asalariado", "canal": "sucursal_biometria", "listas": "sin_coincidencia", "pep": "no"]
        inputs.declaredProfile = true
        values = inputs.values(catalogs: Self.catalogs, matrix: .starting)
        #expect(RiskMatrix.starting.assess(values).points == 25 && RiskMatrix.starting.assess(values).grade == .medium)

        inputs.pendingListMatch = true
        inputs.confirmedPEP = true
        inputs.unusualAlertsLast12Months = 2
        values = inputs.values(catalogs: Self.catalogs, matrix: .starting)
        #expect(values["listas"] == "coincidencia_en_revision" && values["pep"] == "nacional_o_familiar" && values["comportamiento"] == "alertas_12_meses")
        // Linked to a high-risk client as well: both count.
        var linked = inputs
        linked.linkedToHighRisk = true
        #expect(linked.values(catalogs: Self.catalogs, matrix: .starting)["comportamiento"] == "ambos")
        linked.unusualAlertsLast12Months = 0
        #expect(linked.values(catalogs: Self.catalogs, matrix: .starting)["comportamiento"] == "vinculado_alto_riesgo")
        let graded = RiskMatrix.starting.assess(values)
        #expect(graded.points == 85 && graded.grade == .high && graded.reasons.first == "Listas: coincidencia_en_revision (30 puntos)")

        let foreign = RiskInputs(isCompany: true, nationality: "KP", residenceCountry: "MX", state: "BC", activity: "Otra", declared: ["residencia": "mx_residente"])
        let foreignValues = foreign.values(catalogs: Self.catalogs, matrix: .starting)
        // Catalogues read from JSON (as published) are normalised as the initializer does.
        let decoded = try JSONDecoder().decode(RiskCatalogs.self, from: Data(#"{"states":{"vz":"media"},"activities":{"Comerciante":"medio"},"products":{},"fatfCountries":["kp"]}"#.utf8))
        #expect(decoded == RiskCatalogs(states: ["VZ": "media"], activities: ["comerciante": "medio"], fatfCountries: ["KP"]))
        #expect(inputs.values(catalogs: decoded, matrix: .starting)["actividad"] == "medio" && inputs.values(catalogs: decoded, matrix: .starting)["geografia"] == "media")
        #expect(foreignValues["residencia"] == "pais_gafi_accion" && foreignValues["tipo_cliente"] == "pm" && foreignValues["actividad"] == nil && foreignValues["perfil"] == nil)
    }
}
