import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Clients
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import Lending
import LoanCollections
import Logging
import NIOCore
import SQLKit
import Sandbox
import Store
import Testing

/// The dunning step and the message outbox end to end: loans at every step of the standard ladder, borrowers in four
/// time zones, consents, a hold and a promise; messages sent through the Twilio and WhatsApp sandboxes and the SMTP
/// sink, their statuses coming back signed to Cartera's webhooks, a BAJA reply recorded as an opt-out.
@Suite("Collection messages: dunning step, contact rules, outbox, provider webhooks")
struct CollectionMessagesTests {
    /// Tuesday 2026-03-10 00:40 in Mexico City: after the close of Monday the 9th.
    static let start = Timestamp(text: "2026-03-10T06:40:00.000Z")!
    static let closed = CalendarDate(text: "2026-03-09")!

    struct Borrower {
        let name: String
        let state: String
        let phone: String
        let firstDue: String
        var consents: [ContactChannel: ContactConsent] = [.sms: .granted, .whatsapp: .granted, .email: .granted]
    }

    static let borrowers: [Borrower] = [
        Borrower(name: "A", state: "DF", phone: "5511110001", firstDue: "2026-03-13"),  // −3: SMS
        Borrower(name: "B", state: "QR", phone: "9981110002", firstDue: "2026-03-10"),  // due today: WhatsApp
        Borrower(name: "C", state: "BC", phone: "6641110000", firstDue: "2026-03-09"),  // +1: SMS (Tijuana; 0000: undeliverable)
        Borrower(name: "D", state: "JC", phone: "3311110004", firstDue: "2026-03-02", consents: [.whatsapp: .optedOut]),  // +7: WhatsApp, opted out
        Borrower(name: "E", state: "NL", phone: "8111110005", firstDue: "2026-02-23"),  // +15: e-mail
        Borrower(name: "F", state: "DF", phone: "5511110006", firstDue: "2026-02-08"),  // +30: a collector's call
        Borrower(name: "G", state: "DF", phone: "5511110007", firstDue: "2026-03-02"),  // held (aclaración)
        Borrower(name: "H", state: "DF", phone: "5511110008", firstDue: "2026-03-02"),  // open promise
        Borrower(name: "I", state: "DF", phone: "5511110009", firstDue: "2026-03-13", consents: [:]),  // −3, no consent
        Borrower(name: "J", state: "DF", phone: "5511110010", firstDue: "2026-03-09"),  // +1, pays before the SMS goes
        Borrower(name: "K", state: "DF", phone: "5511110011", firstDue: "2026-03-13"),  // −3, promises to pay before the SMS goes
    ]

    static func settings(sandbox: String, smtpPort: Int, ca: String, app: BoundPort) -> MessagingSettings {
        var settings = MessagingSettings()
        settings.twilio = .init(accountSID: TwilioSandbox.accountSID, authToken: TwilioSandbox.authToken, from: TwilioSandbox.fromNumber, apiBase: { sandbox + "/twilio" })
        settings.whatsApp = .init(
            phoneNumberID: WhatsAppSandbox.phoneNumberID, accessToken: WhatsAppSandbox.accessToken, appSecret: WhatsAppSandbox.appSecret,
            verifyToken: WhatsAppSandbox.verifyToken, apiBase: { sandbox + "/whatsapp" }
        )
        settings.smtp = SMTPSender.Settings(
            host: "127.0.0.1", port: smtpPort, security: .startTLS, username: SMTPSink.username, password: SMTPSink.password, from: "cobranza@prueba.mx",
            fromName: "Financiera Prueba", trustedCertificatesPEM: ca
        )
        settings.publicBase = { "http://127.0.0.1:\(app.value)" }
        settings.contactPhone = "55 1234 5678"
        return settings
    }

    /// Ten borrowers, a loan each (first installment on `firstDue`), their consents, a hold on G and a promise on H.
    static func portfolio(_ database: Database, clock: TestClock) async throws -> (lender: String, loans: [String: String], clients: [String: String]) {
        _ = try await TestStaff.seed(database, clock: { clock.read() })
        let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
        _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
        let directory = ClientDirectory(database: database, keys: TestKeys.live, clock: { clock.read() })
        let contacts = ContactBook(database: database, keys: TestKeys.live, clock: { clock.read() })
        let book = LoanBook(database: database, clock: { clock.read() })
        var random = SplitMix64(seed: 99)
        var loans: [String: String] = [:]
        var clients: [String: String] = [:]
        for (index, borrower) in borrowers.enumerated() {
            var person = DemoPortfolio.person(100 + index, &random)
            person.address.state = borrower.state
            person.phones = [borrower.phone]
            person.email = "\(borrower.name.lowercased())@example.com"
            let profile = person
            let client = try await database.transaction { db in try await directory.create(profile, lenderID: lender, actor: .commandLine, on: db) }
            for (channel, consent) in borrower.consents {
                try await contacts.record(clientID: client.id, lenderID: lender, channel: channel, state: consent, source: .onboarding, evidence: "contrato", actor: .commandLine)
            }
            let applied = try await database.transaction { db in
                try await book.apply(.init(clientId: client.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(applied.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            let disbursed = CalendarDate(text: borrower.firstDue)!.adding(months: -1)
            try await TestFiles.complete(client.id, lenderID: lender, database: database)
            _ = try await book.disburse(applied.id, on: disbursed, channel: .spei, reference: "D-\(borrower.name)", lenderID: lender, actor: .commandLine)
            loans[borrower.name] = applied.id
            clients[borrower.name] = client.id
        }
        try await contacts.placeHold(loanID: loans["G"]!, lenderID: lender, reason: .dispute, note: "Aclaración del cargo de marzo", actor: .commandLine)
        try await contacts.promise(
            loanID: loans["H"]!, lenderID: lender, amount: .mxn(centavos: 300_000), dueOn: CalendarDate(text: "2026-03-12")!, toleranceDays: 2,
            today: CalendarDate(text: "2026-03-05")!, actor: .commandLine
        )
        return (lender, loans, clients)
    }

    static func messages(_ database: Database) async throws -> [String: (state: String, sendAfter: String, channel: String, error: String?)] {
        try await database.withConnection { db in
            var rows: [String: (String, String, String, String?)] = [:]
            for row in try await db.raw("SELECT loan_id, state, send_after, channel, error_code FROM collection_messages").all() {
                rows[try row.decode(column: "loan_id", as: String.self)] = (
                    try row.decode(column: "state", as: String.self), try row.decode(column: "send_after", as: String.self),
                    try row.decode(column: "channel", as: String.self), try row.decode(column: "error_code", as: String?.self)
                )
            }
            return rows.mapValues { (state: $0.0, sendAfter: $0.1, channel: $0.2, error: $0.3) }
        }
    }

    static func waitFor(_ what: String, state: (@Sendable () async throws -> String)? = nil, _ condition: @Sendable () async throws -> Bool) async throws {
        // The sandboxes post webhooks in the background and retry with waits, like the providers: generous under load
        // (the whole suite runs in parallel on two cores in CI).
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what): \(try await state?() ?? "")")
        throw CancellationError()
    }

    @Test("Each loan gets its step once, at 07:00 in its borrower's zone, or the reason it was not written; sent through the sandboxes exactly once, statuses and a BAJA reply back through signed webhooks", arguments: TestEngine.available)
    func endToEnd(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock(Self.start)
            let (lender, loans, clients) = try await Self.portfolio(database, clock: clock)
            let book = LoanBook(database: database, clock: { clock.read() })
            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: Self.closed)

            let appPort = BoundPort(0)
            let sandboxes = try MessagingSandboxes(webhookBase: { "http://127.0.0.1:\(appPort.value)/webhooks" }, clock: { clock.read() })
            let smtpPort = try await sandboxes.sink.start()
            defer { Task { await sandboxes.sink.stop() } }
            let sandboxRouter = Router()
            sandboxes.add(to: sandboxRouter)
            try await Application(router: sandboxRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { sandbox in
                let settings = Self.settings(sandbox: "http://127.0.0.1:\(sandbox.port!)", smtpPort: smtpPort, ca: sandboxes.sink.certificatePEM, app: appPort)
                try await makeApp(database, clock: { clock.read() }, configure: { $0.messaging = settings }).test(.live) { app in
                    appPort.set(app.port!)
                    let clabes = LoanCLABEs(database: database, range: try VirtualCLABERange(prefix: "6461809999"), clock: { clock.read() })
                    let dunning = DunningRun(
                        database: database, book: book, directory: ClientDirectory(database: database, keys: TestKeys.live, clock: { clock.read() }), keys: TestKeys.live,
                        settings: settings, clabes: clabes
                    )
                    let summary = try await dunning.run(lenderID: lender, closed: Self.closed)
                    #expect(summary.loans == 11 && summary.paused == 2 && summary.scheduled == 6 && summary.calls == 1 && summary.failures.isEmpty)
                    #expect(summary.refused == ["opted_out": 1, "no_consent": 1])
                    var rows = try await Self.messages(database)
                    // 07:00 local: Mexico City UTC−6, Cancún UTC−5, Tijuana UTC−7 (daylight time since 8 March), Monterrey UTC−6.
                    #expect(rows[loans["A"]!].map { [$0.state, $0.sendAfter, $0.channel] } == ["scheduled", "2026-03-10T13:00:00.000Z", "sms"])
                    #expect(rows[loans["B"]!].map { [$0.state, $0.sendAfter, $0.channel] } == ["scheduled", "2026-03-10T12:00:00.000Z", "whatsapp"])
                    #expect(rows[loans["C"]!].map { [$0.state, $0.sendAfter, $0.channel] } == ["scheduled", "2026-03-10T14:00:00.000Z", "sms"])
                    #expect(rows[loans["D"]!].map { [$0.state, $0.channel, $0.error ?? ""] } == ["refused", "whatsapp", "opted_out"])
                    #expect(rows[loans["E"]!].map { [$0.state, $0.sendAfter, $0.channel] } == ["scheduled", "2026-03-10T13:00:00.000Z", "email"])
                    #expect(rows[loans["F"]!].map { [$0.state, $0.sendAfter, $0.channel] } == ["call_pending", "2026-03-10T13:00:00.000Z", "voice"])
                    #expect(rows[loans["G"]!] == nil && rows[loans["H"]!] == nil)
                    #expect(rows[loans["I"]!].map { [$0.state, $0.error ?? ""] } == ["refused", "no_consent"])
                    // Run again: nothing new.
                    let again = try await dunning.run(lenderID: lender, closed: Self.closed)
                    #expect(again.scheduled == 0 && again.calls == 0 && again.refused.isEmpty)
                    #expect(try await Self.messages(database).count == 9)

                    // J pays at 04:00 Mexico City, after its message was written: it is not sent.
                    clock.advance(seconds: 3 * 3600 + 20 * 60)
                    let due = try #require(try await book.position(loans["J"]!, lenderID: lender, asOf: Self.closed).1?.installments.first)
                    _ = try await book.pay(loans["J"]!, .init(amount: due.remaining.decimalText, valueDate: "2026-03-10", channel: .spei, reference: "PAGO-J"), lenderID: lender, actor: .commandLine)
                    // K promises to pay on the 14th: its reminder is not sent either.
                    try await ContactBook(database: database, keys: TestKeys.live, clock: { clock.read() }).promise(
                        loanID: loans["K"]!, lenderID: lender, amount: .mxn(centavos: 300_000), dueOn: CalendarDate(text: "2026-03-14")!, toleranceDays: 0,
                        today: CalendarDate(text: "2026-03-10")!, actor: .commandLine
                    )

                    let outbox = MessageOutbox(
                        database: database, keys: TestKeys.live, senders: settings.senders(),
                        statusCallback: { $0 == .sms ? "http://127.0.0.1:\(appPort.value)/webhooks/twilio/estado" : nil }, logger: .init(label: "test"), clock: { clock.read() }
                    )
                    clock.advance(seconds: 2 * 3600 + 30 * 60)
                    // 12:30Z: only Cancún has reached 07:00.
                    #expect(clock.read().text == "2026-03-10T12:30:00.000Z")
                    #expect(try await outbox.drain() == .init(sent: 1))
                    clock.advance(seconds: 3600)
                    // 13:30Z: Mexico City and Monterrey; J's payment and K's promise cancel theirs.
                    #expect(try await outbox.drain() == .init(sent: 2, canceled: 2))
                    clock.advance(seconds: 35 * 60)
                    #expect(try await outbox.drain() == .init(sent: 1))
                    #expect(try await outbox.drain() == .init())

                    try await Self.waitFor("delivery statuses", state: {
                        let rows = try await Self.messages(database)
                        return ["A", "B", "C"].map { "\($0): \(rows[loans[$0]!].map { "\($0.state) \($0.error ?? "")" } ?? "none")" }.joined(separator: ", ")
                    }) {
                        let rows = try await Self.messages(database)
                        return rows[loans["A"]!]?.state == "delivered" && rows[loans["B"]!]?.state == "read" && rows[loans["C"]!]?.state == "undelivered"
                    }
                    rows = try await Self.messages(database)
                    #expect(rows[loans["C"]!]?.error == "30003")
                    #expect(rows[loans["E"]!]?.state == "sent")
                    #expect(rows[loans["J"]!].map { [$0.state, $0.error ?? ""] } == ["canceled", "paid"])
                    #expect(rows[loans["K"]!].map { [$0.state, $0.error ?? ""] } == ["canceled", "promise"])
                    // Each message reached its borrower once.
                    let received = await sandboxes.received()
                    #expect(received.count == 4)
                    #expect(Set(received.map(\.to)) == ["+525511110001", "+529981110002", "+526641110000", "e@example.com"])
                    let sms = try #require(received.first { $0.to == "+525511110001" })
                    let clabe = try #require(try await clabes.clabe(of: loans["A"]!, lenderID: lender))
                    let installment = try #require(try await book.position(loans["A"]!, lenderID: lender, asOf: Self.closed).1?.installments.first)
                    #expect(sms.text.contains("tu pago de \(installment.remaining.formatted(.symbol)) del credito \(loans["A"]!) vence el 13/03/2026. Paga por SPEI a la CLABE \(clabe)."))
                    #expect(sms.text.hasPrefix("Financiera Prueba: Hola "))
                    #expect(GSM7.isEncodable(sms.text))
                    let mail = try #require(sandboxes.sink.mails.first)
                    #expect(mail.subject == "Financiera Prueba: información sobre tu crédito \(loans["E"]!)")
                    #expect(mail.body.contains("pendiente desde el 23/02/2026 (15 días)"))

                    // A BAJA from A's phone, through Twilio's signed incoming webhook, opts A out of SMS.
                    try await sandbox.execute(uri: "/twilio/_sandbox/reply", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "from=5511110001&body=BAJA")) { _ in }
                    try await Self.waitFor("the opt-out") {
                        try await ContactBook(database: database, keys: TestKeys.live).consents(clientID: clients["A"]!, lenderID: lender)[.sms] == .optedOut
                    }
                    // A forged status report is refused.
                    try await app.execute(uri: "/webhooks/twilio/estado", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "MessageSid=SMx&MessageStatus=delivered")) { response in
                        #expect(response.status == .unauthorized)
                    }
                }
            }
        }
    }

    @Test("The loan's collection file: a gestor records an opt-out, pauses and resumes collection and records a promise (a bad amount refused with the reason); an auditor reads it without the forms; every change audited")
    func collectionFile() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, client, loan) = try await PaymentIntentPagesTests.borrowerLoan(database)
            try await makeApp(database).test(.router) { app in
                let gestor = TestBrowser(app)
                try await gestor.signIn(TestStaff.username(.gestorCobranza))
                var page = try await gestor.get("/cobranza/creditos/\(loan.id)")
                #expect(page.status == .ok && page.text.contains("Sin consentimiento registrado") && page.text.contains("Pausar la cobranza"))
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/consentimiento", ["canal": "sms", "estado": "opted_out", "constancia": "Llamada del 10/03, pidió no recibir SMS"])
                #expect(page.location == "/cobranza/creditos/\(loan.id)?aviso=consentimiento")
                #expect(try await ContactBook(database: database, keys: TestKeys.live).consents(clientID: client, lenderID: lender)[.sms] == .optedOut)
                page = try await gestor.get("/cobranza/creditos/\(loan.id)")
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/pausas", ["motivo": "aclaracion", "nota": "Reclamo UNE 123"])
                #expect(page.location == "/cobranza/creditos/\(loan.id)?aviso=pausa")
                page = try await gestor.get(page.location!)
                #expect(page.text.contains("La cobranza del crédito quedó en pausa.") && page.text.contains("Aclaración o queja en trámite") && page.text.contains("Dado de baja"))
                let hold = try #require(try await database.withConnection { db in try await db.raw("SELECT id FROM collection_holds").first(decodingColumn: "id", as: String.self) })
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/promesas", ["monto": "mil pesos", "fecha": "2026-12-15", "tolerancia": "2"])
                #expect(page.status == .unprocessableContent && page.text.contains("Escriba el monto prometido"))
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/promesas", ["monto": "1250.00", "fecha": LoanBook(database: database).today().adding(days: 5).text, "tolerancia": "2"])
                #expect(page.location == "/cobranza/creditos/\(loan.id)?aviso=promesa")
                page = try await gestor.get(page.location!)
                #expect(page.text.contains("$1,250.00") && page.text.contains("Vigente"))
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/pausas/\(hold)/terminar")
                #expect(page.location == "/cobranza/creditos/\(loan.id)?aviso=pausa_terminada")
                page = try await gestor.post("/cobranza/creditos/\(loan.id)/pausas/\(hold)/terminar")
                #expect(page.status == .unprocessableContent && page.text.contains("no existe o ya terminó"))
                #expect(try await gestor.get("/cobranza/mensajes").text.contains("No hay mensajes con ese filtro."))
                let vintages = try await gestor.get("/cobranza/cosechas")
                let cohort = String(LoanBook(database: database).today().adding(days: -10).text.prefix(7))
                #expect(vintages.status == .ok && vintages.text.contains("<svg") && vintages.text.contains("<td>\(cohort)</td><td>1</td>"))

                let auditor = TestBrowser(app)
                try await auditor.signIn(TestStaff.username(.auditor))
                page = try await auditor.get("/cobranza/creditos/\(loan.id)")
                #expect(page.status == .ok && !page.text.contains("Pausar la cobranza") && page.text.contains("Reclamo UNE 123"))
                #expect(try await auditor.post("/cobranza/creditos/\(loan.id)/pausas", ["motivo": "juridico", "nota": "x"]).status == .forbidden)
                // (The application closes the database when it stops: checked before.)
                let actions = try await database.withConnection { db in
                    try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'collections.%' OR action LIKE 'contact.%' ORDER BY sequence").all(decodingColumn: "action", as: String.self)
                }
                #expect(actions == ["contact.consent.opted_out", "collections.hold", "collections.promise", "collections.hold_released"])
            }
        }
    }
}
