import CarteraCore
import Foundation
import Integrations
import SQLKit

/// A borrower's authorisation to charge a saved card on each due date of a loan (domiciliación), as stored.
public struct CardMandateRecord: Sendable, Encodable {
    public enum Status: String, Sendable, Codable {
        case active, revoked

        public var label: String { self == .active ? "Activa" : "Cancelada" }
    }

    public let id: String
    public let lenderId: String
    public let loanId: String
    public let clientId: String
    public let provider: GatewayProvider
    public let providerCustomerId: String
    public let card: SavedCard
    /// The most one charge may take (the amount due otherwise), as decimal text.
    public let maxAmount: String?
    public let status: Status
    public let statusLabel: String
    /// The authorisation the borrower accepted, word for word.
    public let consent: String
    /// Where it was given: `api`, `portal`.
    public let channel: String
    public let authorisedAt: String
    public let authorisedBy: String
    public let revokedAt: String?
    public let revokedBy: String?
    public let revokeReason: String?
    let rowVersion: Int64

    enum CodingKeys: String, CodingKey {
        case id, lenderId, loanId, clientId, provider, providerCustomerId, card, maxAmount, status, statusLabel, consent, channel, authorisedAt, authorisedBy,
            revokedAt, revokedBy, revokeReason
    }

    /// `Visa •••• 4242 (vence 12/2030)` (`Cuenta PayPal` for a PayPal account), for people.
    public var cardLabel: String {
        guard !card.last4.isEmpty else { return card.label }
        let expiry = card.expiryMonth.flatMap { month in card.expiryYear.map { String(format: " (vence %02d/%d)", month, $0) } } ?? ""
        return "\(card.brandName) •••• \(card.last4)\(expiry)"
    }

    var maxMoney: Money? { maxAmount.flatMap { try? Money(parsing: $0) } }

    static let columns: SQLQueryString = """
        id, lender_id, loan_id, client_id, provider, provider_customer_id, provider_card_id, card_brand, card_last4, card_exp_month, card_exp_year,
        max_amount, status, consent, channel, authorised_at, authorised_by, revoked_at, revoked_by, revoke_reason, row_version
        """

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        lenderId = try row.decode(column: "lender_id", as: String.self)
        loanId = try row.decode(column: "loan_id", as: String.self)
        clientId = try row.decode(column: "client_id", as: String.self)
        provider = try row.decode(column: "provider", named: GatewayProvider.self)
        providerCustomerId = try row.decode(column: "provider_customer_id", as: String.self)
        card = SavedCard(
            id: try row.decode(column: "provider_card_id", as: String.self), brand: try row.decode(column: "card_brand", as: String.self),
            last4: try row.decode(column: "card_last4", as: String.self), expiryMonth: try row.decode(column: "card_exp_month", as: Int?.self),
            expiryYear: try row.decode(column: "card_exp_year", as: Int?.self)
        )
        maxAmount = try row.decode(column: "max_amount", as: Int64?.self).map { QuoteDocument.amount(Money(minorUnits: $0, currency: .mxn)) }
        let status = try row.decode(column: "status", named: Status.self)
        self.status = status
        statusLabel = status.label
        consent = try row.decode(column: "consent", as: String.self)
        channel = try row.decode(column: "channel", as: String.self)
        authorisedAt = try row.decode(column: "authorised_at", as: String.self)
        authorisedBy = try row.decode(column: "authorised_by", as: String.self)
        revokedAt = try row.decode(column: "revoked_at", as: String?.self)
        revokedBy = try row.decode(column: "revoked_by", as: String?.self)
        revokeReason = try row.decode(column: "revoke_reason", as: String?.self)
        rowVersion = try row.decode(column: "row_version", as: Int64.self)
    }
}
