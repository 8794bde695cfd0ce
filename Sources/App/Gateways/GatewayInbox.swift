import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import SQLKit
import Store

/// Where gateway webhooks arrive: each is verified as its provider specifies, then stored raw — headers and body as
/// received — once per provider event id, with an audit entry, in one transaction, before it is acknowledged. A
/// refused webhook stores nothing and is audited as denied.
public struct GatewayInbox: Sendable {
    let database: Database
    let audit: AuditWriter
    let verifiers: WebhookVerifiers
    let clock: @Sendable () -> Timestamp
    /// Called after a new event is stored (wakes the outbox).
    let onStored: @Sendable () -> Void
    /// On SQLite, concurrent deliveries share a transaction (group commit, as payments do).
    let batches: BatchQueue<Delivery, Receipt>?

    /// Headers kept with an event: the ones that prove it and identify its delivery (never `Authorization`).
    static let keptHeaders: Set<String> = [
        "content-type", "user-agent", "stripe-signature", "digest", "x-signature", "x-request-id",
        "paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo",
    ]

    /// What the provider is answered.
    public struct Receipt: Sendable, Equatable {
        public let eventID: String
        /// The event had been received before (a repeated delivery): nothing new was stored.
        public let duplicate: Bool
    }

    init(
        database: Database, audit: AuditWriter, verifiers: WebhookVerifiers, clock: @escaping @Sendable () -> Timestamp,
        onStored: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.audit = audit
        self.verifiers = verifiers
        self.clock = clock
        self.onStored = onStored
        batches = database.dialect == .sqlite
            ? BatchQueue(limit: 128) { deliveries in
                do {
                    return try await database.transaction(isolation: .readCommitted) { db in try await Self.store(deliveries, on: db) }.map { .success($0) }
                } catch {
                    return deliveries.map { _ in .failure(error) }
                }
            }
            : nil
    }

    /// Verifies and stores a webhook. Throws `WebhookRejection` (after auditing it) when it is refused.
    public func receive(_ provider: GatewayProvider, _ request: WebhookRequest, ipAddress: String, requestID: String) async throws -> Receipt {
        let now = clock()
        let event: VerifiedWebhook
        do {
            guard let verifier = verifiers[provider] else {
                throw WebhookRejection(.notConfigured, "Cartera no tiene configurado cómo verificar los avisos de \(provider.name).")
            }
            try await verifier.prepare(request)
            event = try verifier.verify(request, now: now)
        } catch let rejection as WebhookRejection {
            try await audit.append(
                .draft(at: now, actorKind: .anonymous, actorID: provider.rawValue, ipAddress: ipAddress, action: "webhook.rejected",
                       objectType: "webhook", objectID: "\(provider.rawValue) \(rejection.code)", outcome: .denied,
                       changeDigest: AuditChain.digest(request.body), requestID: requestID)
            )
            throw rejection
        }
        var kept: [String: String] = [:]
        for (name, value) in request.headers where Self.keptHeaders.contains(name) { kept[name] = value }
        let headers = Self.json(kept)
        let delivery = Delivery(
            event: event, headers: headers, body: request.body, digest: AuditChain.digest(request.body), at: now, ipAddress: ipAddress, requestID: requestID
        )
        let receipt: Receipt
        if let batches {
            receipt = try await batches.submit(delivery)
        } else {
            // READ COMMITTED: a concurrent delivery of the same event waits for the first one's row and then finds it.
            receipt = try await database.transaction(isolation: .readCommitted) { db in try await Self.store([delivery], on: db)[0] }
        }
        if !receipt.duplicate { onStored() }
        return receipt
    }

    /// Headers as a JSON object with its keys sorted (written by hand: it is done for every delivery).
    static func json(_ headers: [String: String]) -> String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        return "{" + headers.keys.sorted().map { quoted($0) + ":" + quoted(headers[$0] ?? "") }.joined(separator: ",") + "}"
    }

    /// A verified delivery waiting to be stored.
    struct Delivery: Sendable {
        let event: VerifiedWebhook
        let headers: String
        let body: [UInt8]
        /// The body's SHA-256 for its audit entry, worked out before the delivery waits for the writer.
        let digest: String
        let at: Timestamp
        let ipAddress: String
        let requestID: String
    }

    /// Stores deliveries in the caller's transaction: each new event once, with its audit entry; a repeated one (even
    /// within the batch) counts a delivery. A few multi-row statements, whatever the batch's size.
    static func store(_ deliveries: [Delivery], on db: any SQLDatabase) async throws -> [Receipt] {
        guard !deliveries.isEmpty else { return [] }
        func key(_ delivery: Delivery) -> String { delivery.event.provider.rawValue + "\u{0}" + delivery.event.eventID }
        // The first delivery of each event in the batch is the one that may be new.
        var firsts: [Int] = []
        var seen = Set<String>()
        for (index, delivery) in deliveries.enumerated() where seen.insert(key(delivery)).inserted { firsts.append(index) }
        let rows = firsts.map { index -> SQLQueryString in
            let delivery = deliveries[index]
            let event = delivery.event
            return """
                (\(bind: event.provider.rawValue), \(bind: event.eventID), \(bind: event.type), \(bind: event.objectID), \(bind: event.payloadIsSigned),
                 \(bind: delivery.headers), \(bind: Data(delivery.body)), \(bind: delivery.at.text), 1, \(bind: delivery.at.text), 'received', 0)
                """
        }
        var inserted = Set<String>()
        for row in try await db.raw(
            """
            INSERT INTO gateway_events (provider, event_id, type, object_id, payload_signed, headers, body, received_at, deliveries,
                last_delivery_at, state, attempts)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (provider, event_id) DO NOTHING
            RETURNING provider, event_id
            """
        ).all() {
            inserted.insert(try row.decode(column: "provider", as: String.self) + "\u{0}" + row.decode(column: "event_id", as: String.self))
        }
        var receipts: [Receipt] = []
        var audits: [AuditEntry] = []
        var repeated: [String: (delivery: Delivery, count: Int)] = [:]
        for delivery in deliveries {
            let event = delivery.event
            if inserted.remove(key(delivery)) != nil {
                audits.append(
                    .draft(at: delivery.at, actorKind: .system, actorID: event.provider.rawValue, ipAddress: delivery.ipAddress, action: "webhook.received",
                           objectType: "gateway_event", objectID: "\(event.provider.rawValue) \(event.eventID)", outcome: .success,
                           changeDigest: delivery.digest, requestID: delivery.requestID)
                )
                receipts.append(Receipt(eventID: event.eventID, duplicate: false))
            } else {
                // The batch's latest delivery of it is the last one.
                repeated[key(delivery)] = (delivery, (repeated[key(delivery)]?.count ?? 0) + 1)
                receipts.append(Receipt(eventID: event.eventID, duplicate: true))
            }
        }
        if !repeated.isEmpty {
            let counts = repeated.values.map { item -> SQLQueryString in
                "(\(bind: item.delivery.event.provider.rawValue), \(bind: item.delivery.event.eventID), \(bind: item.count), \(bind: item.delivery.at.text))"
            }
            try await db.raw(
                """
                UPDATE gateway_events SET deliveries = gateway_events.deliveries + CAST(v.column3 AS BIGINT), last_delivery_at = v.column4
                FROM (VALUES \(counts.joined(separator: ", "))) AS v
                WHERE gateway_events.provider = v.column1 AND gateway_events.event_id = v.column2
                """
            ).run()
        }
        try await AuditLog.append(contentsOf: audits, on: db)
        return receipts
    }
}
