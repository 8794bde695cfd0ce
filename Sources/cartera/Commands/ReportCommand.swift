import App
import ArgumentParser
import CarteraCore
import Foundation
import LoanCollections
import Logging
import Store

/// `cartera report`: reports computed from the daily snapshots.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reportes de la cartera.",
        subcommands: [Delinquency.self, Collections.self, Vintages.self, Subscriptions.self, UIFReportCommand.self, BureauReportCommand.self]
    )

    /// `cartera report delinquency`.
    struct Delinquency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Morosidad de un día cerrado: rangos de atraso por saldo y por número, PAR30, PAR90, IMOR, migración entre rangos y curas.",
            discussion: "Se calcula de las fotos diarias del cierre: el día debe estar cerrado (cartera close-day)."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Día del reporte, AAAA-MM-DD (el último cerrado por omisión).")
        var date: String?

        @Option(help: "Día anterior con el que se compara (migración entre rangos y curas), AAAA-MM-DD; por omisión un mes antes.")
        var from: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el reporte como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let (requested, requestedFrom) = (try optionalDay(date), try optionalDay(from))
            let report = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
                let close = EndOfDayClose(database: database, book: LoanBook(database: database))
                let lenderID = try await close.lender(lender)
                let lastClosed = try await close.closedThrough(lenderID: lenderID)
                guard let date = requested ?? lastClosed else {
                    throw ValidationError("Aún no hay días cerrados: ejecute primero cartera close-day.")
                }
                let earlier = requestedFrom ?? date.adding(months: -1)
                let closed = try await close.isClosed(lenderID: lenderID, date: earlier)
                return try await CollectionReports(database: database).delinquency(lenderID: lenderID, date: date, from: closed ? earlier : nil)
            }
            if json { return try Terminal.printJSON(report) }
            print(Self.text(report))
        }

        static func money(_ centavos: Int64) -> String { Money(minorUnits: centavos, currency: .mxn).formatted(.symbol) }
        static func percent(_ basisPoints: Int) -> String { String(format: "%d.%02d %%", basisPoints / 100, basisPoints % 100) }

        /// The report for a terminal, with a bar per bucket (share of the balance).
        static func text(_ report: DelinquencyReport) -> String {
            var lines = ["Morosidad al \(report.date.text): \(report.loans) créditos, cartera total \(money(report.grossPortfolio))", ""]
            lines.append("Rango de atraso        Créditos   % núm.   Saldo de capital      % saldo")
            for bucket in report.buckets {
                let bar = String(repeating: "█", count: (bucket.shareOfPrincipalBasisPoints + 249) / 250)
                lines.append(
                    bucket.label.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%10d", bucket.loans) + percent(bucket.shareOfLoansBasisPoints).leftPadded(9)
                        + money(bucket.principal).leftPadded(22) + percent(bucket.shareOfPrincipalBasisPoints).leftPadded(10) + "  " + bar
                )
            }
            lines.append("")
            lines.append("PAR30 \(percent(report.par30BasisPoints))   PAR90 \(percent(report.par90BasisPoints))   IMOR \(percent(report.imorBasisPoints)) (cartera vencida \(money(report.nonPerforming)))")
            if let from = report.comparedWith {
                lines.append("")
                lines.append("Migración del \(from.text) al \(report.date.text) (% del saldo de cada rango):")
                let codes = report.buckets.map(\.bucket)
                lines.append("De \\ a".padding(toLength: 10, withPad: " ", startingAt: 0) + codes.map { $0.leftPadded(9) }.joined() + "Salió".leftPadded(9))
                for roll in report.rolls {
                    lines.append(roll.from.padding(toLength: 10, withPad: " ", startingAt: 0) + codes.map { percent(roll.toBasisPoints[$0] ?? 0).leftPadded(9) }.joined() + percent(roll.goneBasisPoints).leftPadded(9))
                }
                if let cured = report.cureRateLoansBasisPoints {
                    lines.append("Curas: \(percent(cured)) de los créditos atrasados (\(percent(report.cureRatePrincipalBasisPoints ?? 0)) de su saldo) quedaron al corriente.")
                }
            } else {
                lines.append("Sin día anterior cerrado para comparar (use --from con un día cerrado).")
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension ReportCommand {
    /// `cartera report collections`.
    struct Collections: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Efectividad de la cobranza entre dos días cerrados: CEI y flujo proyectado contra cobrado por semana y por mes.",
            discussion: "CEI = (saldo inicial + dispuesto − saldo final) ÷ (saldo inicial + dispuesto − saldo final al corriente), de las fotos del cierre."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Último día del periodo, AAAA-MM-DD (el último cerrado por omisión).")
        var to: String?

        @Option(help: "Día cerrado anterior al periodo, AAAA-MM-DD (un mes antes por omisión).")
        var from: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el reporte como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let (requestedTo, requestedFrom) = (try optionalDay(to), try optionalDay(from))
            let report = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
                let close = EndOfDayClose(database: database, book: LoanBook(database: database))
                let lenderID = try await close.lender(lender)
                let lastClosed = try await close.closedThrough(lenderID: lenderID)
                guard let end = requestedTo ?? lastClosed else { throw ValidationError("Aún no hay días cerrados: ejecute primero cartera close-day.") }
                do {
                    return try await CollectionEffectiveness.compute(lenderID: lenderID, from: requestedFrom ?? end.adding(months: -1), to: end, database: database)
                } catch let refusal as CollectionRefusal { throw ValidationError(refusal.message) }
            }
            if json { return try Terminal.printJSON(report) }
            let money = Delinquency.money
            let percent = Delinquency.percent
            print("Cobranza del \(report.from) al \(report.to)")
            print("CEI \(report.ceiBasisPoints.map(percent) ?? "—")  (saldo inicial \(money(report.beginning)), dispuesto \(money(report.disbursed)), saldo final \(money(report.endingTotal)), al corriente \(money(report.endingCurrent)))")
            if let days = report.daysToCollect {
                print("Días promedio de cobro \(String(format: "%d.%02d", days.meanHundredths / 100, days.meanHundredths % 100)) (mediana \(days.median), percentil 90: \(days.p90)), ponderado por monto: \(days.installments) parcialidades pagadas con atraso por \(money(days.amount))")
            }
            print("")
            print("Mes/semana desde      Proyectado        Cobrado   % cobrado")
            for line in report.monthly + [] {
                print("mes " + line.start.text + money(line.projected).leftPadded(18) + money(line.actual).leftPadded(15) + (line.collectedBasisPoints.map(percent) ?? "—").leftPadded(12))
            }
            for line in report.weekly {
                let bar = String(repeating: "█", count: min(40, ((line.collectedBasisPoints ?? 0) + 249) / 250))
                print("sem " + line.start.text + money(line.projected).leftPadded(18) + money(line.actual).leftPadded(15) + (line.collectedBasisPoints.map(percent) ?? "—").leftPadded(12) + "  " + bar)
            }
        }
    }
}

extension ReportCommand {
    /// `cartera report vintages`.
    struct Vintages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cosechas: por mes de disposición, el % de créditos con 30 días o más de atraso (o castigados) en cada mes desde la disposición."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Meses de cosechas hacia atrás.")
        var months = 12

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime las curvas como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            guard (1...60).contains(months) else { throw ValidationError("--months va de 1 a 60.") }
            let curves = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
                let book = LoanBook(database: database)
                let lenderID = try await EndOfDayClose(database: database, book: book).lender(lender)
                return try await VintageReport.compute(lenderID: lenderID, asOf: book.today().adding(days: -1), months: months, database: database, book: book)
            }
            if json { return try Terminal.printJSON(curves) }
            let width = curves.cohorts.map(\.byCountBasisPoints.count).max() ?? 0
            print("Cosecha  Créditos" + (0..<width).map { "M\($0 + 1)".leftPadded(8) }.joined())
            for cohort in curves.cohorts {
                print(cohort.cohort + String(cohort.loans).leftPadded(10) + cohort.byCountBasisPoints.map { Delinquency.percent($0).leftPadded(8) }.joined())
            }
        }
    }
}

extension ReportCommand {
    /// `cartera report subscriptions`.
    struct Subscriptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quién recibe la morosidad por correo (diario o semanal): lista, alta con --add, baja con --cancel; --send envía ya los pendientes del último cierre.",
            discussion: "Los correos salen por el servidor SMTP configurado (CARTERA_SMTP_*); cartera serve los envía solo después de cada cierre."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Correo que se suscribe.")
        var add: String?

        @Option(help: "diario o semanal (los domingos).")
        var frequency = "diario"

        @Option(help: "Id de la suscripción que se cancela.")
        var cancel: String?

        @Flag(help: "Envía ahora los reportes pendientes del último día cerrado.")
        var send = false

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        struct Output: Encodable {
            let subscriptions: [ReportMailer.Subscription]
            let sent: ReportMailer.Summary?
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            guard let cadence = ReportMailer.Frequency(rawValue: frequency) else { throw ValidationError("--frequency es diario o semanal.") }
            let output = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
                let book = LoanBook(database: database)
                let close = EndOfDayClose(database: database, book: book)
                let lenderID = try await close.lender(lender)
                let mailer = ReportMailer(database: database, keys: keys, settings: configuration.messaging)
                do {
                    if let add { _ = try await mailer.subscribe(lenderID: lenderID, email: add, frequency: cadence, actor: .commandLine) }
                    if let cancel { try await mailer.cancel(cancel, lenderID: lenderID, actor: .commandLine) }
                } catch let refusal as CollectionRefusal { throw ValidationError(refusal.message) }
                var sent: ReportMailer.Summary?
                if send {
                    guard let closed = try await close.closedThrough(lenderID: lenderID) else { throw ValidationError("Aún no hay días cerrados: ejecute primero cartera close-day.") }
                    sent = try await mailer.send(lenderID: lenderID, closed: closed)
                }
                return Output(subscriptions: try await mailer.subscriptions(lenderID: lenderID), sent: sent)
            }
            if json { return try Terminal.printJSON(output) }
            for subscription in output.subscriptions { print("\(subscription.id)  \(subscription.frequency.rawValue)  \(subscription.email)") }
            if output.subscriptions.isEmpty { print("Nadie recibe la morosidad por correo. Agregue a alguien con --add correo@financiera.mx.") }
            if let sent = output.sent {
                print("✓ Enviados \(sent.sent); fallidos \(sent.failed); en espera \(sent.waiting)\(sent.waiting > 0 && configuration.messaging.smtp == nil ? " (configure CARTERA_SMTP_HOST)" : "").")
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
