import CarteraCore

/// A statement file that cannot be read, with where the trouble is (a line, or an element's path).
public struct StatementError: CarteraError, Equatable {
    public let code: String
    /// What is wrong, in Spanish.
    public let reason: String
    /// `línea 12` or `Stmt[2]/Ntry[3]/Amt`: where to look in the file.
    public let location: String?

    public init(_ code: String, _ reason: String, at location: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
    }

    public var message: String {
        let place = location.map { " (\($0))" } ?? ""
        return "No se pudo leer el estado de cuenta\(place): \(reason) Revise que el archivo esté completo y sea del formato indicado; no se guardó nada."
    }
}
