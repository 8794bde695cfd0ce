import App
import ArgumentParser
import CarteraCore
import Foundation
import LoanCollections
import Logging
import Store

/// `cartera dunning`: writes the day's collection messages and, with `--send`, sends those whose hour has come.
struct DunningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning",
        abstract: "Escribe los mensajes de cobranza del día después de un cierre y, con --send, envía los que ya pueden salir.",
        discussion: """
            Cada crédito recibe el paso de la política al que llegó (−3, 0, +1, +7, +15, +30 días) una sola vez: volver a \
            correrlo no repite nada. Sólo se programa para las 07:00–22:00 de la zona del acreditado, a canales con su \
            consentimiento; lo que no se escribe queda con su motivo. `cartera serve` hace esto solo después de cada cierre \
            y envía los mensajes a su hora.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "El día cerrado del que se parte, AAAA-MM-DD (el último cerrado por omisión); los mensajes son del día siguiente.")
    var date: String?

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Envía también los mensajes cuya hora ya llegó (proveedores de CARTERA_TWILIO_*, CARTERA_WHATSAPP_*, CARTERA_SMTP_*).")
    var send = false

    @Flag(help: "Imprime el resumen como JSON.")
    var json = false

    struct Output: Encodable {
        let written: DunningRun.Summary
        let sent: MessageOutbox.DrainSummary?
    }

    func run() async throws {
        let configuration = try global.configuration()
        let keys = try loadKeys()
        let closedDay = try optionalDay(date)
        let output = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.dunning")) { database in
            let book = LoanBook(database: database)
            let close = EndOfDayClose(database: database, book: book)
            let lenderID = try await close.lender(lender)
            let lastClosed = try await close.closedThrough(lenderID: lenderID)
            guard let closed = closedDay ?? lastClosed else {
                throw ValidationError("Aún no hay días cerrados: ejecute primero cartera close-day.")
            }
            let run = DunningRun(
                database: database, book: book, directory: ClientDirectory(database: database, keys: keys), keys: keys, settings: configuration.messaging,
                clabes: LoanCLABEs(database: database, range: configuration.virtualCLABEs)
            )
            let written: DunningRun.Summary
            do { written = try await run.run(lenderID: lenderID, closed: closed) } catch let refusal as CollectionRefusal { throw ValidationError(refusal.message) }
            var sent: MessageOutbox.DrainSummary?
            if send {
                let messaging = configuration.messaging
                let outbox = MessageOutbox(
                    database: database, keys: keys, senders: messaging.senders(),
                    statusCallback: { channel in channel == .sms ? messaging.publicBase.map { $0() + "/webhooks/twilio/estado" } : nil }, logger: Logger(label: "cartera.dunning")
                )
                sent = try await outbox.drain(limit: 100_000)
            }
            return Output(written: written, sent: sent)
        }
        if json { return try Terminal.printJSON(output) }
        let written = output.written
        print("✓ Cobranza del \(written.day): \(written.loans) créditos revisados, \(written.scheduled) mensajes programados, \(written.calls) llamadas para gestores, \(written.paused) en pausa o con promesa vigente.")
        for (code, count) in written.refused.sorted(by: { $0.key < $1.key }) {
            print("  ✗ \(count) sin escribir por \(Self.reasons[code] ?? code).")
        }
        if let sent = output.sent {
            print("✓ Enviados \(sent.sent); por reintentar \(sent.retrying); reprogramados por horario \(sent.rescheduled); cancelados \(sent.canceled); rechazados \(sent.refused); por revisar en el proveedor \(sent.unknown).")
        } else if written.scheduled > 0 {
            print("  Los mensajes salen a su hora con cartera serve, o ahora con cartera dunning --send.")
        }
    }

    static let reasons = [
        "no_consent": "falta de consentimiento (regístrelo en la ficha de cobranza del crédito)", "opted_out": "baja del acreditado en ese canal",
        "no_address": "falta de celular o correo en el expediente", "missing_value": "un dato faltante (vea /cobranza/mensajes)",
        "no_window": "no haber horario permitido en 21 días (revise la política de contacto)",
    ]
}
