import CarteraCore
import CarteraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOConcurrencyHelpers
import Sandbox
import Testing

@Suite("SPEI through STP: orders, signatures, callbacks")
struct STPTests {
    static let bbva = CLABE.make(bankPrefix: "012", plaza: "180", account: "00123456789")!

    static func order(beneficiary: String = bbva, key: String = "CART20261127ABCDEF", empresa: String = "CARTERA") -> STPOrder {
        STPOrder(
            empresa: empresa, claveRastreo: key, concepto: "DISPOSICION CREDITO ln_1", amount: .mxn(centavos: 1_234_560),
            cuentaOrdenante: STPSandbox.companyAccount, nombreOrdenante: "FINANCIERA DEMO", rfcCurpOrdenante: nil, clabeBeneficiario: beneficiary,
            nombreBeneficiario: "José Pérez Ñúñez", rfcCurpBeneficiario: nil, institucionContraparte: "40012", referenciaNumerica: 1_234_567, folioOrigen: "spo_1"
        )
    }

    @Test("The cadena original has the 34 fields in STP's order, ASCII, the amount with two decimals")
    func cadenaOriginal() {
        let order = Self.order(beneficiary: "012180001234567897")
        #expect(STPOrder.cadenaFields.count == 34)
        #expect(
            order.cadenaOriginal
                == "||40012|CARTERA||spo_1|CART20261127ABCDEF|90646|12345.60|1|40|FINANCIERA DEMO|\(STPSandbox.companyAccount)||40|Jose Perez Nunez|012180001234567897|ND||||||DISPOSICION CREDITO ln_1||||||1234567||T||3|1|||"
        )
        #expect(order.amountMinorUnits == 1_234_560)
        #expect(STPText.ascii("Pago | crédito ñandú", limit: 12) == "Pago  credit")
        #expect(STPText.twoDecimals(Decimal(string: "0.5")!) == "0.50" && STPText.minorUnits(Decimal(string: "1.005")!) == nil)
    }

    @Test("The firma is the same RSA-SHA256 (PKCS#1 v1.5) signature OpenSSL makes with the same key", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func signatureMatchesOpenSSL() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let signer = try STPSigner.generated()
        let keyFile = folder.appendingPathComponent("key.pem")
        try signer.privateKeyPEM.write(to: keyFile, atomically: true, encoding: .utf8)
        let cadena = Self.order().cadenaOriginal
        let message = folder.appendingPathComponent("cadena.txt")
        try cadena.write(to: message, atomically: true, encoding: .utf8)
        let signature = folder.appendingPathComponent("firma.bin")
        let process = try ChildProcess(executable: "/usr/bin/openssl", arguments: ["dgst", "-sha256", "-sign", keyFile.path, "-out", signature.path, message.path])
        #expect(process.waitUntilExit() == .exited(0))
        let expected = try Data(contentsOf: signature).base64EncodedString()
        #expect(try signer.sign(cadena) == expected)
        let check = try STPSignatureCheck(publicKeyPEM: signer.publicKeyPEM)
        #expect(check.isValid(firma: expected, for: cadena))
        #expect(!check.isValid(firma: expected, for: cadena.replacingOccurrences(of: "12345.60", with: "12345.61")))
    }

    @Test("The legacy deposit callback from the shared fixture is read exactly", .enabled(if: SharedFixtures.enabled))
    func legacyDepositFixture() throws {
        let deposit = try SPEIDeposit.parse(Array(try SharedFixtures.data("stp/orden_abono_default_income_transaction.json")))
        #expect(deposit.trackingKey == "PRUEBATAMIZI1" && deposit.participantID == "2456303")
        #expect(deposit.operatingDate.text == "2021-06-18" && deposit.senderInstitution == "40012")
        #expect(deposit.amount == .mxn(centavos: 10_000) && deposit.destinationAccount == "646180157000000004")
        #expect(deposit.payerName == "BANCO" && deposit.payerAccount == "846180000500000008" && deposit.numericReference == 2423 && deposit.company == "TAMIZI")
    }

    @Test("Current deposit callbacks, amounts read without floating point, and status callbacks in both vocabularies")
    func callbacks() throws {
        let body = #"{"id":9000002,"fechaOperacion":20261127,"institucionOrdenante":40012,"institucionBeneficiaria":90646,"claveRastreo":"058-27/11/2026/27-300CPWF924","monto":1234567.89,"nombreOrdenante":"ANA LOPEZ","cuentaOrdenante":"012180001234567897","cuentaBeneficiario":"646180999900000017","conceptoPago":"PAGO","referenciaNumerica":271126,"empresa":"CARTERA","tipoPago":1,"tsLiquidacion":1764250000000}"#
        let deposit = try SPEIDeposit.parse(Array(body.utf8))
        #expect(deposit.amount == .mxn(centavos: 123_456_789) && deposit.trackingKey == "058-27/11/2026/27-300CPWF924")
        #expect(deposit.operatingDate.text == "2026-11-27" && deposit.numericReference == 271_126)
        #expect(throws: SPEICallbackError.self) { try SPEIDeposit.parse(Array(#"{"claveRastreo":"X","fechaOperacion":"2026-11-27","monto":1}"#.utf8)) }
        #expect(throws: SPEICallbackError.self) { try SPEIDeposit.parse(Array("no es json".utf8)) }
        #expect(throws: SPEICallbackError.self) {
            try SPEIDeposit.parse(Array(body.replacingOccurrences(of: "1234567.89", with: "-5").utf8))
        }

        let settled = try SPEIOrderStatus.parse(Array(#"{"id":3100001,"empresa":"CARTERA","folioOrigen":"spo_1","estado":"LIQUIDACION","tsLiquidacion":1764250000000}"#.utf8))
        #expect(settled.state == .settled && settled.folio == "spo_1" && settled.participantID == "3100001" && settled.settledAtMilliseconds == 1_764_250_000_000)
        let returned = try SPEIOrderStatus.parse(Array(#"{"Id":3100002,"Empresa":"CARTERA","FolioOrigen":"spo_2","Estado":"Devuelto","CausaDevolucion":1}"#.utf8))
        #expect(returned.state == .returned && returned.returnCause == 1 && returned.folio == "spo_2")
        #expect(try SPEIOrderStatus.parse(Array(#"{"id":1,"estado":"CN"}"#.utf8)).state == .canceled)
        #expect(try SPEIOrderStatus.parse(Array(#"{"id":1,"estado":"RB","causaDevolucion":16}"#.utf8)).state == .canceled)
        #expect(try SPEIOrderStatus.parse(Array(#"{"id":1,"estado":"XD"}"#.utf8)).state == .other)
        #expect(throws: SPEICallbackError.self) { try SPEIOrderStatus.parse(Array(#"{"id":1,"estado":""}"#.utf8)) }
        #expect(throws: SPEICallbackError.self) { try SPEIOrderStatus.parse(Array(#"{"estado":"LQ"}"#.utf8)) }
    }

    @Test("The STP sandbox takes signed orders once, refuses bad ones as STP does, and reports settlement or return")
    func sandboxContract() async throws {
        let signer = try STPSigner.generated()
        let publicKey = signer.publicKeyPEM
        let callbacks = NIOLockedValueBox<[[String: String]]>([])
        let port = NIOLockedValueBox(0)
        let sandbox = STPSandbox(
            publicKeyPEM: { publicKey }, statusURL: { "http://127.0.0.1:\(port.withLockedValue { $0 })/estado" }, depositURL: nil, settleAfter: .milliseconds(20)
        )
        let router = Router()
        sandbox.add(to: router, prefix: "/stp")
        router.post("/estado") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 10_000)
            let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            callbacks.withLockedValue { $0.append(object.mapValues { "\($0)" }) }
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            port.withLockedValue { $0 = client.port! }
            let http = ResilientHTTPClient(
                resolveBaseURL: { "http://127.0.0.1:\(client.port!)/stp/speiws/rest" }, policy: RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(5)),
                breaker: CircuitBreaker(failureThreshold: 50)
            )
            let company = STPClient.Company(empresa: STPSandbox.empresa, cuentaOrdenante: STPSandbox.companyAccount, nombreOrdenante: "FINANCIERA DEMO", rfcCurpOrdenante: nil)
            let stp = STPClient(company: company, http: http, signer: signer)
            let first = try await stp.register(Self.order())
            guard case .registered(let id) = first else { Issue.record("not registered: \(first)"); return }
            // The same order again (its first answer lost): the tracking key is taken, nothing new is made.
            #expect(try await stp.register(Self.order()) == .alreadyRegistered)
            // A key the sandbox does not know, a wrong CLABE, a bank that does not match the CLABE, another company.
            let stranger = STPClient(company: company, http: http, signer: try STPSigner.generated())
            await #expect(throws: SPEIError.refused(id: 0, description: "Error validando la firma")) { try await stranger.register(Self.order(key: "OTRA1")) }
            let wrongDigit = String(Self.bbva.dropLast()) + String((Int(String(Self.bbva.last!))! + 1) % 10)
            let badCLABE = await #expect(throws: SPEIError.self) { try await stp.register(Self.order(beneficiary: wrongDigit, key: "OTRA2")) }
            #expect(badCLABE?.code == "spei_refused")
            let mismatch = await #expect(throws: SPEIError.self) { try await stp.register(Self.order(beneficiary: CLABE.make(bankPrefix: "002", plaza: "180", account: "00123456789")!, key: "OTRA3")) }
            if case .refused(let code, _) = mismatch { #expect(code == -22) } else { Issue.record("\(String(describing: mismatch))") }
            // STP down: retried, then a clear error and nothing sent.
            sandbox.faults.set(.status(503))
            await #expect(throws: SPEIError.self) { try await stp.register(Self.order(key: "CAIDA1")) }
            sandbox.faults.clear()
            // An account that does not exist at its bank is returned (cause 1).
            let returnedCLABE = CLABE.make(bankPrefix: "012", plaza: "180", account: "99912345678")!
            guard case .registered(let returnedID) = try await stp.register(Self.order(beneficiary: returnedCLABE, key: "DEVUELTA1")) else { return }
            for _ in 0..<200 where callbacks.withLockedValue({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(20)) }
            let received = callbacks.withLockedValue { $0 }
            #expect(received.count == 2)
            #expect(received.contains { $0["id"] == "\(id)" && $0["estado"] == "LIQUIDACION" && $0["folioOrigen"] == "spo_1" && $0["empresa"] == "CARTERA" })
            #expect(received.contains { $0["id"] == "\(returnedID)" && $0["estado"] == "DEVOLUCION" && $0["causaDevolucion"] == "1" })
        }
    }
}
