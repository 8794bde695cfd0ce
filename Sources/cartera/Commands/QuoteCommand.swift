import App
import ArgumentParser
import CarteraCore
import Foundation
import Lending

/// `cartera quote`: the cotizador on the command line.
struct QuoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Cotiza un crédito: tabla de amortización con IVA, totales y CAT.",
        discussion: """
            Tasa periódica: anual/12 (mensual), anual/24 (quincenal), anual×14/360 (catorcenal), anual×7/360 (semanal). \
            Pago francés = P·r′/(1−(1+r′)^−n) con r′ = r·(1+IVA), redondeado al centavo; interés e IVA de cada pago \
            redondeados al centavo; el último pago liquida el saldo. CAT sin IVA con comisiones, tiempos k/12, k/24, k/26, k/52.
            """
    )

    @Option(help: "Monto del crédito, p. ej. 15000 o 15,000.00.")
    var principal: String

    @Option(name: .customLong("annual-rate"), help: "Tasa anual simple en porcentaje, p. ej. 60.")
    var annualRate: String

    @Option(help: "Número de pagos.")
    var term: Int

    @Option(help: "semanal, catorcenal, quincenal o mensual.")
    var frequency: Frequency = .mensual

    @Option(help: "french (pago nivelado), german (capital igual) o flat (tasa global).")
    var method: AmortizationMethod = .french

    @Option(help: "IVA sobre intereses, en porcentaje (16 por omisión; 0 si está exento).")
    var iva = "16"

    @Option(name: .customLong("opening-fee"), help: "Comisión por apertura (sin IVA).")
    var openingFee = "0"

    @Option(help: "Fecha de inicio AAAA-MM-DD (hoy por omisión).")
    var start: String?

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func run() async throws {
        guard let principal = try? Money(parsing: principal) else { throw QuoteCommandError(message: "El monto «\(self.principal)» no es una cantidad válida.") }
        guard let rate = Rate(percent: annualRate) else { throw QuoteCommandError(message: "La tasa «\(annualRate)» debe ser un porcentaje como 60 o 58.5.") }
        guard let ivaRate = Rate(percent: iva) else { throw QuoteCommandError(message: "El IVA «\(iva)» debe ser un porcentaje como 16 o 0.") }
        guard let fee = try? Money(parsing: openingFee) else { throw QuoteCommandError(message: "La comisión «\(openingFee)» no es una cantidad válida.") }
        let startDate: CalendarDate
        if let start {
            guard let date = CalendarDate(text: start) else { throw QuoteCommandError(message: "La fecha «\(start)» debe escribirse AAAA-MM-DD.") }
            startDate = date
        } else {
            startDate = Timestamp.now.calendarDate(utcOffsetSeconds: -21_600)
        }
        let quote = try Quoting.quote(QuoteRequest(
            principal: principal, annualRate: rate, term: term, frequency: frequency, method: method, ivaRate: ivaRate, openingFee: fee, start: startDate
        ))
        let document = QuoteDocument(quote)
        if json {
            try Terminal.printJSON(document)
            return
        }
        let methodName = switch method {
        case .french: "francés (pago nivelado)"
        case .german: "alemán (capital igual)"
        case .flat: "tasa global"
        }
        print("Crédito de \(principal.formatted(.symbol)) a \(rate.percentText)% anual, \(term) pagos \(frequency.rawValue)es, método \(methodName).")
        print("")
        print(pad("núm.", 5) + "  " + "vencimiento" + ["pago", "interés", "IVA", "capital", "saldo"].map { pad($0, 13) }.joined())
        for row in quote.installments {
            let amounts = [row.payment, row.interest, row.iva, row.principal, row.balance].map { pad($0.formatted(), 13) }
            print(pad("\(row.number)", 5) + "  " + row.dueDate.text + " " + amounts.joined())
        }
        print("")
        print("Intereses \(quote.totalInterest.formatted(.symbol)) · IVA \(quote.totalIva.formatted(.symbol)) · Total a pagar \(quote.totalPaid.formatted(.symbol))")
        if let legend = document.catLegend { print(legend) }
    }
}

/// Right-aligns `text` in `width` columns.
func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }

struct QuoteCommandError: CarteraError {
    let message: String
    var code: String { "quote_invalid" }
}

extension Frequency: ExpressibleByArgument {}
extension AmortizationMethod: ExpressibleByArgument {}
