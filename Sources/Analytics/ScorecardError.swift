import CarteraCore

/// Why a scorecard could not be trained: each case has a machine-readable `code` and a Spanish `message` that says
/// what to fix.
public enum ScorecardError: CarteraError, Equatable {
    case empty
    case noVariables
    case duplicateVariable(String)
    case noTarget(String, columns: [String])
    case missingOutcome(row: Int)
    case outcomeCount(rows: Int, outcomes: Int)
    case raggedRow(row: Int, expected: Int, found: Int)
    /// Every row is good, or every row is bad (in the data or in its training part).
    case oneClass(bads: Int, rows: Int)
    /// No variable reached the minimum information value.
    case noUsefulVariable(minimumIV: Double)
    /// The regression could not be fitted (the variables are collinear).
    case fitFailed

    public var code: String {
        switch self {
        case .empty: "scoring_data_empty"
        case .noVariables: "scoring_no_variables"
        case .duplicateVariable: "scoring_duplicate_variable"
        case .noTarget: "scoring_target_not_found"
        case .missingOutcome: "scoring_missing_outcome"
        case .outcomeCount: "scoring_outcome_count"
        case .raggedRow: "scoring_ragged_row"
        case .oneClass: "scoring_one_class"
        case .noUsefulVariable: "scoring_no_useful_variable"
        case .fitFailed: "scoring_fit_failed"
        }
    }

    public var message: String {
        switch self {
        case .empty:
            "El archivo no tiene filas de datos. Use un CSV con encabezado y una fila por solicitud."
        case .noVariables:
            "El archivo solo tiene la columna objetivo. Agregue las columnas con las características de cada solicitud."
        case .duplicateVariable(let name):
            "La columna «\(name)» aparece dos veces en el encabezado. Cambie el nombre de una de ellas."
        case .noTarget(let target, let columns):
            "No hay una columna «\(target)». Columnas del archivo: \(columns.joined(separator: ", ")). Indíquela con --target."
        case .missingOutcome(let row):
            "La fila \(row) no tiene valor en la columna objetivo. Complete el resultado o quite la fila."
        case .outcomeCount(let rows, let outcomes):
            "Hay \(rows) filas y \(outcomes) resultados; deben coincidir."
        case .raggedRow(let row, let expected, let found):
            "La fila \(row) tiene \(found) columnas y el encabezado \(expected). Revise separadores y comillas en esa fila."
        case .oneClass(let bads, let rows):
            "De \(rows) filas, \(bads) son malas: se necesitan buenas y malas para entrenar. Revise la columna objetivo y el valor de --bad."
        case .noUsefulVariable(let minimum):
            "Ninguna variable alcanza el valor de información mínimo (\(minimum)). Agregue variables o más historia."
        case .fitFailed:
            "No se pudo ajustar la regresión: hay variables que se repiten entre sí. Quite una de las variables redundantes."
        }
    }
}
