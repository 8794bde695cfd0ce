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
        let headers = String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
        let delivery = Delivery(event: event, headers: headers, body: request.body, at: now, ipAddress: ipAddress, requestID: requestID)
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

    /// A verified delivery waiting to be stored.
    struct Delivery: Sendable {
        let event: VerifiedWebhook
        let headers: String
        let body: [UInt8]
        let at: Timestamp
        let ipAddress: String
        let requestID: String
    }

    /// Stores deliveries in the caller's transaction: each new event once, with its audit entry; a repeated one (even
    /// within the batch) counts a delivery.
    static func store(_ deliveries: [Delivery], on db: any SQLDatabase) async throws -> [Receipt] {
        var receipts: [Receipt] = []
        for delivery in deliveries {
            let event = delivery.event
            let provider = event.provider.rawValue
            let inserted = try await db.raw(
                """
                INSERT INTO gateway_events (provider, event_id, type, object_id, payload_signed, headers, body, received_at, deliveries,
                    last_delivery_at, state, attempts)
                VALUES (\(bind: provider), \(bind: event.eventID), \(bind: event.type), \(bind: event.objectID), \(bind: event.payloadIsSigned),
                    \(bind: delivery.headers), \(bind: Data(delivery.body)), \(bind: delivery.at.text), 1, \(bind: delivery.at.text), 'received', 0)
                ON CONFLICT (provider, event_id) DO NOTHING
                RETURNING event_id
                """
            ).first()
            guard inserted != nil else {
                try await db.raw(
                    """
                    UPDATE gateway_events SET deliveries = deliveries + 1, last_delivery_at = \(bind: delivery.at.text)
                    WHERE provider = \(bind: provider) AND event_id = \(bind: event.eventID)
                    """
                ).run()
                receipts.append(Receipt(eventID: event.eventID, duplicate: true))
                continue
            }
            _ = try await AuditLog.append(
                .draft(at: delivery.at, actorKind: .system, actorID: provider, ipAddress: delivery.ipAddress, action: "webhook.received",
                       objectType: "gateway_event", objectID: "\(provider) \(event.eventID)", outcome: .success,
                       changeDigest: AuditChain.digest(delivery.body), requestID: delivery.requestID),
                on: db
            )
            receipts.append(Receipt(eventID: event.eventID, duplicate: false))
        }
        return receipts
    }
}
