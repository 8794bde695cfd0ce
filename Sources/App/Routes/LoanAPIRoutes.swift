import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import Lending
import NIOConcurrencyHelpers
import Store

/// `/api/v1/loans`: applications, decisions, disbursement, payments (idempotent with `Idempotency-Key`), reversals,
/// write-offs, the loan's position and its journal.
struct LoanAPIRoutes {
    let database: Database
    let book: LoanBook
    let directory: ClientDirectory
    let access: APIAccess
    let clock: @Sendable () -> Timestamp
    /// Idempotency keys of payments running in this process (SQLite).
    let inFlight = NIOLockedValueBox<Set<String>>([])

    struct Decision: Decodable {
        let note: String?
        let reason: String?
    }

    struct Disbursement: Decodable {
        let date: String?
        let channel: MoneyChannel
        let reference: String?
    }

    struct Restructuring: Decodable {
        let productCode: String?
        let term: Int
        let reason: String
    }

    struct Listing: ResponseEncodable {
        let loans: [LoanBook.Record]
    }

    struct Payments: ResponseEncodable {
        let payments: [LoanBook.PaymentRecord]
    }

    struct JournalListing: ResponseEncodable {
        let entries: [Journal.Entry]
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let database = database
        let book = book
        let directory = directory
        let access = access
        let clock = clock
        let inFlight = inFlight

        api.post("/loans") { request, context -> Response in
            let client = try await access.require("loans:write", context)
            let application = try await Self.body(LoanBook.Application.self, request, limit: 16 * 1024)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            let scope = "loans.apply:\(client.clientID)"
            let requestHash = AuditChain.digest(Array(try LoanBook.jsonEncoder.encode(application)))
            return try await IdempotentCreation.respond(database, scope: scope, key: key, requestHash: requestHash, now: clock) { db in
                try LoanBook.jsonEncoder.encode(try await book.apply(application, lenderID: client.lenderID, actor: APIAccess.actor(client, context), on: db))
            }
        }

        api.get("/loans") { request, context -> Listing in
            let client = try await access.require("loans:read", context)
            if let clientID = request.uri.queryParameters["clientId"] {
                return Listing(loans: try await book.loans(clientID: String(clientID), lenderID: client.lenderID))
            }
            let status = try request.uri.queryParameters["status"].map { text -> LoanStatus in
                guard let status = LoanStatus(rawValue: String(text)) else {
                    throw APIError(status: .badRequest, code: "status_invalid",
                                   message: "Estado desconocido. Use uno de: \(LoanStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return status
            }
            return Listing(loans: try await book.recent(lenderID: client.lenderID, status: status, limit: 100))
        }

        api.get("/loans/:id") { request, context -> LoanDocument in
            let client = try await access.require("loans:read", context)
            var asOf: CalendarDate?
            if let text = request.uri.queryParameters["asOf"] {
                guard let date = CalendarDate(text: String(text)) else {
                    throw APIError(status: .badRequest, code: "as_of_invalid", message: "La fecha se escribe AAAA-MM-DD.")
                }
                asOf = date
            }
            let (record, position) = try await book.position(try Self.id(context), lenderID: client.lenderID, asOf: asOf)
            return LoanDocument(record: record, position: position)
        }

        api.post("/loans/:id/approve") { request, context -> LoanBook.Record in
            let client = try await access.require("loans:approve", context)
            let decision = try await Self.body(Decision.self, request, limit: 8 * 1024, emptyAs: "{}")
            return try await book.decide(try Self.id(context), approve: true, note: decision.note, lenderID: client.lenderID, actor: APIAccess.actor(client, context))
        }

        api.post("/loans/:id/cancel") { request, context -> LoanBook.Record in
            let client = try await access.require("loans:write", context)
            let decision = try await Self.body(Decision.self, request, limit: 8 * 1024)
            return try await book.decide(try Self.id(context), approve: false, note: decision.reason ?? decision.note, lenderID: client.lenderID,
                                         actor: APIAccess.actor(client, context))
        }

        api.post("/loans/:id/disburse") { request, context -> LoanBook.Record in
            let client = try await access.require("loans:approve", context)
            let order = try await Self.body(Disbursement.self, request, limit: 8 * 1024)
            var date: CalendarDate?
            if let text = order.date {
                guard let parsed = CalendarDate(text: text) else {
                    throw APIError(status: .unprocessableContent, code: "date_invalid", message: "La fecha se escribe AAAA-MM-DD.")
                }
                date = parsed
            }
            return try await book.disburse(try Self.id(context), on: date, channel: order.channel, reference: order.reference, lenderID: client.lenderID,
                                           actor: APIAccess.actor(client, context))
        }

        api.post("/loans/:id/restructure") { request, context -> Response in
            let client = try await access.require("loans:approve", context)
            let order = try await Self.body(Restructuring.self, request, limit: 8 * 1024)
            let record = try await book.restructure(
                try Self.id(context), productCode: order.productCode, term: order.term, reason: order.reason, lenderID: client.lenderID,
                actor: APIAccess.actor(client, context)
            )
            return Self.json(201, try LoanBook.jsonEncoder.encode(record))
        }

        api.post("/loans/:id/write-off") { request, context -> LoanBook.PaymentRecord in
            let client = try await access.require("loans:approve", context)
            let decision = try await Self.body(Decision.self, request, limit: 8 * 1024)
            return try await book.writeOff(try Self.id(context), reason: decision.reason ?? "", lenderID: client.lenderID, actor: APIAccess.actor(client, context))
        }

        api.post("/loans/:id/payments") { request, context -> Response in
            let client = try await access.require("payments:write", context)
            let loanID = try Self.id(context)
            let payment = try await Self.body(LoanBook.PaymentRequest.self, request, limit: 8 * 1024)
            let actor = APIAccess.actor(client, context)
            guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
                let record = try await book.pay(loanID, payment, lenderID: client.lenderID, actor: actor)
                return Self.json(201, record.json())
            }
            let scope = "payments.create:\(client.clientID):\(loanID)"
            let requestHash = AuditChain.digest(Array(try LoanBook.jsonEncoder.encode(payment)))
            try IdempotencyKeys.validate(key: key)
            if database.dialect == .sqlite {
                // One process writes an SQLite file: a duplicate still running here gets 409 at once; the key is
                // claimed and completed inside the payment's own transaction.
                let flight = scope + "\u{0}" + key
                guard inFlight.withLockedValue({ $0.insert(flight).inserted }) else { throw Self.inProgress }
                defer { _ = inFlight.withLockedValue { $0.remove(flight) } }
                let record = try await book.pay(loanID, payment, lenderID: client.lenderID, actor: actor,
                                                idempotency: .inTransaction(scope: scope, key: key, requestHash: requestHash))
                return Self.json(201, record.json())
            }
            // Several instances share PostgreSQL: the key is claimed in its own transaction first, so a concurrent
            // duplicate on any instance sees it in progress (409); the answer is stored in the payment's transaction.
            let claim = try await database.transaction { db in
                try await IdempotencyKeys.begin(scope: scope, key: key, requestHash: requestHash, now: clock(), staleAfterSeconds: 120, on: db)
            }
            switch claim {
            case .started: break
            case .replay(let status, let body): return Self.json(status, body)
            case .inProgress: throw Self.inProgress
            case .mismatch: throw Self.mismatch
            }
            do {
                let record = try await book.pay(loanID, payment, lenderID: client.lenderID, actor: actor, idempotency: .claimed(scope: scope, key: key))
                return Self.json(201, record.json())
            } catch {
                try? await database.transaction { db in try await IdempotencyKeys.abandon(scope: scope, key: key, on: db) }
                throw error
            }
        }

        api.get("/loans/:id/payments") { _, context -> Payments in
            let client = try await access.require("payments:read", context)
            return Payments(payments: try await book.payments(try Self.id(context), lenderID: client.lenderID))
        }

        api.post("/loans/:id/payments/:paymentId/reversal") { request, context -> LoanBook.PaymentRecord in
            let client = try await access.require("payments:reverse", context)
            let decision = try await Self.body(Decision.self, request, limit: 8 * 1024)
            guard let paymentID = context.parameters.get("paymentId") else { throw APIError(status: .notFound, code: "payment_not_found", message: "Pago no encontrado.") }
            return try await book.reverse(try Self.id(context), payment: paymentID, reason: decision.reason ?? "", lenderID: client.lenderID,
                                          actor: APIAccess.actor(client, context))
        }

        api.get("/loans/:id/statement") { request, context -> StatementDocument in
            let client = try await access.require("loans:read", context)
            let id = try Self.id(context)
            func date(_ name: String) throws -> CalendarDate? {
                guard let text = request.uri.queryParameters[name[...]] else { return nil }
                guard let date = CalendarDate(text: String(text)) else {
                    throw APIError(status: .badRequest, code: "\(name)_invalid", message: "La fecha «\(name)» se escribe AAAA-MM-DD.")
                }
                return date
            }
            let record = try await book.loan(id, lenderID: client.lenderID)
            let name = try await directory.get(id: record.clientId)?.displayName ?? ""
            return try await book.statement(id, lenderID: client.lenderID, from: try date("from"), to: try date("to"), clientName: name)
        }

        api.get("/loans/:id/journal") { _, context -> JournalListing in
            let client = try await access.require("ledger:read", context)
            let id = try Self.id(context)
            _ = try await book.loan(id, lenderID: client.lenderID)
            return JournalListing(entries: try await database.withConnection { db in try await Journal.entries(loanID: id, on: db) })
        }
    }

    static let inProgress = LoanBook.idempotencyInProgress
    static let mismatch = LoanBook.idempotencyMismatch

    static func id(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("id") else { throw APIError(status: .notFound, code: "loan_not_found", message: "No existe ese crédito.") }
        return id
    }

    static func body<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int, emptyAs empty: String? = nil) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        var data = Data(buffer.readableBytesView)
        if data.isEmpty, let empty { data = Data(empty.utf8) }
        return try JSONBody.decode(type, from: data)
    }

    static func json(_ status: Int, _ data: Data) -> Response { IdempotentCreation.json(status, data) }
}

extension LoanBook {
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension LoanBook.Record: ResponseEncodable {}
extension LoanBook.PaymentRecord: ResponseEncodable {}
extension LoanDocument: ResponseEncodable {}
extension StatementDocument: ResponseEncodable {}
