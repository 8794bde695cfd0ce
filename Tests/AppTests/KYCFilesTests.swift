@testable import App
import CarteraCore
import CarteraTestSupport
import Clients
import Compliance
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Lending
import NIOCore
import SQLKit
@testable import Store
import Testing

@Suite("Identification files: documents encrypted, cotejo, checklist, the disbursement held until the file is complete, periodic update")
struct KYCFilesTests {
    static func apiError(_ body: () async throws -> Void) async -> APIError? {
        do { try await body() } catch let error as APIError { return error } catch { return nil }
        return nil
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("credencial de elector de prueba".utf8)

    @Test("An incomplete file holds the disbursement with what is missing; bad uploads change nothing; uploads, cotejo, rejection and replacement complete it; contents are encrypted and every reading audited", arguments: TestEngine.available)
    func fileLifecycle(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            // 2026-11-18 in Mexico.
            let clock = TestClock(Timestamp(millisecondsSince1970: 1_795_000_000_000))
            _ = try await TestStaff.seed(database, clock: { clock.read() })
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let directory = ClientDirectory(database: database, keys: TestKeys.live, clock: { clock.read() })
            let files = KYCFiles(database: database, keys: TestKeys.live, clock: { clock.read() })
            let book = LoanBook(database: database, clock: { clock.read() })
            let today = clock.read().calendarDate(utcOffsetSeconds: -6 * 3600)
            #expect(today.text == "2026-11-18")

            let gloria = try await database.transaction { db in try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db) }
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: gloria.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)

            // A lender registered after files existed works under the standard policy: an empty file holds the disbursement.
            #expect(try await files.policy(lenderID: lender).version == 0)
            let empty = try #require(try await files.status(clientID: gloria.id, lenderID: lender))
            #expect(!empty.isComplete && empty.check.items.map(\.state) == Array(repeating: .missing, count: 5))
            let held = await Self.apiError { _ = try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine) }
            #expect(held?.code == "kyc_file_incomplete" && held?.details.count == 5)
            #expect(held?.message.hasPrefix("El expediente del cliente está incompleto: Falta identificación oficial; súbalo al expediente.") == true)
            #expect(held?.message.hasSuffix("Complételo en /clientes/\(gloria.id)/expediente antes de disponer.") == true)

            // Refusals, each with its field, and nothing stored.
            func refusal(_ upload: KYCFiles.Upload) async -> [String] {
                await Self.apiError { _ = try await files.upload(clientID: gloria.id, upload, lenderID: lender, actor: .commandLine) }.map { [$0.code] + $0.details.map(\.code) } ?? []
            }
            #expect(await refusal(.init(kind: "identificacion_oficial", fileName: "ine.gif", content: Array("GIF89a....".utf8), expiresOn: "2030-01-01")) == ["kyc_document_invalid", "unsupported_format"])
            #expect(await refusal(.init(kind: "identificacion_oficial", fileName: "ine.png", content: Self.png)) == ["kyc_document_invalid", "required"])
            #expect(await refusal(.init(kind: "identificacion_oficial", fileName: "ine.png", content: Self.png, expiresOn: "2026-11-17")) == ["kyc_document_invalid", "expired"])
            #expect(await refusal(.init(kind: "poder_representante", fileName: "poder.pdf", content: DemoDocuments.pdf(lines: ["poder"]))) == ["kyc_document_invalid", "subject_mismatch"])
            #expect(await refusal(.init(kind: "otro", subject: "representante-1", fileName: "x.pdf", content: DemoDocuments.pdf(lines: ["x"]))) == ["kyc_subject_unknown"])
            #expect(await refusal(.init(kind: "pasaporte", fileName: "x.pdf", content: DemoDocuments.pdf(lines: ["x"]))) == ["kyc_document_invalid", "invalid"])
            // A proof of address 91 days old is refused; 90 days is accepted.
            #expect(await refusal(.init(kind: "comprobante_domicilio", fileName: "cfe.pdf", content: DemoDocuments.pdf(lines: ["CFE"]), issuedOn: today.adding(days: -91).text)) == ["kyc_document_outdated", "outdated"])
            // A batch with one bad document stores none of them.
            let batch = await Self.apiError {
                _ = try await files.upload(clientID: gloria.id, [
                    .init(kind: "constancia_curp", fileName: "curp.pdf", content: DemoDocuments.pdf(lines: ["CURP"])),
                    .init(kind: "cedula_rfc", fileName: "rfc.txt", content: Array("RFC".utf8)),
                ], lenderID: lender, actor: .commandLine, verifiedOnReceipt: false)
            }
            #expect(batch?.details.map(\.field) == ["documents[1].content"])
            let stored = try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM kyc_documents").first(decodingColumn: "n", as: Int.self) }
            #expect(stored == 0)

            // The five documents arrive; the same ID sent twice is one document.
            let id = try await files.upload(clientID: gloria.id, .init(kind: "identificacion_oficial", fileName: "C:\\escaneos\\ine frente.png", content: Self.png, expiresOn: "2031-12-31"), lenderID: lender, actor: .commandLine)
            #expect(id.status == .received && id.fileName == "ine frente.png" && id.format == "png" && id.sizeBytes == Self.png.count)
            #expect(try await files.upload(clientID: gloria.id, .init(kind: "identificacion_oficial", fileName: "otra vez.png", content: Self.png, expiresOn: "2031-12-31"), lenderID: lender, actor: .commandLine).id == id.id)
            let others = try await files.upload(clientID: gloria.id, [
                .init(kind: "constancia_curp", fileName: "curp.pdf", content: DemoDocuments.pdf(lines: ["CURP"])),
                .init(kind: "cedula_rfc", fileName: "rfc.pdf", content: DemoDocuments.pdf(lines: ["RFC"])),
                .init(kind: "comprobante_domicilio", fileName: "cfe.pdf", content: DemoDocuments.pdf(lines: ["CFE"]), issuedOn: today.adding(days: -90).text),
                .init(kind: "declaracion_propietario_real", fileName: "declaracion.pdf", content: DemoDocuments.pdf(lines: ["Actúo por cuenta propia"])),
            ], lenderID: lender, actor: .commandLine, verifiedOnReceipt: false)
            let waiting = try #require(try await files.status(clientID: gloria.id, lenderID: lender))
            #expect(waiting.check.items.map(\.state) == Array(repeating: .awaitingVerification, count: 5))
            #expect(await Self.apiError { _ = try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine) }?.code == "kyc_file_incomplete")

            // Cotejo of four; the ID is rejected, and a new one verified replaces it.
            for document in others { _ = try await files.verify(documentID: document.id, lenderID: lender, actor: .commandLine) }
            #expect(await Self.apiError { _ = try await files.verify(documentID: others[0].id, lenderID: lender, actor: .commandLine) }?.code == "kyc_document_status_conflict")
            #expect(await Self.apiError { _ = try await files.reject(documentID: id.id, reason: "x", lenderID: lender, actor: .commandLine) }?.code == "reason_required")
            _ = try await files.reject(documentID: id.id, reason: "La foto no es legible", lenderID: lender, actor: .commandLine)
            let rejected = try #require(try await files.status(clientID: gloria.id, lenderID: lender)?.check.items.first)
            #expect(rejected.state == .rejected && rejected.message == "Identificación oficial: rechazado (La foto no es legible); suba uno válido.")
            // The same scan sent again after its rejection is a new document to compare, not the rejected one.
            let again = try await files.upload(clientID: gloria.id, .init(kind: "identificacion_oficial", fileName: "ine.png", content: Self.png, expiresOn: "2031-12-31"), lenderID: lender, actor: .commandLine)
            #expect(again.id != id.id && again.status == .received)
            // A document of another client is not found through this one.
            #expect(await Self.apiError { _ = try await files.verify(documentID: again.id, clientID: "cl_otro", lenderID: lender, actor: .commandLine) }?.code == "kyc_document_not_found")
            clock.advance(seconds: 60)
            let newID = try await files.upload(clientID: gloria.id, .init(kind: "identificacion_oficial", fileName: "ine.pdf", content: DemoDocuments.pdf(lines: ["INE legible"]), expiresOn: "2031-12-31"), lenderID: lender, actor: .commandLine)
            _ = try await files.verify(documentID: newID.id, lenderID: lender, actor: .commandLine)
            let complete = try #require(try await files.status(clientID: gloria.id, lenderID: lender))
            // Graded alto (a fresh matrix without catalogues knows none of her values): the file is updated yearly.
            #expect(complete.isComplete && complete.grade == .high && complete.check.updateDue.text == "2027-11-18")
            let history = try await files.documents(clientID: gloria.id, lenderID: lender)
            #expect(history.count == 7 && history.first { $0.id == id.id }?.status == .superseded && history.first { $0.id == id.id }?.supersededBy == newID.id)
            // Only older documents are superseded: the re-sent scan, uploaded before the one verified, is too.
            #expect(history.first { $0.id == again.id }?.status == .superseded)

            // Now it is disbursed.
            #expect(try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine).status == .active)

            // Contents and names are encrypted; reading one back gives the bytes, checked against their digest, and is audited.
            let raw = try await database.withConnection { db in
                try await db.raw("SELECT file_name, content, rejection_reason FROM kyc_documents").all().map {
                    (try $0.decode(column: "file_name", as: String.self), try $0.decode(column: "content", as: String.self), try $0.decode(column: "rejection_reason", as: String?.self))
                }
            }
            #expect(raw.allSatisfy { $0.0.hasPrefix("v1.") && $0.1.hasPrefix("v1.") && !$0.0.contains("ine") && !($0.2 ?? "").contains("legible") })
            let (read, bytes) = try await files.content(documentID: id.id, lenderID: lender, actor: .commandLine)
            #expect(read.id == id.id && bytes == Self.png)
            let actions = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'kyc.%'").all(decodingColumn: "action", as: String.self)
            }
            #expect(actions.filter { $0 == "kyc.document_uploaded" }.count == 7 && actions.filter { $0 == "kyc.document_verified" }.count == 5)
            #expect(actions.contains("kyc.document_rejected") && actions.contains("kyc.document_read"))

            // A year and a day later the periodic update is overdue; recording it moves the next one a year on.
            clock.advance(seconds: 366 * 86_400)
            let overdue = try #require(try await files.status(clientID: gloria.id, lenderID: lender))
            #expect(overdue.check.updateOverdue && !overdue.isComplete)
            #expect(await Self.apiError { _ = try await files.recordUpdate(clientID: gloria.id, note: "", lenderID: lender, actor: .commandLine) }?.code == "note_required")
            let updated = try await files.recordUpdate(clientID: gloria.id, note: "Domicilio y ocupación confirmados con la clienta", lenderID: lender, actor: .commandLine)
            #expect(updated.isComplete && updated.lastUpdate == clock.read().calendarDate(utcOffsetSeconds: -6 * 3600) && updated.lastUpdate.text == "2027-11-19" && updated.check.updateDue.text == "2028-11-19")
        }
    }

    @Test("A lender's own policy: incoherent ones are refused; one that does not hold disbursements lets an empty file through; the policy given to lenders registered before files is the standard one without the hold", arguments: TestEngine.available)
    func policies(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let files = KYCFiles(database: database, keys: TestKeys.live)
            var wrong = KYCPolicy.standard
            wrong.addressProofMaxDays = 0
            #expect(await Self.apiError { try await files.publish(wrong, lenderID: lender, actor: .commandLine) }?.code == "kyc_policy_invalid")

            var paper = KYCPolicy.standard
            paper.blocksDisbursement = false
            #expect(try await files.publish(paper, lenderID: lender, actor: .commandLine) == 1)
            #expect(try await files.policy(lenderID: lender) == (1, paper))
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            let book = LoanBook(database: database)
            let client = try await database.transaction { db in try await directory.create(ClientSamples.company, lenderID: lender, actor: .commandLine, on: db) }
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: client.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            #expect(try await book.disburse(loan.id, channel: .spei, reference: nil, lenderID: lender, actor: .commandLine).status == .active)
            // A company's file: its deed, RFC, address, the representative's power and ID, the declaration, and the ID of
            // the owner with 59.5 % and of the one with 40.5 %.
            let status = try #require(try await files.status(clientID: client.id, lenderID: lender))
            #expect(status.check.items.count == 8 && status.check.items.contains { $0.message == "Falta poder del representante de Gloria Hernández García; súbalo al expediente." })

            let decoded = try JSONDecoder().decode(KYCPolicy.self, from: Data(Migration.paperFilesPolicy.utf8))
            #expect(decoded == paper)
        }
    }

    @Test("The API: an integration uploads the raw file, reads the checklist and the document back; a reader cannot upload; bad files are refused with their field", arguments: TestEngine.available)
    func api(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, _ in
            let fixture = try await LoanFixture.make(database)
            let writer = try await ClientAPITests().token(client, database, scopes: ["clients:write", "clients:read"])
            let reader = try await ClientAPITests().token(client, database, scopes: ["clients:read"])
            let documents = try await ClientAPITests().token(client, database, scopes: ["kyc_documents:read"])
            let pdf = DemoDocuments.pdf(lines: ["Otro documento"])
            let path = "/api/v1/clients/\(fixture.clientID)/documents"

            #expect(try await client.execute(uri: path + "?kind=otro&fileName=nota.pdf", method: .post, headers: reader, body: ByteBuffer(bytes: pdf)).status == .forbidden)
            let refused = try await client.execute(uri: path + "?kind=otro&fileName=nota.txt", method: .post, headers: writer, body: ByteBuffer(string: "texto"))
            #expect(refused.status == .unprocessableContent && String(buffer: refused.body).contains(#""code":"unsupported_format""#))
            let created = try await client.execute(uri: path + "?kind=otro&fileName=nota.pdf", method: .post, headers: writer, body: ByteBuffer(bytes: pdf))
            #expect(created.status == .created)
            let document = try JSONDecoder().decode(KYCFiles.Document.self, from: Data(created.body.readableBytesView))
            #expect(document.kind == .other && document.status == .received && document.sizeBytes == pdf.count)

            // Identity documents need their own scope: clients:read is not enough.
            #expect(try await client.execute(uri: path + "/\(document.id)", method: .get, headers: reader).status == .forbidden)
            let read = try await client.execute(uri: path + "/\(document.id)", method: .get, headers: documents)
            #expect(read.status == .ok && read.headers[.contentType] == "application/pdf" && Array(read.body.readableBytesView) == pdf)
            #expect(try await client.execute(uri: "/api/v1/clients/cl_otro/documents/\(document.id)", method: .get, headers: documents).status == .notFound)
            let listed = try await client.execute(uri: path, method: .get, headers: reader)
            #expect(String(buffer: listed.body).contains(document.id))
            // The sample client's file was completed by the fixture: its checklist says so.
            let file = try await client.execute(uri: "/api/v1/clients/\(fixture.clientID)/kyc", method: .get, headers: reader)
            let status = try JSONDecoder().decode(KYCFiles.FileStatus.self, from: Data(file.body.readableBytesView))
            #expect(file.status == .ok && status.isComplete && status.check.items.count == 5)
        }
    }
}
