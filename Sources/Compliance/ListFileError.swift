import CarteraCore

/// A list file (OFAC's SDN CSV, a lender's own list CSV) that could not be read: the line and what is wrong. One bad
/// line rejects the whole file, so a list is never imported in part.
public struct ListFileError: CarteraError, Equatable {
    public let line: Int
    public let reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var code: String { "list_file_invalid" }
    public var message: String {
        "La lista no se pudo leer en la línea \(line): \(reason). Corrija el archivo (o descárguelo de nuevo) y vuelva a importarlo."
    }
}
