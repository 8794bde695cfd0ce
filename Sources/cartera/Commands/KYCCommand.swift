import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

/// `cartera kyc`: clients' identification files (expedientes): documents, cotejo, completeness and reminders.
struct KYCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kyc",
        abstract: "Expedientes de identificación: documentos, cotejo, lista de verificación, vencimientos y actualizaciones.",
        subcommands: [Status.self, Upload.self, Verify.self, Reject.self, Download.self, Update.self, Due.self, Policy.self]
    )

    /// Opens the database, resolves the lender and hands both to `body`.
    static func withFiles<T: Sendable>(
        _ global: GlobalOptions, lender: String?, _ body: @escaping @Sendable (KYCFiles, String) async throws -> T
    ) async throws -> T {
        try await global.withLender(lender, label: "cartera.kyc") { database, keys, _, lenderID in try await body(KYCFiles(database: database, keys: keys), lenderID) }
    }

    static func printStatus(_ status: KYCFiles.FileStatus) {
        let head = status.isComplete ? "✓ Expediente completo" : "✗ Expediente incompleto"
        print("\(head): \(status.displayName) (\(status.clientId)), riesgo \(status.grade.rawValue), política v\(status.policyVersion).")
        for item in status.check.items {
            let mark = item.state == .complete ? (item.expiresSoon ? "!" : "✓") : "✗"
            print("  \(mark) \(item.message)")
        }
        for issue in status.check.dataIssues { print("  ✗ \(issue)") }
        let update = status.check.updateOverdue ? "✗ actualización vencida el" : status.check.updateSoon ? "! actualización vence el" : "  próxima actualización:"
        print("  \(update) \(status.check.updateDue.text) (última: \(status.lastUpdate.text)).")
    }

    /// `cartera kyc status --client ID`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra la lista de verificación del expediente de un cliente y qué le falta.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            let client = client
            guard let status = try await KYCCommand.withFiles(global, lender: lender, { files, lenderID in
                try await files.status(clientID: client, lenderID: lenderID)
            }) else { throw ValidationError("No existe el cliente \(client). Búsquelo con: cartera clients find") }
            if json { try Terminal.printJSON(status) } else { KYCCommand.printStatus(status) }
            if !status.isComplete { throw ExitCode(1) }
        }
    }

    /// `cartera kyc upload --client ID --kind K FILE`.
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sube un documento (PDF, JPEG o PNG, hasta 10 MB) al expediente de un cliente; queda por cotejar.",
            discussion: "Tipos: \(KYCDocumentKind.allCases.map(\.rawValue).joined(separator: ", ")). Las identificaciones piden --expires; el comprobante de domicilio, --issued."
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Tipo de documento (p. ej. identificacion_oficial).") var kind: String
        @Option(help: "De quién es: cliente, representante-N o beneficiario-N.") var subject = "cliente"
        @Option(help: "Fecha de emisión AAAA-MM-DD.") var issued: String?
        @Option(help: "Fecha de vencimiento AAAA-MM-DD.") var expires: String?
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Argument(help: "El archivo.") var file: String
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("No se pudo leer «\(file)»; revise la ruta.") }
            let upload = KYCFiles.Upload(
                kind: kind, subject: subject, fileName: URL(fileURLWithPath: file).lastPathComponent, content: Array(data), issuedOn: issued, expiresOn: expires
            )
            let client = client
            let document = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.upload(clientID: client, upload, lenderID: lenderID, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(document) }
            print("✓ «\(document.kind.label)»: documento \(document.status.label.lowercased()) como \(document.id) (\(document.sizeBytes) bytes)" + (document.status == .received ? "; cotéjelo con: cartera kyc verify \(document.id)" : "."))
        }
    }

    /// `cartera kyc verify DOC`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra el cotejo de un documento contra su original.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Argument(help: "Id del documento.") var document: String

        func run() async throws {
            let id = document
            let verified = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.verify(documentID: id, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ «\(verified.kind.label)»: documento \(verified.id) cotejado con el original.")
        }
    }

    /// `cartera kyc reject DOC --reason "…"`.
    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rechaza un documento con su motivo (ilegible, no corresponde, alterado…).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Motivo del rechazo.") var reason: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Argument(help: "Id del documento.") var document: String

        func run() async throws {
            let (id, reason) = (document, reason)
            let rejected = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.reject(documentID: id, reason: reason, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ «\(rejected.kind.label)»: documento \(rejected.id) rechazado.")
        }
    }

    /// `cartera kyc download DOC --output FILE`.
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Escribe el contenido descifrado de un documento (la lectura queda en la bitácora).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Archivo a escribir.") var output: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Argument(help: "Id del documento.") var document: String

        func run() async throws {
            let id = document
            let (read, bytes) = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.content(documentID: id, lenderID: lenderID, actor: .commandLine)
            }
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("No se pudo escribir «\(output)»; revise la carpeta y sus permisos.")
            }
            print("✓ \(read.kind.label) (\(read.fileName), \(bytes.count) bytes) escrito en \(output).")
        }
    }

    /// `cartera kyc update --client ID --note "…"`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra la actualización periódica del expediente (solo si está completo).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Qué se revisó con el cliente.") var note: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?

        func run() async throws {
            let (client, note) = (client, note)
            let status = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.recordUpdate(clientID: client, note: note, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ Actualización registrada; la próxima vence el \(status.check.updateDue.text).")
        }
    }

    /// `cartera kyc due [--date D] [--json]`.
    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lista los expedientes incompletos y los que tienen documentos o actualizaciones por vencer (recordatorios para el personal).",
            discussion: "Sale con código 1 si hay expedientes incompletos. La ventana de aviso es la de la política (cartera kyc policy)."
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Fecha de revisión AAAA-MM-DD (hoy por omisión).") var date: String?
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            let day: CalendarDate?
            if let date {
                guard let parsed = CalendarDate(text: date) else { throw ValidationError("La fecha se escribe AAAA-MM-DD.") }
                day = parsed
            } else {
                day = nil
            }
            let showProgress = !json && Terminal.progressVisible
            let due = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                try await files.due(lenderID: lenderID, on: day) { done, total in
                    if showProgress, done % 50 == 0 || done == total { Terminal.progress("Revisando expedientes: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            let incomplete = due.filter { !$0.isComplete }
            if json {
                try Terminal.printJSON(due)
                if !incomplete.isEmpty { throw ExitCode(1) }
                return
            }
            print("\(incomplete.count) expediente(s) incompleto(s); \(due.count - incomplete.count) con vencimientos próximos.")
            for status in due {
                print("\(status.isComplete ? "!" : "✗") \(status.displayName) (\(status.clientId)), riesgo \(status.grade.rawValue):")
                for line in status.isComplete ? status.check.reminders : status.check.reasons { print("    \(line)") }
            }
            if !incomplete.isEmpty { throw ExitCode(1) }
        }
    }

    /// `cartera kyc policy [--file FILE]`.
    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Muestra la política del expediente en vigor (documentos por tipo de persona, vigencias, actualización por riesgo) o publica una nueva desde JSON.",
            discussion: "Parta de lo que imprime --json. blocksDisbursement: true retiene la disposición de los créditos de clientes con expediente incompleto."
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "JSON de la política nueva.") var file: String?
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        struct Output: Encodable {
            let version: Int
            let policy: KYCPolicy
        }

        func run() async throws {
            var published: KYCPolicy?
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("No se pudo leer «\(file)».") }
                do { published = try JSONDecoder().decode(KYCPolicy.self, from: data) } catch {
                    throw ValidationError("«\(file)» no es una política válida: falta un campo, tiene otro tipo o un documento desconocido. Parta de: cartera kyc policy --json")
                }
            }
            let newPolicy = published
            let (version, policy) = try await KYCCommand.withFiles(global, lender: lender) { files, lenderID in
                if let newPolicy { _ = try await files.publish(newPolicy, lenderID: lenderID, actor: .commandLine) }
                return try await files.policy(lenderID: lenderID)
            }
            if json { return try Terminal.printJSON(Output(version: version, policy: policy)) }
            print("\(newPolicy == nil ? "En vigor" : "✓ Publicada") la versión \(version) de la política del expediente:")
            print("  Persona física: " + policy.individual.map(\.label).joined(separator: ", "))
            print("  Persona moral: " + policy.company.map(\.label).joined(separator: ", "))
            print("  Comprobante de domicilio de hasta \(policy.addressProofMaxDays) días; beneficiarios desde \(Double(policy.beneficialOwnerBasisPoints) / 100) %.")
            print("  Actualización cada \(policy.updateMonths.bajo)/\(policy.updateMonths.medio)/\(policy.updateMonths.alto) meses (bajo/medio/alto); aviso \(policy.reminderDays) días antes.")
            print("  " + (policy.blocksDisbursement ? "Un expediente incompleto retiene la disposición." : "Un expediente incompleto NO retiene la disposición (expedientes en papel)."))
        }
    }
}
