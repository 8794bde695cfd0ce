import CarteraCore
import Foundation

extension CirculoReport {
    /// What a scorecard can use of the report, by variable name: `circulo_score` (FICO), `circulo_cuentas_abiertas`,
    /// `circulo_cuentas_con_atraso` (accounts not al corriente now), `circulo_peor_atraso` (worst payments late on any
    /// account), `circulo_saldo_vencido` (whole pesos past due, summed) and `circulo_consultas_12m` (queries in the 365
    /// days before `today`). Values are text, as in a training file.
    public func scoringVariables(today: CalendarDate) -> [String: String] {
        // Whole numbers; an amount with centavos counts its whole pesos (rounded half up).
        func number(_ text: String?) -> Int64 {
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
            if let whole = Int64(trimmed) { return whole }
            guard let money = try? Money(parsing: trimmed) else { return 0 }
            return (money.minorUnits + 50) / 100
        }
        let open = creditos.filter { ($0.fechaCierreCuenta ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        let late = creditos.filter { credit in
            let current = (credit.pagoActual ?? "").trimmingCharacters(in: .whitespaces)
            return !current.isEmpty && current != "V" && current != "01"
        }
        let since = today.adding(days: -365)
        let recent = consultas.filter { consulta in consulta.fechaConsulta.flatMap(CalendarDate.init(text:)).map { $0 >= since && $0 <= today } ?? false }
        return [
            "circulo_score": ficoScore.map(String.init) ?? "",
            "circulo_cuentas_abiertas": String(open.count),
            "circulo_cuentas_con_atraso": String(late.count),
            "circulo_peor_atraso": String(creditos.map { number($0.peorAtraso) }.max() ?? 0),
            "circulo_saldo_vencido": String(creditos.map { number($0.saldoVencido) }.reduce(0, +)),
            "circulo_consultas_12m": String(recent.count),
        ]
    }
}
