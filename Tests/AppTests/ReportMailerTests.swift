import App
import CarteraCore
import CarteraTestSupport
import Foundation
import Integrations
import Lending
import NIOCore
import SQLKit
import Sandbox
import Store
import Testing

@Suite("Delinquency report by e-mail")
struct ReportMailerTests {
    @Test("Daily subscribers get each closed day's report once, weekly ones the Sunday's; a canceled subscription gets nothing; a server that defers is tried again; addresses are encrypted", arguments: TestEngine.available)
    func mailed(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            // Monday 2026-03-09 10:00 Mexico City: Sunday the 8th is the day to close.
            let clock = TestClock(Timestamp(text: "2026-03-09T16:00:00.000Z")!)
            let (lender, _, _) = try await PaymentIntentPagesTests.borrowerLoan(database)
            let book = LoanBook(database: database, clock: { clock.read() })
            let sunday = CalendarDate(text: "2026-03-08")!
            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: sunday)
            let sink = try SMTPSink()
            let port = try await sink.start()
            defer { Task { await sink.stop() } }
            let sender = SMTPSender(settings: .init(
                host: "127.0.0.1", port: port, security: .startTLS, username: SMTPSink.username, password: SMTPSink.password, from: "reportes@prueba.mx",
                trustedCertificatesPEM: sink.certificatePEM
            ))
            let mailer = ReportMailer(database: database, keys: TestKeys.live, sender: sender, clock: { clock.read() })
            _ = try await mailer.subscribe(lenderID: lender, email: "Direccion@Prueba.mx", frequency: .daily, actor: .commandLine)
            _ = try await mailer.subscribe(lenderID: lender, email: "consejo@prueba.mx", frequency: .weekly, actor: .commandLine)
            let gone = try await mailer.subscribe(lenderID: lender, email: "exgerente@prueba.mx", frequency: .daily, actor: .commandLine)
            try await mailer.cancel(gone, lenderID: lender, actor: .commandLine)
            let deferred = try await mailer.subscribe(lenderID: lender, email: "temporal@prueba.mx", frequency: .daily, actor: .commandLine)
            await #expect(throws: CollectionRefusal.self) { _ = try await mailer.subscribe(lenderID: lender, email: "no es correo", frequency: .daily, actor: .commandLine) }

            #expect(try await mailer.send(lenderID: lender, closed: sunday) == .init(sent: 2, failed: 0, waiting: 1))
            #expect(Set(sink.mails.flatMap(\.recipients)) == ["direccion@prueba.mx", "consejo@prueba.mx"])
            let mail = try #require(sink.mails.first)
            #expect(mail.subject.hasPrefix("Financiera Prueba: morosidad al 2026-03-08"))
            #expect(mail.body.contains("PAR30") && mail.body.contains("Al corriente"))
            // Again: nothing new; the deferred one is tried again (and deferred again).
            #expect(try await mailer.send(lenderID: lender, closed: sunday) == .init(sent: 0, failed: 0, waiting: 1))
            #expect(sink.mails.count == 2)
            try await mailer.cancel(deferred, lenderID: lender, actor: .commandLine)
            // Monday: only the daily report.
            clock.advance(seconds: 86_400)
            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: sunday.adding(days: 1))
            #expect(try await mailer.send(lenderID: lender, closed: sunday.adding(days: 1)) == .init(sent: 1))
            #expect(sink.mails.last?.recipients == ["direccion@prueba.mx"])
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT email FROM report_subscriptions").all(decodingColumn: "email", as: String.self)
            }
            #expect(stored.allSatisfy { !$0.contains("@") })
        }
    }
}
