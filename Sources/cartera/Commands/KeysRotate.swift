import App
import ArgumentParser
import CarteraCore
import CarteraSecurity
import Foundation
import Store

extension KeysCommand {
    /// `cartera keys rotate`: a new personal-data key, and every stored value re-encrypted with it.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crea una llave nueva para los datos personales y vuelve a cifrar con ella todo lo guardado.",
            discussion: """
                Con el archivo de llaves (CARTERA_KEY_FILE), agrega la llave nueva al archivo y la hace vigente; las \
                anteriores se conservan para leer. Los servidores en marcha la adoptan solos en unos segundos, y el \
                comando repasa hasta que no quede nada cifrado con una llave anterior. Con llaves en CARTERA_DATA_KEYS, \
                agregue la llave nueva en todas las instancias, indíquela en CARTERA_DATA_KEY_CURRENT, reinícielas y \
                ejecute este comando con --reencrypt-only.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "No crea llave nueva: solo vuelve a cifrar con la llave vigente lo que esté con llaves anteriores (o sin cifrar).")
        var reencryptOnly = false

        @Option(help: "Filas por transacción.")
        var batchSize = 500

        @Option(help: "Segundos de espera entre repasos, para que los servidores en marcha adopten la llave nueva.")
        var settleSeconds = Int(LiveKeys.recheckSeconds) + 5

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        struct Summary: Encodable {
            let current_key: String
            let new_key: Bool
            let passes: Int
            let reencrypted: [String: Int]
        }

        func run() async throws {
            let configuration = try global.configuration()
            let environment = ProcessInfo.processInfo.environment
            var (ring, source) = try KeyStore.load(environment: environment)
            if !reencryptOnly {
                guard case .file(let path, _) = source else {
                    throw RotationRefused(
                        message: "Las llaves vienen de CARTERA_DATA_KEYS. Agregue la llave nueva en todas las instancias, indíquela en CARTERA_DATA_KEY_CURRENT, reinícielas y ejecute: cartera keys rotate --reencrypt-only"
                    )
                }
                ring = try KeyStore.addKey(path: path)
                if !json { print("Llave nueva «\(ring.currentKeyID)» agregada a \(path) y vigente; las anteriores se conservan para leer.") }
            }
            let finalRing = ring
            let terminal = Terminal.progressVisible
            let progress: @Sendable (String, Int) -> Void = { column, done in
                if terminal { Terminal.progress("  \(column): \(done) valores") }
            }
            var total: [String: Int] = [:]
            var passes = 0
            try await withMigratedDatabase(configuration) { database in
                // Servers write with the key they know; repeat until a pass after they adopted the new key finds nothing.
                while passes < 6 {
                    passes += 1
                    let moved = try await KeyRotation.reencrypt(database: database, ring: finalRing, batchSize: batchSize, progress: progress)
                    if terminal { Terminal.progress("") }
                    for (column, count) in moved { total[column, default: 0] += count }
                    let movedNow = moved.values.reduce(0, +)
                    if reencryptOnly || (passes > 1 && movedNow == 0) || settleSeconds == 0 { break }
                    if !json { print("Repaso \(passes): \(movedNow) valores. Espero \(settleSeconds) s a que los servidores adopten la llave…") }
                    try await Task.sleep(for: .seconds(settleSeconds))
                }
                let now = Timestamp.now
                let totals = total
                try await database.transaction { db in
                    try await AuditLog.append(
                        .draft(at: now, actorKind: .system, actorID: "cli", action: reencryptOnly ? "config.data_key.reencrypt" : "config.data_key.rotate",
                               objectType: "data_key", objectID: finalRing.currentKeyID, outcome: .success,
                               changeDigest: AuditChain.digest(Array(totals.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",").utf8))),
                        on: db
                    )
                }
            }
            let summary = Summary(current_key: finalRing.currentKeyID, new_key: !reencryptOnly, passes: passes, reencrypted: total)
            if json {
                try Terminal.printJSON(summary)
            } else {
                print("Llave vigente: \(summary.current_key). Valores cifrados de nuevo en \(passes) repaso(s):")
                for (column, count) in total.sorted(by: { $0.key < $1.key }) { print("  \(column): \(count)") }
            }
        }
    }

    struct RotationRefused: CarteraError {
        let message: String
        var code: String { "key_rotation_refused" }
    }
}
