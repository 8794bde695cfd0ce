import CarteraCore
import Compliance
import CarteraSecurity
import CarteraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import Lending
import Reconciliation
import NIOConcurrencyHelpers
import SQLKit
import Sandbox
import Store
import Testing

@testable import App

/// SPEI through STP end to end: Cartera and the STP sandbox on one live server, the sandbox calling Cartera's callbacks.
@Suite("SPEI through STP: disbursement orders, settlement, returns, deposits and suspense")
struct SPEITransferTests {
    static let range = try! VirtualCLABERange(prefix: "6461809999")

    /// The balance (debits − credits) of each account in the loan's journal lines (or the lender's, with nil).
    static func balances(_ database: Database, loanID: String?) async throws -> [String: Int64] {
        try await database.withConnection { db in
            let filter: SQLQueryString = loanID.map { "loan_id = \(bind: $0)" } ?? "loan_id IS NULL"
            var result: [String: Int64] = [:]
            for row in try await db.raw("SELECT account, CAST(SUM(debit) - SUM(credit) AS BIGINT) AS b FROM journal_lines WHERE \(filter) GROUP BY account").all() {
                let balance = try row.decode(column: "b", as: Int64.self)
                if balance != 0 { result[try row.decode(column: "account", as: String.self)] = balance }
            }
            return result
        }
    }

    static func wait(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<250 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("waited in vain for \(what)")
    }

    /// Cartera and the STP sandbox on one live server, over a fresh database with a lender, a client and its product.
    struct Harness {
        let database: Database
        let fixture: LoanFixture
        let book: LoanBook
        let keys: LiveKeys
        let clabes: LoanCLABEs
        let transfers: SPEITransfers
        let sandbox: STPSandbox
        let client: any TestClientProtocol
        let staff = Administration.Actor(kind: .user, id: "u.administrador")

        func approved(_ amount: String) async throws -> String {
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: fixture.clientID, productCode: "MENSUAL", amount: amount, term: 3), lenderID: fixture.lenderID, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: fixture.lenderID, actor: .commandLine)
            return loan.id
        }

        func order(_ id: String) async throws -> SPEITransfers.Order { try await transfers.order(id, lenderID: fixture.lenderID) }

        static func run(on engine: TestEngine, settleAfter: Duration? = .milliseconds(30), _ body: @escaping @Sendable (Harness) async throws -> Void) async throws {
            try await engine.withFreshDatabase { database in
                try await Migrator(database: database).migrate()
                _ = try await TestStaff.seed(database)
                let fixture = try await LoanFixture.make(database)
                let book = LoanBook(database: database)
                let signer = try STPSigner.generated()
                let publicKey = signer.publicKeyPEM
                let port = NIOLockedValueBox(0)
                let base: @Sendable () -> String = { "http://127.0.0.1:\(port.withLockedValue { $0 })" }
                var configuration = AppConfiguration(databaseURL: database.url)
                configuration.virtualCLABEs = SPEITransferTests.range
                let settings = STPSettings(
                    apiBase: { base() + "/stp/speiws/rest" },
                    company: .init(empresa: STPSandbox.empresa, cuentaOrdenante: STPSandbox.companyAccount, nombreOrdenante: "FINANCIERA PRUEBA", rfcCurpOrdenante: nil),
                    privateKeyPEM: signer.privateKeyPEM, callbackAllow: ["127.0.0.1", "::1"]
                )
                configuration.stp = settings
                let sandbox = STPSandbox(
                    publicKeyPEM: { publicKey }, statusURL: { base() + "/webhooks/stp/estado" }, depositURL: { base() + "/webhooks/stp/abono" }, settleAfter: settleAfter
                )
                let keys = TestKeys.live
                let tokens = try await TokenService.load(database: database, keys: keys)
                let built = buildRouter(configuration: configuration, database: database, keys: keys, tokens: tokens, clock: { .now })
                sandbox.add(to: built.router, prefix: "/stp")
                let clabes = LoanCLABEs(database: database, range: SPEITransferTests.range)
                let transfers = SPEITransfers(database: database, keys: keys, book: book, clabes: clabes, settings: settings)
                try await Application(router: built.router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                    port.withLockedValue { $0 = client.port! }
                    try await body(Harness(database: database, fixture: fixture, book: book, keys: keys, clabes: clabes, transfers: transfers, sandbox: sandbox, client: client))
                }
            }
        }
    }

    @Test("An order is signed and sent, settled by callback into Bancos; a returned one is reversed; deposits find their loan or wait in suspense", arguments: TestEngine.available)
    func endToEnd(engine: TestEngine) async throws {
        try await Harness.run(on: engine) { h in
            let (database, fixture, book, keys, clabes, transfers, sandbox, client, staff) = (h.database, h.fixture, h.book, h.keys, h.clabes, h.transfers, h.sandbox, h.client, h.staff)
            let settledLoan = try await h.approved("10000.00")
            let returnedLoan = try await h.approved("5000.00")
            do {
                // 1. An order taken by STP disburses the loan against SPEI in transit (2303) …
                let beneficiary = CLABE.make(bankPrefix: "012", plaza: "180", account: "00123456789")!
                let order = try await transfers.disburse(settledLoan, clabe: beneficiary, name: "María Fernanda Núñez", rfc: nil, lenderID: fixture.lenderID, actor: staff)
                #expect(["enviada", "liquidada"].contains(order.status) && order.amount == "10000.00" && order.beneficiaryName == "Maria Fernanda Nunez" && order.trackingKey.count <= 29)
                #expect(try await book.loan(settledLoan, lenderID: fixture.lenderID).status == .active)
                // … a second order for the same loan is refused while one is on its way (and the loan is no longer approved).
                await #expect(throws: APIError.self) { try await transfers.disburse(settledLoan, clabe: beneficiary, name: "Otra", rfc: nil, lenderID: fixture.lenderID, actor: staff) }
                // … and STP's settlement moves it to Bancos.
                try await Self.wait("settlement") { try await transfers.order(order.id, lenderID: fixture.lenderID).status == "liquidada" }
                let settled = try await Self.balances(database, loanID: settledLoan)
                #expect(settled["2303"] == nil && settled["1102"] == -1_000_000 && settled["1301"] == 1_000_000)

                // 2. A returned order (the account does not exist) reverses the disbursement: the loan is approved again.
                let missing = CLABE.make(bankPrefix: "012", plaza: "180", account: "99900000001")!
                let returned = try await transfers.disburse(returnedLoan, clabe: missing, name: "Juan Pérez", rfc: "PEGJ800101AB1", lenderID: fixture.lenderID, actor: staff)
                #expect(["enviada", "devuelta"].contains(returned.status))  // STP may answer before this reads it back
                try await Self.wait("return") { try await transfers.order(returned.id, lenderID: fixture.lenderID).status == "devuelta" }
                #expect(try await transfers.order(returned.id, lenderID: fixture.lenderID).returnCause == 1)
                #expect(try await Self.balances(database, loanID: returnedLoan).isEmpty)
                let again = try await book.loan(returnedLoan, lenderID: fixture.lenderID)
                #expect(again.status == .approved && again.disbursedOn == nil)
                // It can be disbursed anew (here by a bank transfer).
                _ = try await book.disburse(returnedLoan, channel: .transfer, reference: "TR-1", lenderID: fixture.lenderID, actor: .commandLine)
                #expect(try await book.loan(returnedLoan, lenderID: fixture.lenderID).status == .active)

                // 3. A deposit to a loan's own CLABE is applied to it, once, however often STP calls.
                let loanCLABE = try #require(try await clabes.clabe(of: settledLoan, lenderID: fixture.lenderID))
                let key = try await sandbox.sendDeposit(account: loanCLABE, amount: "1500.00", payer: "María Núñez", payerAccount: beneficiary, concept: "PAGO", reference: nil)
                _ = try await sandbox.sendDeposit(account: loanCLABE, amount: "1500.00", payer: "María Núñez", payerAccount: beneficiary, concept: "PAGO", reference: nil, trackingKey: key)
                let payments = try await book.payments(settledLoan, lenderID: fixture.lenderID)
                #expect(payments.count == 1 && payments.first?.reference == key && payments.first?.channel == "spei" && payments.first?.amount == "1500.00")
                let deposits = try await transfers.deposits(lenderID: fixture.lenderID)
                #expect(deposits.count == 1 && deposits.first?.status == "aplicado" && deposits.first?.loanId == settledLoan && deposits.first?.payerName == "Maria Nunez")

                // 4. A deposit to a CLABE of the range that no loan has waits in suspense, and staff apply it.
                let unassigned = try #require(Self.range.clabe(number: 999_999))
                let stray = try await sandbox.sendDeposit(account: unassigned, amount: "250.00", payer: "Sin Nombre", payerAccount: beneficiary, concept: "ABONO", reference: "7")
                let waiting = try #require(try await transfers.deposits(lenderID: fixture.lenderID).first { $0.trackingKey == stray })
                #expect(waiting.status == "suspenso")
                #expect(try await Self.balances(database, loanID: nil) == ["1102": 25_000, "2301": -25_000])
                try await transfers.applyFromSuspense(waiting.id, to: settledLoan, lenderID: fixture.lenderID, actor: staff)
                await #expect(throws: APIError.self) { try await transfers.applyFromSuspense(waiting.id, to: settledLoan, lenderID: fixture.lenderID, actor: staff) }
                let applied = try await book.payments(settledLoan, lenderID: fixture.lenderID)
                #expect(applied.count == 2 && applied.contains { $0.channel == "suspenso" && $0.reference == stray && $0.amount == "250.00" })
                let settledNow = try await Self.balances(database, loanID: settledLoan)
                #expect(settledNow["2301"] == 25_000)  // the suspense credit is cleared by the loan's payment from suspense

                // 5. A deposit to an account that is not the lender's is refused so STP returns it; nothing is stored.
                let foreign = try await sandbox.sendDeposit(account: beneficiary, amount: "10.00", payer: "X", payerAccount: beneficiary, concept: "X", reference: nil)
                #expect(try await transfers.deposits(lenderID: fixture.lenderID).count == 2)
                #expect(sandbox.answer(toDeposit: foreign) == #"devuelto: {"id":1,"mensaje":"Cuenta inexistente"}"#)

                // A status callback repeated changes nothing; staff cannot pay from suspense through the payment form.
                let repeatBody = Array(#"{"id":1,"folioOrigen":"\#(order.id)","estado":"LIQUIDACION"}"#.utf8)
                #expect(try await transfers.orderStatus(repeatBody) == .accepted)
                #expect(try await Self.balances(database, loanID: settledLoan)["1102"] == -1_000_000 + 150_000)
                await #expect(throws: APIError.self) {
                    try await book.pay(settledLoan, .init(amount: "1.00", channel: .suspense), lenderID: fixture.lenderID, actor: .commandLine)
                }

                // The same deposit in the STP account's statement is recognised by its tracking key: nothing is posted twice.
                let today = book.today().text.replacingOccurrences(of: "-", with: "")
                let ofx = """
                    OFXHEADER:100
                    DATA:OFXSGML

                    <OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN<BANKACCTFROM><BANKID>646<ACCTID>\(STPSandbox.companyAccount)<ACCTTYPE>CHECKING</BANKACCTFROM>
                    <BANKTRANLIST><DTSTART>\(today)<DTEND>\(today)
                    <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>\(today)<TRNAMT>1500.00<FITID>F1<NAME>MARIA NUNEZ<MEMO>SPEI \(key) \(loanCLABE)</STMTTRN>
                    </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
                    """
                _ = try await StatementImports(database: database, keys: keys).importFile(Data(ofx.utf8), fileName: "stp.ofx", lenderID: fixture.lenderID, actor: staff)
                let summary = try await BankReconciliation(database: database, keys: keys, book: book, clabes: clabes).run(lenderID: fixture.lenderID, actor: staff)
                #expect(summary.alreadyReceived == 1 && summary.posted == 0)
                #expect(try await book.payments(settledLoan, lenderID: fixture.lenderID).count == 2)

                // The back office lists orders and deposits.
                let gestor = TestBrowser(client)
                try await gestor.signIn("u.gestor.cobranza")
                let page = try await gestor.get("/spei").text
                #expect(page.contains(order.trackingKey) && page.contains("Liquidada") && page.contains("Devuelta (causa 1)") && page.contains(stray))
                #expect(page.contains("Maria Fernanda Nunez") && page.contains("Aplicado"))

                let report = try await LedgerVerification(database: database, book: book).run()
                #expect(report.ok, "\(report.problems)")
                let actions = try await database.withConnection { db in
                    try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'spei.%' OR action = 'loan.disbursement_returned'").all(decodingColumn: "action", as: String.self)
                }
                for action in ["spei.order.create", "spei.order.sent", "spei.order.settled", "spei.order.returned", "loan.disbursement_returned", "spei.deposit.receive", "spei.deposit.suspense"] {
                    #expect(actions.contains(action), "\(action)")
                }
            }
        }
    }

    @Test("Who pays a loan by SPEI: the client (as its bank writes the name) raises nothing, a third party raises an alert, a payer on the blocked-persons list is held in suspense with a hit on the client to review", arguments: TestEngine.available)
    func counterparties(engine: TestEngine) async throws {
        try await Harness.run(on: engine) { h in
            let lender = h.fixture.lenderID
            let loan = try await h.approved("6000.00")
            _ = try await h.book.disburse(loan, channel: .transfer, reference: "T-1", lenderID: lender, actor: .commandLine)
            let clabe = try #require(try await h.clabes.clabe(of: loan, lenderID: lender))
            let payerAccount = CLABE.make(bankPrefix: "012", plaza: "180", account: "00123456789")!
            // Gloria herself, as her bank writes her name (another order, no maternal surname); then someone else.
            _ = try await h.sandbox.sendDeposit(account: clabe, amount: "100.00", payer: "HERNANDEZ GLORIA", payerAccount: payerAccount, concept: "PAGO", reference: nil)
            _ = try await h.sandbox.sendDeposit(account: clabe, amount: "100.00", payer: "Pedro Ramírez Soto", payerAccount: payerAccount, concept: "PAGO", reference: nil)
            #expect(try await h.book.payments(loan, lenderID: lender).count == 2)
            let alerts = try await h.database.withConnection { db in
                try await db.raw("SELECT rule FROM compliance_alerts WHERE client_id = \(bind: h.fixture.clientID)").all(decodingColumn: "rule", as: String.self)
            }
            #expect(alerts.filter { $0 == "pago_de_tercero" }.count == 1)

            // The same payer once on the blocked-persons list: the money waits in suspense, staff read only that compliance holds it.
            _ = try await Watchlists(database: h.database).importList(
                [ListEntry(id: "LPB:9", list: "LPB", kind: .individual, name: "RAMIREZ SOTO, Pedro")], list: "LPB", format: "csv", purpose: .blocking,
                files: [Array("v1".utf8)], actor: .commandLine
            )
            let held = try await h.sandbox.sendDeposit(account: clabe, amount: "300.00", payer: "Pedro Ramírez Soto", payerAccount: payerAccount, concept: "PAGO", reference: nil)
            let deposit = try #require(try await h.transfers.deposits(lenderID: lender).first { $0.trackingKey == held })
            #expect(deposit.status == "suspenso" && deposit.note == ClientScreening.holdMessage)
            #expect(try await h.book.payments(loan, lenderID: lender).count == 2)
            let screening = ClientScreening(database: h.database, keys: h.keys)
            let hits = try await screening.hits(clientID: h.fixture.clientID, lenderID: lender)
            #expect(hits.count == 1 && hits.first?.role == .counterparty && hits.first?.occasion == .payment && hits.first?.entryId == "LPB:9")
            // Nobody applies it from suspense while the match stands.
            await #expect(throws: APIError.self) { try await h.transfers.applyFromSuspense(deposit.id, to: loan, lenderID: lender, actor: h.staff) }
            #expect(try await h.transfers.deposits(lenderID: lender).first { $0.id == deposit.id }?.status == "suspenso")
            // Compliance finds it is someone else: dismissed, the money is applied, and the payer's next transfer too.
            let hit = try #require(hits.first)
            _ = try await screening.review(hit.id, confirm: false, note: "Homónimo: otra fecha de nacimiento y otro RFC", lenderID: lender, actor: .commandLine)
            try await h.transfers.applyFromSuspense(deposit.id, to: loan, lenderID: lender, actor: h.staff)
            _ = try await h.sandbox.sendDeposit(account: clabe, amount: "50.00", payer: "Pedro Ramírez Soto", payerAccount: payerAccount, concept: "PAGO", reference: nil)
            #expect(try await h.book.payments(loan, lenderID: lender).count == 4)
        }
    }

    @Test("STP down, a lost answer, a PLD refusal, returns reported as deposits, the legacy format, and a statement that came first", arguments: TestEngine.available)
    func ordersThatFailOrComeBack(engine: TestEngine) async throws {
        try await Harness.run(on: engine) { h in
            let lender = h.fixture.lenderID
            let beneficiary = CLABE.make(bankPrefix: "012", plaza: "180", account: "00123456789")!

            // STP down: the order stays unconfirmed with the loan disbursed against 2303, and goes out when sent again.
            let down = try await h.approved("4000.00")
            h.sandbox.faults.set(.status(503))
            let unavailable = await #expect(throws: APIError.self) {
                try await h.transfers.disburse(down, clabe: beneficiary, name: "Ana Lopez", rfc: nil, lenderID: lender, actor: h.staff)
            }
            #expect(unavailable?.code == "spei_unavailable" && unavailable?.status == .serviceUnavailable)
            let waiting = try #require(try await h.transfers.orders(lenderID: lender, loanID: down).first)
            #expect(waiting.status == "enviando" && waiting.error != nil)
            #expect(try await h.book.loan(down, lenderID: lender).status == .active)
            #expect(try await SPEITransferTests.balances(h.database, loanID: down)["2303"] == -400_000)
            await #expect(throws: APIError.self) { try await h.book.disburse(down, channel: .cash, reference: nil, lenderID: lender, actor: .commandLine) }
            h.sandbox.faults.clear()
            #expect(try await h.transfers.resendWaiting(olderThan: 0) == 1)
            try await SPEITransferTests.wait("settlement after resend") { try await h.order(waiting.id).status == "liquidada" }
            #expect(try await SPEITransferTests.balances(h.database, loanID: down)["2303"] == nil)

            // The answer lost after STP took the order: the retry is told the key is taken, and the order is confirmed.
            let lost = try await h.approved("3000.00")
            h.sandbox.loseAnswers(1)
            let confirmed = try await h.transfers.disburse(lost, clabe: beneficiary, name: "Ana Lopez", rfc: nil, lenderID: lender, actor: h.staff)
            #expect(["enviada", "liquidada"].contains(confirmed.status))
            try await SPEITransferTests.wait("settlement of the lost answer") { try await h.order(confirmed.id).status == "liquidada" }

            // Refused by STP (PLD): the disbursement is reversed and the loan approved again.
            let refused = try await h.approved("2000.00")
            let pld = await #expect(throws: APIError.self) {
                try await h.transfers.disburse(refused, clabe: beneficiary, name: "Rechazo PLD", rfc: nil, lenderID: lender, actor: h.staff)
            }
            #expect(pld?.code == "spei_refused" && pld?.message.contains("Se rechaza por PLD") == true)
            #expect(try await h.transfers.orders(lenderID: lender, loanID: refused).first?.status == "rechazada")
            #expect(try await h.book.loan(refused, lenderID: lender).status == .approved)
            #expect(try await SPEITransferTests.balances(h.database, loanID: refused).isEmpty)

            // A settled order whose money comes back as a deposit (tipoPago 0): the order is returned once, never a payment.
            let settled = try await h.approved("6000.00")
            let back = try await h.transfers.disburse(settled, clabe: beneficiary, name: "Ana Lopez", rfc: nil, lenderID: lender, actor: h.staff)
            try await SPEITransferTests.wait("settlement") { try await h.order(back.id).status == "liquidada" }
            let today = h.book.today().text.replacingOccurrences(of: "-", with: "")
            let returnBody = #"{"id":1,"fechaOperacion":\#(today),"institucionOrdenante":40012,"claveRastreo":"DEV\#(today)01","monto":6000.00,"cuentaBeneficiario":"\#(STPSandbox.companyAccount)","tipoPago":0,"causaDevolucion":1,"claveRastreoDevolucion":"\#(back.trackingKey)"}"#
            for _ in 0..<2 { #expect(try await h.transfers.deposit(Array(returnBody.utf8)).answer == .accepted) }
            #expect(try await h.order(back.id).status == "devuelta")
            #expect(try await h.book.loan(settled, lenderID: lender).status == .approved)
            #expect(try await SPEITransferTests.balances(h.database, loanID: settled).isEmpty)
            #expect(try await h.transfers.deposits(lenderID: lender).first { $0.trackingKey == "DEV\(today)01" }?.status == "devolucion")
            #expect(try await SPEITransferTests.balances(h.database, loanID: nil).isEmpty)  // no suspense, no phantom money in Bancos

            // The legacy PascalCase format is answered in its own words.
            let active = try await h.approved("5000.00")
            _ = try await h.book.disburse(active, channel: .transfer, reference: "T-9", lenderID: lender, actor: .commandLine)
            let clabe = try #require(try await h.clabes.clabe(of: active, lenderID: lender))
            let legacy = #"{"Clave":2456303,"FechaOperacion":\#(today),"InstitucionOrdenante":40012,"InstitucionBeneficiaria":90646,"ClaveRastreo":"PRUEBALEGADO1","Monto":100.0,"NombreOrdenante":"BANCO","TipoCuentaOrdenante":40,"CuentaOrdenante":"\#(beneficiary)","RFCCurpOrdenante":"ND","NombreBeneficiario":"CARTERA","TipoCuentaBeneficiario":40,"CuentaBeneficiario":"\#(clabe)","RFCCurpBeneficiario":"ND","ConceptoPago":"PRUEBA","ReferenciaNumerica":2423,"Empresa":"CARTERA"}"#
            let response = try await h.client.execute(uri: "/webhooks/stp/abono", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: legacy))
            #expect(response.status == .ok && String(buffer: response.body) == #"{"estado":"LIQUIDACION"}"#)
            #expect(try await h.book.payments(active, lenderID: lender).map(\.amount) == ["100.00"])

            // The bank statement brought a transfer first and it was posted: STP's callback for it posts nothing more.
            let line = StatementEntry(
                index: 0, amount: 25_000, currency: "MXN", bookingDate: h.book.today(), valueDate: h.book.today(), endToEndID: "STMTFIRST1",
                counterpartyAccount: clabe, naturalKey: "test|STMTFIRST1"
            )
            let statement = BankStatement(format: .camt053, id: "S1", sequence: nil, account: STPSandbox.companyAccount, currency: "MXN", opening: nil, closing: nil, entries: [line])
            _ = try await StatementImports(database: h.database, keys: h.keys).store(
                [statement], source: "prueba", digest: "x", format: "camt053", profile: nil, lenderID: lender, actor: .commandLine, progress: nil
            )
            let run = try await BankReconciliation(database: h.database, keys: h.keys, book: h.book, clabes: h.clabes).run(lenderID: lender, actor: .commandLine)
            #expect(run.posted == 1)
            let callback = #"{"id":7,"fechaOperacion":\#(today),"institucionOrdenante":40012,"claveRastreo":"STMTFIRST1","monto":250,"cuentaBeneficiario":"\#(clabe)","tipoPago":1}"#
            #expect(try await h.transfers.deposit(Array(callback.utf8)).answer == .accepted)
            #expect(try await h.book.payments(active, lenderID: lender).count == 2)
            #expect(try await h.transfers.deposits(lenderID: lender).first { $0.trackingKey == "STMTFIRST1" }?.status == "aplicado")

            let report = try await LedgerVerification(database: h.database, book: h.book).run()
            #expect(report.ok, "\(report.problems)")
        }
    }

    @Test("Callbacks are heard only from the configured addresses, and answered 503 while SPEI is not configured")
    func callbacksAreDeniedByDefault() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let keys = TestKeys.live
            let tokens = try await TokenService.load(database: database, keys: keys)
            var configuration = AppConfiguration(databaseURL: database.url)
            let unconfigured = buildRouter(configuration: configuration, database: database, keys: keys, tokens: tokens, clock: { .now })
            try await Application(router: unconfigured.router).test(.router) { client in
                let response = try await client.execute(uri: "/webhooks/stp/abono", method: .post, body: ByteBuffer(string: "{}"))
                #expect(response.status == .serviceUnavailable)
            }
            configuration.stp = STPSettings(
                apiBase: { "http://127.0.0.1:9" }, company: .init(empresa: "CARTERA", cuentaOrdenante: STPSandbox.companyAccount, nombreOrdenante: "F", rfcCurpOrdenante: nil),
                privateKeyPEM: try STPSigner.generated().privateKeyPEM, callbackAllow: ["10.1.2.3"]
            )
            let configured = buildRouter(configuration: configuration, database: database, keys: keys, tokens: tokens, clock: { .now })
            try await Application(router: configured.router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                for path in ["/webhooks/stp/abono", "/webhooks/stp/estado"] {
                    let response = try await client.execute(uri: path, method: .post, body: ByteBuffer(string: "{}"))
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains("spei_callback_forbidden"))
                }
            }
        }
    }
}
