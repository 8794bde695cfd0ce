import CarteraCore
import Foundation
import Integrations
import Payments
import SQLKit

/// A payment intent as the API, the portal and the back office show it.
public struct PaymentIntentRecord: Sendable, Encodable {
    public let id: String
    public let loanId: String
    public let lenderId: String
    public let installment: Int?
    public let provider: GatewayProvider
    public let method: String
    public let amount: String
    public let currency: String
    public let description: String
    public let status: PaymentIntentStatus
    public let statusLabel: String
    public let providerChargeId: String?
    public let providerCustomerId: String?
    /// Cash: the reference to give at the store and the provider's printable voucher.
    public let cashReference: String?
    public let voucherUrl: String?
    /// SPEI: the CLABE to transfer to, and its bank.
    public let clabe: String?
    public let bankName: String?
    public let expiresAt: String?
    public let received: String?
    public let fee: String?
    public let refunded: String
    public let failureCode: String?
    public let failureMessage: String?
    /// The loan payment it was posted as (the latest, after a partial refund).
    public let paymentId: String?
    /// Set when the money could not be applied to the loan (closed meanwhile) and waits in suspense.
    public let suspenseEntryId: String?
    public let recurring: Bool
    public let createdAt: String
    public let createdBy: String
    public let updatedAt: String
    public let queries: Int
    let rowVersion: Int64

    enum CodingKeys: String, CodingKey {
        case id, loanId, lenderId, installment, provider, method, amount, currency, description, status, statusLabel, providerChargeId,
            providerCustomerId, cashReference, voucherUrl, clabe, bankName, expiresAt, received, fee, refunded, failureCode, failureMessage,
            paymentId, suspenseEntryId, recurring, createdAt, createdBy, updatedAt, queries
    }

    static let columns: SQLQueryString = """
        id, lender_id, loan_id, installment, provider, method, amount, currency, description, status, provider_charge_id, provider_customer_id,
        cash_reference, voucher_url, clabe, bank_name, expires_at, received, fee, refunded, failure_code, failure_message, payment_id,
        suspense_entry_id, recurring, created_at, created_by, updated_at, queries, row_version
        """

    init(_ row: any SQLRow) throws {
        let currencyCode = try row.decode(column: "currency", as: String.self)
        let currency = Currency(code: currencyCode) ?? .mxn
        func amount(_ column: String) throws -> String? {
            try row.decode(column: column, as: Int64?.self).map { QuoteDocument.amount(Money(minorUnits: $0, currency: currency)) }
        }
        id = try row.decode(column: "id", as: String.self)
        loanId = try row.decode(column: "loan_id", as: String.self)
        lenderId = try row.decode(column: "lender_id", as: String.self)
        installment = try row.decode(column: "installment", as: Int?.self)
        provider = try row.decode(column: "provider", named: GatewayProvider.self)
        method = try row.decode(column: "method", as: String.self)
        self.amount = try amount("amount") ?? "0.00"
        self.currency = currencyCode
        description = try row.decode(column: "description", as: String.self)
        let status = try row.decode(column: "status", named: PaymentIntentStatus.self)
        self.status = status
        statusLabel = status.label
        providerChargeId = try row.decode(column: "provider_charge_id", as: String?.self)
        providerCustomerId = try row.decode(column: "provider_customer_id", as: String?.self)
        cashReference = try row.decode(column: "cash_reference", as: String?.self)
        voucherUrl = try row.decode(column: "voucher_url", as: String?.self)
        clabe = try row.decode(column: "clabe", as: String?.self)
        bankName = try row.decode(column: "bank_name", as: String?.self)
        expiresAt = try row.decode(column: "expires_at", as: String?.self)
        received = try amount("received")
        fee = try amount("fee")
        refunded = try amount("refunded") ?? "0.00"
        failureCode = try row.decode(column: "failure_code", as: String?.self)
        failureMessage = try row.decode(column: "failure_message", as: String?.self)
        paymentId = try row.decode(column: "payment_id", as: String?.self)
        suspenseEntryId = try row.decode(column: "suspense_entry_id", as: String?.self)
        recurring = try row.decode(column: "recurring", as: Bool.self)
        createdAt = try row.decode(column: "created_at", as: String.self)
        createdBy = try row.decode(column: "created_by", as: String.self)
        updatedAt = try row.decode(column: "updated_at", as: String.self)
        queries = try row.decode(column: "queries", as: Int.self)
        rowVersion = try row.decode(column: "row_version", as: Int64.self)
        let zero = Money(minorUnits: 0, currency: currency)
        let minor = { (column: String) throws -> Money? in try row.decode(column: column, as: Int64?.self).map { Money(minorUnits: $0, currency: currency) } }
        let intentID = id
        intent = PaymentIntent(
            id: intentID, amount: try minor("amount") ?? zero, status: status, received: try minor("received"), fee: try minor("fee"),
            refunded: try minor("refunded") ?? zero, expiresAt: try row.decode(column: "expires_at", as: String?.self).flatMap(Timestamp.init(text:)),
            failure: try row.decode(column: "failure_code", as: String?.self).map { PaymentIntent.Failure(code: $0, message: try row.decode(column: "failure_message", as: String?.self) ?? "") }
        )
    }

    /// The intent's state machine, as stored.
    let intent: PaymentIntent

    /// A card payment made on the provider's own page (its address kept as `voucherUrl`).
    var isCardPage: Bool { method == GatewayMethod.Kind.card.rawValue && voucherUrl != nil }
}

/// One request made to the gateway about an intent.
public struct PaymentAttemptRecord: Sendable, Encodable {
    public let id: String
    public let intentId: String
    /// `charge`, `query`, `refund`, `lookup`.
    public let kind: String
    public let requestedAt: String
    public let requestedBy: String
    public let amount: String?
    public let reason: String?
    public let finishedAt: String?
    /// `sent` (no answer yet), `ok`, `declined`, `error`, `unknown`.
    public let result: String
    public let errorCode: String?
    public let errorMessage: String?

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        intentId = try row.decode(column: "intent_id", as: String.self)
        kind = try row.decode(column: "kind", as: String.self)
        requestedAt = try row.decode(column: "requested_at", as: String.self)
        requestedBy = try row.decode(column: "requested_by", as: String.self)
        amount = try row.decode(column: "amount", as: Int64?.self).map { QuoteDocument.amount(Money(minorUnits: $0, currency: .mxn)) }
        reason = try row.decode(column: "reason", as: String?.self)
        finishedAt = try row.decode(column: "finished_at", as: String?.self)
        result = try row.decode(column: "result", as: String.self)
        errorCode = try row.decode(column: "error_code", as: String?.self)
        errorMessage = try row.decode(column: "error_message", as: String?.self)
    }
}
