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
    let verifiers: [GatewayProvider: any WebhookVerifier]
    let clock: @Sendable () -> Timestamp
    /// Called after a new event is stored (wakes the outbox).
    let onStored: @Sendable () -> Void

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
        database: Database, audit: AuditWriter, verifiers: [GatewayProvider: any WebhookVerifier], clock: @escaping @Sendable () -> Timestamp,
        onStored: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.audit = audit
        self.verifiers = verifiers
        self.clock = clock
        self.onStored = onStored
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
        // READ COMMITTED: a concurrent delivery of the same event waits for the first one's row and then finds it.
        let receipt = try await database.transaction(isolation: .readCommitted) { db in
            let inserted = try await db.raw(
                """
                INSERT INTO gateway_events (provider, event_id, type, object_id, payload_signed, headers, body, received_at, deliveries,
                    last_delivery_at, state, attempts)
                VALUES (\(bind: provider.rawValue), \(bind: event.eventID), \(bind: event.type), \(bind: event.objectID), \(bind: event.payloadIsSigned),
                    \(bind: headers), \(bind: Data(request.body)), \(bind: now.text), 1, \(bind: now.text), 'received', 0)
                ON CONFLICT (provider, event_id) DO NOTHING
                RETURNING event_id
                """
            ).first()
            guard inserted != nil else {
                try await db.raw(
                    """
                    UPDATE gateway_events SET deliveries = deliveries + 1, last_delivery_at = \(bind: now.text)
                    WHERE provider = \(bind: provider.rawValue) AND event_id = \(bind: event.eventID)
                    """
                ).run()
                return Receipt(eventID: event.eventID, duplicate: true)
            }
            _ = try await AuditLog.append(
                .draft(at: now, actorKind: .system, actorID: provider.rawValue, ipAddress: ipAddress, action: "webhook.received",
                       objectType: "gateway_event", objectID: "\(provider.rawValue) \(event.eventID)", outcome: .success,
                       changeDigest: AuditChain.digest(request.body), requestID: requestID),
                on: db
            )
            return Receipt(eventID: event.eventID, duplicate: false)
        }
        if !receipt.duplicate { onStored() }
        return receipt
    }
}
