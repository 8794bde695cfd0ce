import App
import ArgumentParser
import CarteraCore
import Foundation
import LoanCollections
import Logging
import Store

/// `cartera dunning-policy FILE`: saves a dunning ladder as the next version of its policy, for a product and/or segment.
struct DunningPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning-policy",
        abstract: "Guarda una política de cobranza (pasos por días desde el vencimiento) como nueva versión, para un producto o segmento.",
        discussion: """
            FILE es un JSON {"code": "temprana", "steps": [{"offsetDays": -3, "channel": "sms", "template": "recordatorio_previo", "priority": 0}, …]}. \
            Canales: sms, whatsapp, email, voice; plantillas: recordatorio_previo, aviso_vencimiento, atraso_temprano, atraso_7, atraso_15, atraso_30. \
            Cada crédito sigue la política más específica: producto y segmento, producto, segmento, general; sin ninguna, la estándar.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "El archivo JSON de la política.")
    var file: String

    @Option(help: "Sólo para los créditos de este producto.")
    var product: String?

    @Option(help: "Sólo para este segmento: puntual, tardio_ocasional, tardio_recurrente, en_riesgo, critico.")
    var segment: String?

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    struct Document: Decodable {
        let code: String
        let steps: [DunningPolicy.Step]
    }

    func run() async throws {
        let configuration = try global.configuration()
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("No se puede leer «\(file)».") }
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw ValidationError("«\(file)» no es una política: se espera {\"code\", \"steps\": [{\"offsetDays\", \"channel\", \"template\", \"priority\"}]} (\(error.localizedDescription)).")
        }
        var scope: BehaviourSegment?
        if let segment {
            guard let parsed = BehaviourSegment(rawValue: segment) else {
                throw ValidationError("Segmento desconocido «\(segment)»: use " + BehaviourSegment.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            scope = parsed
        }
        let saved = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.dunning-policy")) { database in
            let lenderID = try await EndOfDayClose(database: database, book: LoanBook(database: database)).lender(lender)
            do {
                return try await DunningPolicies.save(
                    code: document.code, steps: document.steps, productCode: product, segment: scope, lenderID: lenderID, actor: .commandLine, database: database, now: .now
                )
            } catch let refusal as CollectionRefusal { throw ValidationError(refusal.message) }
        }
        print("✓ Política «\(saved.code)» versión \(saved.version) guardada (\(saved.steps.count) pasos) para \(product.map { "el producto \($0)" } ?? "todos los productos")\(scope.map { ", segmento \($0.label)" } ?? ""). Rige desde la próxima cobranza.")
    }
}
