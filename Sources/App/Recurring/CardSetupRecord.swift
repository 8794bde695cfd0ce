import CarteraCore
import Foundation
import Integrations
import SQLKit

/// A borrower saving a card on a gateway's own page from the portal, to authorise domiciliación, as stored.
public struct CardSetupRecord: Sendable, Encodable {
    public enum Status: String, Sendable, Codable {
        /// The borrower was sent to the provider's page and has not come back with a card yet.
        case open
        /// The card was saved and the authorisation made (`mandateId`).
        case completed
        /// The page closed without a card.
        case expired
        /// The provider refused, or the card could not be used (`errorMessage`).
        case failed

        public var label: String {
            switch self {
            case .open: "En espera de la tarjeta"
            case .completed: "Tarjeta registrada"
            case .expired: "Vencida sin tarjeta"
            case .failed: "No se completó"
            }
        }
    }

    public let id: String
    public let lenderId: String
    public let loanId: String
    public let clientId: String
    public let provider: GatewayProvider
    public let providerCustomerId: String
    public let providerSetupId: String?
    /// The provider's page where the card is typed.
    public let pageUrl: String?
    public let maxAmount: Int64?
    /// The authorisation the borrower accepted before leaving for the provider's page, word for word.
    public let consent: String
    public let status: Status
    public let mandateId: String?
    public let errorMessage: String?
    /// The portal user who asked for it.
    public let requestedBy: String
    public let createdAt: String
    public let expiresAt: String
    public let finishedAt: String?
    /// When the provider was last asked how it stands.
    public let checkedAt: String?

    var maxMoney: Money? { maxAmount.map { Money(minorUnits: $0, currency: .mxn) } }

    static let columns: SQLQueryString = """
        id, lender_id, loan_id, client_id, provider, provider_customer_id, provider_setup_id, page_url, max_amount, consent, status, mandate_id, error_message,
        requested_by, created_at, expires_at, finished_at, checked_at
        """

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        lenderId = try row.decode(column: "lender_id", as: String.self)
        loanId = try row.decode(column: "loan_id", as: String.self)
        clientId = try row.decode(column: "client_id", as: String.self)
        provider = try row.decode(column: "provider", named: GatewayProvider.self)
        providerCustomerId = try row.decode(column: "provider_customer_id", as: String.self)
        providerSetupId = try row.decode(column: "provider_setup_id", as: String?.self)
        pageUrl = try row.decode(column: "page_url", as: String?.self)
        maxAmount = try row.decode(column: "max_amount", as: Int64?.self)
        consent = try row.decode(column: "consent", as: String.self)
        status = try row.decode(column: "status", named: Status.self)
        mandateId = try row.decode(column: "mandate_id", as: String?.self)
        errorMessage = try row.decode(column: "error_message", as: String?.self)
        requestedBy = try row.decode(column: "requested_by", as: String.self)
        createdAt = try row.decode(column: "created_at", as: String.self)
        expiresAt = try row.decode(column: "expires_at", as: String.self)
        finishedAt = try row.decode(column: "finished_at", as: String?.self)
        checkedAt = try row.decode(column: "checked_at", as: String?.self)
    }
}
