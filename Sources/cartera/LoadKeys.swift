import App
import Foundation

/// The personal-data keys for a command, telling the person when the key file was just created.
func loadKeys() throws -> LiveKeys {
    let keys = try LiveKeys(environment: ProcessInfo.processInfo.environment)
    if case .file(let path, created: true)? = keys.source {
        FileHandle.standardError.write(Data(
            "Se creó el archivo de llaves de cifrado \(path) (permisos 600). Respáldelo en un lugar seguro: sin él no se pueden leer los datos personales.\n".utf8
        ))
    }
    return keys
}
