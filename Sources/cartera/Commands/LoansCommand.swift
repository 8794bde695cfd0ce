import App
import ArgumentParser
import CarteraCore
import Foundation
import Lending
import Logging
import Store

extension MoneyChannel: ExpressibleByArgument {}
extension ExcessPolicy: ExpressibleByArgument {}

/// `cartera loans …`: a loan's position, payments and reversals from the command line (for operators and scripts).
struct LoansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loans",
        abstract: "Consulta créditos y registra pagos y cancelaciones de pagos.",
        subcommands: [Show.self, Pay.self, Reverse.self, CompactTerms.self]
    )

    /// `cartera loans show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra un crédito: saldos, días de atraso y tabla de pagos.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Identificador del crédito (ln_…).")
        var loan: String

        @Option(name: .customLong("as-of"), help: "Fecha de la posición AAAA-MM-DD (hoy por omisión).")
        var asOf: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let date = try asOf.map(LoansCommand.date)
            let document = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.loans")) { database in
                let book = LoanBook(database: database)
                let (record, position) = try await book.position(loan, lenderID: try await book.lender(of: loan), asOf: date)
                return LoanDocument(record: record, position: position)
            }
            if json { return try Terminal.printJSON(document) }
            print("Crédito \(document.loan.id) — \(document.loan.status.label), producto \(document.loan.productCode) v\(document.loan.productVersion)")
            guard let position = document.position, let terms = document.terms else {
                return print("  Monto solicitado \(document.loan.amount), \(document.loan.term) pagos; aún no se dispone.")
            }
            print("  Al \(position.asOf): capital \(position.principalOutstanding), exigible \(position.amountDue), para liquidar \(position.payoffAmount), \(position.daysPastDue) días de atraso")
            if let legend = terms.catLegend { print("  \(legend)") }
            print("  #   Vence        Pago        Restante    Estado")
            for row in document.installments {
                let columns = [String(row.number).padding(toLength: 3, withPad: " ", startingAt: 0), row.dueDate, row.payment, row.remaining, row.state]
                print("  " + columns.joined(separator: "  "))
            }
        }
    }

    /// `cartera loans compact-terms [--dry-run] [--json]`: re-stores terms written before the compact format.
    struct CompactTerms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compact-terms",
            abstract: "Reescribe en el formato compacto las condiciones de créditos guardadas con el formato anterior.",
            discussion: """
                Las condiciones guardadas antes del formato compacto se siguen leyendo, pero más despacio (el cierre diario \
                las lee a diario). Cada crédito se reescribe solo si se lee igual después; uno modificado mientras tanto se \
                deja para la siguiente ejecución. Se puede detener y repetir.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(name: .customLong("dry-run"), help: "Solo cuenta los créditos que se reescribirían.")
        var dryRun = false

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let showProgress = !json && Terminal.progressVisible
            let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.loans")) { database in
                try await LoanTermsCompaction(database: database).run(dryRun: dryRun, actor: .commandLine) { done, total in
                    if showProgress { Terminal.progress("Créditos revisados: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(summary) }
            let verb = dryRun ? "se reescribirían" : "reescritos"
            print("✓ \(summary.loans) créditos revisados: \(summary.compact) ya en formato compacto, \(summary.restored) \(verb).")
            if summary.skipped > 0 { print("  \(summary.skipped) cambiaron durante la ejecución y se dejaron igual: vuelva a ejecutar el comando.") }
            if !summary.unreadable.isEmpty {
                print("✗ \(summary.unreadable.count) no se pudieron leer o no se leerían igual y se dejaron igual: \(summary.unreadable.prefix(10).joined(separator: ", "))")
                print("  Revise esos créditos con `cartera loans show ID` y reporte el caso a soporte.")
                throw ExitCode(1)
            }
        }
    }

    /// `cartera loans pay ID --amount …`.
    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Registra un pago recibido y lo aplica según el orden del producto.",
            discussion: "Una referencia ya registrada por el mismo canal se rechaza, así que repetir el comando no duplica el pago."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Identificador del crédito (ln_…).")
        var loan: String

        @Option(help: "Monto recibido, p. ej. 1250.00.")
        var amount: String

        @Option(name: .customLong("value-date"), help: "Fecha en que se recibió el dinero AAAA-MM-DD (hoy por omisión).")
        var valueDate: String?

        @Option(help: "Canal: efectivo, spei, transferencia, conekta, openpay, mercadopago, stripe o paypal.")
        var channel: MoneyChannel = .spei

        @Option(help: "Referencia del banco o de la pasarela.")
        var reference: String?

        @Option(help: "Excedente: advance (pago adelantado), reduce_term o reduce_payment (pago anticipado a capital).")
        var excess: ExcessPolicy = .advance

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let request = LoanBook.PaymentRequest(amount: amount, valueDate: valueDate, channel: channel, reference: reference, excess: excess)
            let record = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.loans")) { database in
                let book = LoanBook(database: database)
                return try await book.pay(loan, request, lenderID: try await book.lender(of: loan), actor: .commandLine)
            }
            if json { return try Terminal.printJSON(record) }
            print("✓ Pago \(record.id) por \(record.amount) aplicado al crédito \(record.loanId) con fecha valor \(record.valueDate):")
            for line in record.allocation {
                let label = AllocationLine.Component(rawValue: line.component)?.label ?? line.component
                print("  \(line.installment.map { "Pago \($0)" } ?? "—")  \(label): \(line.amount)")
            }
            if let status = record.loanStatus { print("  El crédito queda \(status.label.lowercased()).") }
        }
    }

    /// `cartera loans reverse ID PAYMENT --reason …`.
    struct Reverse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancela un pago con su motivo; el crédito queda como si no se hubiera recibido.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Identificador del crédito (ln_…).")
        var loan: String

        @Argument(help: "Identificador del pago (pay_…).")
        var payment: String

        @Option(help: "Motivo de la cancelación.")
        var reason: String

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let record = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.loans")) { database in
                let book = LoanBook(database: database)
                return try await book.reverse(loan, payment: payment, reason: reason, lenderID: try await book.lender(of: loan), actor: .commandLine)
            }
            if json { return try Terminal.printJSON(record) }
            print("✓ Pago \(record.id) cancelado; asiento \(record.reversal?.entryId ?? "").")
        }
    }

    static func date(_ text: String) throws -> CalendarDate {
        guard let date = CalendarDate(text: text) else { throw ValidationError("La fecha se escribe AAAA-MM-DD.") }
        return date
    }
}
