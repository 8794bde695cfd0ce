import CarteraCore
import CarteraTestSupport
import Clients
import Integrations
import LoanCollections
import Logging
import SQLKit
import Store
import Testing

@testable import App

@Suite("Message statuses: early reports never move a message back")
struct MessageReportOrderTests {
    /// The race a CI run caught: "sent" and "delivered" arrive before the send is recorded (kept without a message),
    /// "read" arrives after it is recorded (applied at once), and only then are the early ones applied. The message
    /// must stay "read".
    @Test("A report applied before the early ones is not undone by them", arguments: TestEngine.available)
    func earlyAfterLate(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock(CollectionMessagesTests.start)
            let (lender, loans, clients) = try await CollectionMessagesTests.portfolio(database, clock: clock)
            let loan = try #require(loans["B"]), client = try #require(clients["B"])
            let now = clock.read()
            try await database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO collection_messages (id, lender_id, client_id, loan_id, channel, template_key, template_version, provider_template, policy_code,
                        policy_version, step_key, due_date, business_date, dedupe_key, recipient, time_zone, subject, body, parameters, state, send_after,
                        attempts, next_attempt_at, provider_id, provider_status, created_at, sent_at, updated_at)
                    VALUES ('msg_order', \(bind: lender), \(bind: client), \(bind: loan), 'whatsapp', 'aviso_vencimiento', 1, 'aviso_vencimiento_v1', 'estandar',
                        1, '0|whatsapp|aviso_vencimiento', '2026-03-10', '2026-03-10', 'order-test', '+525511110002', 'America/Mexico_City', NULL, 'Hola', '[]',
                        'sent', \(bind: now.text), 1, \(bind: now.text), 'wamid.ORDER', 'accepted', \(bind: now.text), \(bind: now.text), \(bind: now.text))
                    """
                ).run()
                for (key, status) in [("wamid.ORDER|sent", "sent"), ("wamid.ORDER|delivered", "delivered")] {
                    try await db.raw(
                        """
                        INSERT INTO message_events (channel, event_key, provider_id, message_id, status, error_code, received_at)
                        VALUES ('whatsapp', \(bind: key), 'wamid.ORDER', NULL, \(bind: status), NULL, \(bind: now.text))
                        """
                    ).run()
                }
            }
            let outbox = MessageOutbox(
                database: database, keys: TestKeys.live, senders: [:], statusCallback: { _ in nil }, logger: .init(label: "test"), clock: { clock.read() }
            )
            let report = MessageStatusReport(updates: [.init(providerID: "wamid.ORDER", status: "read", errorCode: nil, eventKey: "wamid.ORDER|read")])
            try await outbox.apply(report, channel: .whatsapp, directory: ClientDirectory(database: database, keys: TestKeys.live, clock: { clock.read() }))
            func state() async throws -> String? {
                try await database.withConnection { db in
                    try await db.raw("SELECT state FROM collection_messages WHERE id = 'msg_order'").first(decodingColumn: "state", as: String.self)
                }
            }
            #expect(try await state() == "read")
            let claimed = MessageOutbox.Claimed(
                id: "msg_order", lenderID: lender, clientID: client, loanID: loan, channel: .whatsapp, providerTemplate: "aviso_vencimiento_v1",
                recipient: "+525511110002", zone: "America/Mexico_City", subject: nil, body: "Hola", parameters: [], attempts: 1,
                businessDate: CalendarDate(text: "2026-03-10")!
            )
            try await outbox.applyEarlyReports(claimed, providerID: "wamid.ORDER", now: clock.read())
            #expect(try await state() == "read")
            let unattached = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM message_events WHERE message_id IS NULL").first(decodingColumn: "n", as: Int.self)
            }
            #expect(unattached == 0)
        }
    }
}
