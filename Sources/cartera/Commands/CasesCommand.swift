import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

extension CaseWorkflow.Status: ExpressibleByArgument {}
extension CaseWorkflow.Kind: ExpressibleByArgument {}
extension CaseWorkflow.Decision: ExpressibleByArgument {}

/// `cartera cases`: PLD cases from alerts to the UIF report.
struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Casos PLD: operaciones inusuales, internas preocupantes y reportes de 24 horas, del análisis al reporte.",
        subcommands: [List.self, Show.self, Open.self, Analyze.self, Decide.self, Reported.self]
    )

    static func line(_ record: ComplianceCases.Record) -> String {
        let mark = record.urgency == .overdue ? "✗" : record.urgency == .dueSoon ? "⚠" : "·"
        return "\(mark) \(record.id)  \(record.kind.label)  \(record.status.label)\(record.decision.map { " (\($0.label.lowercased()))" } ?? "")"
            + "  detectado \(record.detectedAt.text)  vence \(record.dueAt.text)  [\(record.urgency.label)]"
            + (record.clientId.map { "  cliente \($0)" } ?? "")
    }

    static func withCases<T: Sendable>(_ global: GlobalOptions, lender: String?, _ body: @Sendable (ComplianceCases, String) async throws -> T) async throws -> T {
        let configuration = try global.configuration()
        let keys = try loadKeys()
        return try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.cases")) { database in
            let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
            return try await body(ComplianceCases(database: database, keys: keys), lenderID)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista los casos: primero los abiertos por vencimiento.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Solo los de este estado: \(CaseWorkflow.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: CaseWorkflow.Status?
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?
        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let status = status
            let records = try await CasesCommand.withCases(global, lender: lender) { try await $0.list(status: status, lenderID: $1) }
            if json { return try Terminal.printJSON(records) }
            if records.isEmpty { print("✓ No hay casos\(status.map { " \($0.label.lowercased())s" } ?? "").") }
            for record in records { print(CasesCommand.line(record)) }
            let overdue = records.filter { $0.urgency == .overdue }.count
            if overdue > 0 { print("✗ \(overdue) caso(s) vencido(s): dictamínelos cuanto antes y deje constancia del retraso.") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra un caso con su historia y alertas.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id del caso (cs_…).")
        var id: String
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?
        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let id = id
            let detail = try await CasesCommand.withCases(global, lender: lender) { try await $0.detail(id, lenderID: $1) }
            if json { return try Terminal.printJSON(detail) }
            print(CasesCommand.line(detail.record))
            print("  \(detail.record.summary)")
            if let note = detail.record.decisionNote { print("  Dictamen: \(note)") }
            if let due = detail.record.filingDue, detail.record.status == .decided { print("  Reportar a la UIF a más tardar el \(due.text).") }
            for alert in detail.alerts { print("  • \(alert.rule) en \(alert.operationId): \(alert.message)") }
            for event in detail.events {
                print("  \(event.at.text)  \(event.actor): \(event.fromStatus.map { "\($0.label) → " } ?? "")\(event.toStatus.label)\(event.note.map { " — \($0)" } ?? "")")
            }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Abre un caso detectado por una persona (inusual o interna preocupante).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "inusual, interna_preocupante o 24_horas.")
        var kind: CaseWorkflow.Kind
        @Option(help: "Id del cliente (inusual, 24 horas).")
        var client: String?
        @Option(help: "Empleado, directivo o representante (interna preocupante).")
        var subject: String?
        @Option(help: "Qué se detectó: hechos, fechas y personas.")
        var summary: String
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func run() async throws {
            let (kind, client, subject, summary) = (kind, client, subject, summary)
            let record = try await CasesCommand.withCases(global, lender: lender) {
                try await $0.report(kind: kind, clientID: client, subject: subject, summary: summary, lenderID: $1, actor: .commandLine)
            }
            print("✓ Caso \(record.id) abierto; dictamínelo a más tardar el \(record.dueAt.text).")
        }
    }

    struct Analyze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pasa un caso abierto a análisis.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id del caso.")
        var id: String
        @Option(help: "Nota del análisis.")
        var note: String?
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func run() async throws {
            let (id, note) = (id, note)
            let record = try await CasesCommand.withCases(global, lender: lender) { try await $0.advance(id, step: .startAnalysis, note: note, lenderID: $1, actor: .commandLine) }
            print("✓ \(CasesCommand.line(record))")
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra el dictamen del comité: reportable o no_reportable.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id del caso.")
        var id: String
        @Option(help: "reportable o no_reportable.")
        var decision: CaseWorkflow.Decision
        @Option(help: "El dictamen: qué se analizó y por qué se decidió así.")
        var note: String
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func run() async throws {
            let (id, decision, note) = (id, decision, note)
            let record = try await CasesCommand.withCases(global, lender: lender) { try await $0.advance(id, step: .decide(decision), note: note, lenderID: $1, actor: .commandLine) }
            print("✓ \(CasesCommand.line(record))")
            if let due = record.filingDue { print("  Reporte a la UIF a más tardar el \(due.text); luego: cartera cases reported \(record.id) --reference FOLIO") }
        }
    }

    struct Reported: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra que el caso se reportó a la UIF, con el folio o acuse.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id del caso.")
        var id: String
        @Option(help: "Folio o acuse de la UIF.")
        var reference: String
        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func run() async throws {
            let (id, reference) = (id, reference)
            let record = try await CasesCommand.withCases(global, lender: lender) { try await $0.advance(id, step: .report, note: nil, reference: reference, lenderID: $1, actor: .commandLine) }
            print("✓ \(CasesCommand.line(record))")
        }
    }
}
