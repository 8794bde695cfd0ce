import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Integrations
import SQLKit
import Store

/// Each gateway's settings as an administrator keeps them: secret keys and webhook secrets encrypted at rest with the
/// personal-data keys, never shown again once saved; the rest in clear. Every change is audited (which fields
/// changed, never their values).
public struct GatewaySettingsStore: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A provider's saved settings (secrets decrypted, for building its connector and verifier only).
    public struct Saved: Sendable, Equatable {
        public var secretKey: String?
        public var accountID: String?
        public var apiBase: String?
        /// Stripe's signing secrets (comma-separated), Mercado Pago's secret, Openpay's webhook password.
        public var webhookSecret: String?
        /// Openpay's webhook user.
        public var webhookUser: String?
        /// Conekta's webhook public key (PEM), PayPal's webhook id.
        public var webhookKey: String?
        public var updatedAt: String?
        public var updatedBy: String?

        public init(
            secretKey: String? = nil, accountID: String? = nil, apiBase: String? = nil, webhookSecret: String? = nil, webhookUser: String? = nil,
            webhookKey: String? = nil
        ) {
            self.secretKey = secretKey
            self.accountID = accountID
            self.apiBase = apiBase
            self.webhookSecret = webhookSecret
            self.webhookUser = webhookUser
            self.webhookKey = webhookKey
        }
    }

    /// The cipher's field of each encrypted column (as `EncryptedColumns` names them, so key rotation re-encrypts them).
    static func field(_ column: String) -> String { "gateway_settings.\(column)" }

    public func all() async throws -> [GatewayProvider: Saved] {
        let cipher = keys.cipher
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT provider, secret_key, account_id, api_base, webhook_secret, webhook_user, webhook_key, updated_at, updated_by FROM gateway_settings").all()
                .map { row -> [String: String] in
                    var values: [String: String] = [:]
                    for column in ["provider", "secret_key", "account_id", "api_base", "webhook_secret", "webhook_user", "webhook_key", "updated_at", "updated_by"] {
                        values[column] = try row.decode(column: column, as: String?.self)
                    }
                    return values
                }
        }
        var saved: [GatewayProvider: Saved] = [:]
        for row in rows {
            guard let provider = GatewayProvider(rawValue: row["provider"] ?? "") else { continue }
            var entry = Saved(accountID: row["account_id"], apiBase: row["api_base"], webhookUser: row["webhook_user"], webhookKey: row["webhook_key"])
            entry.secretKey = try row["secret_key"].map { try cipher.decrypt($0, field: Self.field("secret_key")) }
            entry.webhookSecret = try row["webhook_secret"].map { try cipher.decrypt($0, field: Self.field("webhook_secret")) }
            entry.updatedAt = row["updated_at"]
            entry.updatedBy = row["updated_by"]
            saved[provider] = entry
        }
        return saved
    }

    /// A change as the administrator's form gives it: the values (an empty secret keeps the saved one), and whether to
    /// remove the saved secrets.
    public struct Change: Sendable {
        public var values = Saved()
        public var clearSecrets = false

        public init() {}
    }

    /// Checks and saves `change` for `provider`; throws an `APIError` in Spanish that names the field to fix.
    public func save(_ provider: GatewayProvider, _ change: Change, actor: Administration.Actor) async throws {
        @Sendable func clean(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        let apiBase = clean(change.values.apiBase)
        if let apiBase {
            guard let url = URL(string: apiBase), let host = url.host, url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host)) else {
                throw APIError(status: .unprocessableContent, code: "api_base_invalid",
                               message: "La URL de la API debe ser https:// (o http:// solo para un sandbox en esta máquina).")
            }
        }
        let webhookKey = clean(change.values.webhookKey)
        if provider == .conekta, let webhookKey {
            do { _ = try ConektaWebhookVerifier(publicKeysPEM: [webhookKey]) } catch {
                throw APIError(status: .unprocessableContent, code: "webhook_key_invalid", message: "La llave de los avisos de Conekta debe ser una llave pública RSA en formato PEM.")
            }
        }
        for secret in [change.values.secretKey, change.values.webhookSecret].compactMap(clean) where CardNumberDetector.containsCardNumber(secret) {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "Eso parece un número de tarjeta, no una llave.")
        }
        let cipher = keys.cipher
        let secretKey = clean(change.values.secretKey).map { cipher.encrypt($0, field: Self.field("secret_key")) }
        let webhookSecret = clean(change.values.webhookSecret).map { cipher.encrypt($0, field: Self.field("webhook_secret")) }
        let now = clock()
        let changed = [
            secretKey != nil ? "llave secreta" : nil, webhookSecret != nil ? "secreto de avisos" : nil, change.clearSecrets ? "llaves borradas" : nil,
            "cuenta=\(clean(change.values.accountID) ?? "")", "api=\(apiBase ?? "")", "usuario=\(clean(change.values.webhookUser) ?? "")", webhookKey != nil ? "llave de avisos" : nil,
        ].compactMap { $0 }.joined(separator: " ")
        try await database.transaction { db in
            let clear = change.clearSecrets
            try await db.raw(
                """
                INSERT INTO gateway_settings (provider, secret_key, account_id, api_base, webhook_secret, webhook_user, webhook_key, updated_at, updated_by)
                VALUES (\(bind: provider.rawValue), \(bind: secretKey), \(bind: clean(change.values.accountID)), \(bind: apiBase), \(bind: webhookSecret),
                    \(bind: clean(change.values.webhookUser)), \(bind: webhookKey), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (provider) DO UPDATE SET
                    secret_key = CASE WHEN \(bind: clear) THEN NULL ELSE COALESCE(excluded.secret_key, gateway_settings.secret_key) END,
                    webhook_secret = CASE WHEN \(bind: clear) THEN NULL ELSE COALESCE(excluded.webhook_secret, gateway_settings.webhook_secret) END,
                    account_id = excluded.account_id, api_base = excluded.api_base, webhook_user = excluded.webhook_user,
                    webhook_key = COALESCE(excluded.webhook_key, gateway_settings.webhook_key),
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "gateway.settings", objectType: "gateway", objectID: provider.rawValue, at: now, change: changed),
                on: db
            )
        }
    }
}
