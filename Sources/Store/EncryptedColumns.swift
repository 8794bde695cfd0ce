/// Every database column that holds values encrypted with `FieldCipher`, so that key rotation can find them all.
///
/// A module that adds an encrypted column adds it here in the same change. The field name is the associated data the
/// value was sealed with.
public enum EncryptedColumns {
    public struct Column: Sendable, Hashable, CustomStringConvertible {
        public let table: String
        /// The primary-key column that identifies a row.
        public let key: String
        public let column: String
        /// The `field` passed to `FieldCipher`.
        public let field: String
        /// Whether rows written before the column was encrypted may still hold plain text (encrypted on rotation).
        public let mayHoldPlainText: Bool

        public var description: String { "\(table).\(column)" }
    }

    public static let all: [Column] = [
        Column(table: "users", key: "id", column: "display_name", field: "users.display_name", mayHoldPlainText: true),
        Column(table: "users", key: "id", column: "totp_secret", field: "users.totp_secret", mayHoldPlainText: false),
        Column(table: "users", key: "id", column: "totp_pending_secret", field: "users.totp_secret", mayHoldPlainText: false),
        Column(table: "clients", key: "id", column: "profile", field: "clients.profile", mayHoldPlainText: false),
        Column(table: "signing_keys", key: "kid", column: "private_key", field: "signing_keys.private_key", mayHoldPlainText: false),
        Column(table: "gateway_settings", key: "provider", column: "secret_key", field: "gateway_settings.secret_key", mayHoldPlainText: false),
        Column(table: "gateway_settings", key: "provider", column: "webhook_secret", field: "gateway_settings.webhook_secret", mayHoldPlainText: false),
        Column(table: "bank_statement_lines", key: "id", column: "counterparty_name", field: "bank_statement_lines.counterparty_name", mayHoldPlainText: false),
        Column(table: "bank_statement_lines", key: "id", column: "counterparty_account", field: "bank_statement_lines.counterparty_account", mayHoldPlainText: false),
        Column(table: "bank_statement_lines", key: "id", column: "remittance", field: "bank_statement_lines.remittance", mayHoldPlainText: false),
        Column(table: "bank_statement_lines", key: "id", column: "description", field: "bank_statement_lines.description", mayHoldPlainText: false),
        Column(table: "spei_orders", key: "id", column: "beneficiary_clabe", field: "spei_orders.beneficiary_clabe", mayHoldPlainText: false),
        Column(table: "spei_orders", key: "id", column: "beneficiary_name", field: "spei_orders.beneficiary_name", mayHoldPlainText: false),
        Column(table: "spei_orders", key: "id", column: "beneficiary_rfc", field: "spei_orders.beneficiary_rfc", mayHoldPlainText: false),
        Column(table: "spei_deposits", key: "id", column: "payer_name", field: "spei_deposits.payer_name", mayHoldPlainText: false),
        Column(table: "spei_deposits", key: "id", column: "payer_account", field: "spei_deposits.payer_account", mayHoldPlainText: false),
        Column(table: "spei_deposits", key: "id", column: "payer_rfc", field: "spei_deposits.payer_rfc", mayHoldPlainText: false),
        Column(table: "spei_deposits", key: "id", column: "concept", field: "spei_deposits.concept", mayHoldPlainText: false),
        Column(table: "spei_deposits", key: "id", column: "raw_body", field: "spei_deposits.raw_body", mayHoldPlainText: false),
        Column(table: "collection_messages", key: "id", column: "recipient", field: "collection_messages.recipient", mayHoldPlainText: false),
        Column(table: "collection_messages", key: "id", column: "body", field: "collection_messages.body", mayHoldPlainText: false),
        Column(table: "collection_messages", key: "id", column: "parameters", field: "collection_messages.parameters", mayHoldPlainText: false),
        Column(table: "contact_consents", key: "id", column: "evidence", field: "contact_consents.evidence", mayHoldPlainText: false),
        Column(table: "report_subscriptions", key: "id", column: "email", field: "report_subscriptions.email", mayHoldPlainText: false),
        Column(table: "screening_hits", key: "id", column: "subject_name", field: "screening_hits.subject_name", mayHoldPlainText: false),
        Column(table: "screening_hits", key: "id", column: "review_note", field: "screening_hits.review_note", mayHoldPlainText: false),
        Column(table: "screening_hits", key: "id", column: "matched_name", field: "screening_hits.matched_name", mayHoldPlainText: false),
        Column(table: "client_holds", key: "id", column: "lift_note", field: "client_holds.lift_note", mayHoldPlainText: false),
        Column(table: "compliance_cases", key: "id", column: "subject", field: "compliance_cases.subject", mayHoldPlainText: false),
        // Cases the monitoring rules open carry the rules' own text (amounts and dates, no names) until a rotation encrypts it.
        Column(table: "compliance_cases", key: "id", column: "summary", field: "compliance_cases.summary", mayHoldPlainText: true),
        Column(table: "compliance_cases", key: "id", column: "decision_note", field: "compliance_cases.decision_note", mayHoldPlainText: false),
        Column(table: "compliance_case_events", key: "id", column: "note", field: "compliance_case_events.note", mayHoldPlainText: false),
        Column(table: "transactional_profiles", key: "id", column: "source_of_funds", field: "transactional_profiles.source_of_funds", mayHoldPlainText: false),
        Column(table: "kyc_documents", key: "id", column: "file_name", field: "kyc_documents.file_name", mayHoldPlainText: false),
        // A document's bytes, base64-encoded, then encrypted as text.
        Column(table: "kyc_documents", key: "id", column: "content", field: "kyc_documents.content", mayHoldPlainText: false),
        Column(table: "kyc_documents", key: "id", column: "rejection_reason", field: "kyc_documents.rejection_reason", mayHoldPlainText: false),
        Column(table: "kyc_updates", key: "id", column: "note", field: "kyc_updates.note", mayHoldPlainText: false),
        Column(table: "application_scores", key: "id", column: "inputs", field: "application_scores.inputs", mayHoldPlainText: false),
        Column(table: "application_scores", key: "id", column: "parts", field: "application_scores.parts", mayHoldPlainText: false),
        Column(table: "application_scores", key: "id", column: "adverse", field: "application_scores.adverse", mayHoldPlainText: false),
        Column(table: "bureau_authorizations", key: "id", column: "evidence", field: "bureau_authorizations.evidence", mayHoldPlainText: false),
        Column(table: "bureau_reports", key: "id", column: "report", field: "bureau_reports.report", mayHoldPlainText: false),
    ]
}
