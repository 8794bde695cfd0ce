import ArgumentParser
import Foundation

/// A report or tape the command line writes only when it validated.
enum GeneratedFile {
    /// Writes `text` to `output`; without a text (it did not validate) prints `issues` on standard error (or runs
    /// `printJSON` with `--json`) and refuses with `refusal`, writing nothing.
    static func write(_ text: String?, issues: [String], to output: String, json: Bool, printJSON: () throws -> Void, refusal: String) throws {
        guard let text else {
            if json { try printJSON() } else {
                for issue in issues { FileHandle.standardError.write(Data("✗ \(issue)\n".utf8)) }
            }
            throw ValidationError("\(refusal): no se escribió «\(output)». Corrija lo indicado y vuelva a generarlo.")
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
            throw ValidationError("No se pudo escribir «\(output)»: \(error.localizedDescription). Revise la carpeta y sus permisos.")
        }
    }
}
