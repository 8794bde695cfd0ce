import CarteraCore
import Foundation
import Payments

/// How a borrower pays through a gateway.
public enum GatewayMethod: Sendable, Hashable {
    /// A card tokenised in the borrower's browser by the provider's own script (Cartera never sees the number).
    case card(token: String)
    /// A card the borrower saved with the provider, charged without the borrower present (domiciliación).
    case savedCard(customerID: String, paymentMethodID: String)
    /// A reference to pay in cash at OXXO or another store before `expiresAt`.
    case cash(expiresAt: Timestamp)
    /// A CLABE to pay by SPEI transfer before `expiresAt`.
    case spei(customerID: String, expiresAt: Timestamp)

    public var kind: Kind {
        switch self {
        case .card: .card
        case .savedCard: .savedCard
        case .cash: .cash
        case .spei: .spei
        }
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case card, savedCard = "saved_card", cash, spei
    }
}

/// A payment asked of a gateway.
public struct GatewayChargeRequest: Sendable, Hashable {
    /// Cartera's payment intent: the idempotency key and the reference the provider stores with the payment.
    public let intentID: String
    public let amount: Money
    public let description: String
    public let payerName: String
    public let payerEmail: String?
    public let method: GatewayMethod
    /// The anti-fraud session id the provider's script made in the borrower's browser (Openpay's `device_session_id`).
    public let deviceSessionID: String?
    /// The card network as the provider's script reports it with the token (Mercado Pago's `payment_method_id`).
    public let paymentMethodID: String?

    public init(
        intentID: String, amount: Money, description: String, payerName: String, payerEmail: String?, method: GatewayMethod, deviceSessionID: String? = nil,
        paymentMethodID: String? = nil
    ) {
        self.intentID = intentID
        self.amount = amount
        self.description = description
        self.payerName = payerName
        self.payerEmail = payerEmail
        self.method = method
        self.deviceSessionID = deviceSessionID
        self.paymentMethodID = paymentMethodID
    }
}

/// A payment as the gateway has it.
public struct GatewayCharge: Sendable, Hashable {
    /// The provider's id (Stripe `pi_…`, Conekta `ord_…`, …).
    public let id: String
    public let outcome: GatewayOutcome
    /// For cash: the reference to pay with, and the provider's printable voucher.
    public let cashReference: String?
    public let voucherURL: String?
    /// For SPEI: where to transfer.
    public let clabe: String?
    public let bankName: String?
    public let expiresAt: Timestamp?
    /// When the money was paid, as the provider says (the payment's value date).
    public let paidAt: Timestamp?
    /// How much of a paid charge the provider has returned in all (refunds made anywhere, Cartera or the provider's
    /// dashboard); nil when none.
    public let refunded: Money?
    /// Cartera's intent as the provider keeps it with the payment (metadata, order id, external reference, custom id).
    public let intentID: String?

    public init(
        id: String, outcome: GatewayOutcome, cashReference: String? = nil, voucherURL: String? = nil, clabe: String? = nil, bankName: String? = nil,
        expiresAt: Timestamp? = nil, paidAt: Timestamp? = nil, refunded: Money? = nil, intentID: String? = nil
    ) {
        self.intentID = intentID
        self.paidAt = paidAt
        self.refunded = refunded.flatMap { $0.isPositive ? $0 : nil }
        self.id = id
        self.outcome = outcome
        self.cashReference = cashReference
        self.voucherURL = voucherURL
        self.clabe = clabe
        self.bankName = bankName
        self.expiresAt = expiresAt
    }
}

/// A card payment made on the provider's own page (hosted checkout): the borrower types the card there, so Cartera
/// never sees it; the provider sends the borrower back to `returnURL`.
public struct GatewayCheckoutRequest: Sendable, Hashable {
    /// Cartera's payment intent: the idempotency key and the reference the provider stores with the payment.
    public let intentID: String
    public let amount: Money
    public let description: String
    public let payerName: String
    public let payerEmail: String?
    public let returnURL: String
    /// When the page stops taking the payment.
    public let expiresAt: Timestamp

    public init(intentID: String, amount: Money, description: String, payerName: String, payerEmail: String?, returnURL: String, expiresAt: Timestamp) {
        self.intentID = intentID
        self.amount = amount
        self.description = description
        self.payerName = payerName
        self.payerEmail = payerEmail
        self.returnURL = returnURL
        self.expiresAt = expiresAt
    }
}

/// The provider's page for a card payment.
public struct GatewayCheckout: Sendable, Hashable {
    /// Where to send the borrower.
    public let url: String
    /// The provider's id of the payment when it has one before the borrower pays (Conekta order, Openpay charge,
    /// PayPal order); nil when the payment is made on the page (Stripe, Mercado Pago): it is found by the intent id.
    public let chargeID: String?
    public let expiresAt: Timestamp?

    public init(url: String, chargeID: String?, expiresAt: Timestamp?) {
        self.url = url
        self.chargeID = chargeID
        self.expiresAt = expiresAt
    }
}

/// A borrower saving a card on the provider's own page (to be charged later without them, domiciliación): they type
/// it there, so Cartera never sees it; the provider sends them back to `returnURL`.
public struct GatewayCardSetupRequest: Sendable, Hashable {
    /// Cartera's card setup: the idempotency key and the reference the provider keeps with it.
    public let setupID: String
    /// The provider's customer the card is saved on (`createCustomer`).
    public let customerID: String
    public let payerEmail: String?
    public let returnURL: String
    /// When the page stops taking the card.
    public let expiresAt: Timestamp

    public init(setupID: String, customerID: String, payerEmail: String?, returnURL: String, expiresAt: Timestamp) {
        self.setupID = setupID
        self.customerID = customerID
        self.payerEmail = payerEmail
        self.returnURL = returnURL
        self.expiresAt = expiresAt
    }
}

/// The provider's page where a card is saved.
public struct GatewayCardSetup: Sendable, Hashable {
    /// Where to send the borrower.
    public let url: String
    /// The provider's id of the setup (Stripe's Checkout Session), to ask how it ended.
    public let id: String
    public let expiresAt: Timestamp?

    public init(url: String, id: String, expiresAt: Timestamp?) {
        self.url = url
        self.id = id
        self.expiresAt = expiresAt
    }
}

/// How a card setup on the provider's page stands.
public enum GatewayCardSetupState: Sendable, Hashable {
    /// The borrower has not saved a card yet (the page is still open).
    case open
    /// The card is saved on the customer.
    case saved(SavedCard)
    /// The page closed without a card (expired or abandoned); a new setup is needed.
    case expired
}

/// A card saved with a provider: its id there (what a charge names) and what lets people recognise it. Never the number.
public struct SavedCard: Sendable, Hashable, Codable {
    /// The provider's id for the card (Stripe `pm_…`, Conekta `src_…`, Openpay card id, Mercado Pago card id, PayPal
    /// vault payment token).
    public let id: String
    /// The card network as the provider names it (`visa`, `mastercard`, `american_express`, `master`…).
    public let brand: String
    public let last4: String
    public let expiryMonth: Int?
    /// Four digits.
    public let expiryYear: Int?

    public init(id: String, brand: String, last4: String, expiryMonth: Int?, expiryYear: Int?) {
        self.id = id
        self.brand = brand
        self.last4 = last4
        self.expiryMonth = expiryMonth
        self.expiryYear = expiryYear.map { $0 < 100 ? 2000 + $0 : $0 }
    }

    /// The network's name for people: `Visa`, `Mastercard`, `American Express`.
    public var brandName: String {
        switch brand.lowercased() {
        case "visa": "Visa"
        case "mastercard", "master": "Mastercard"
        case "amex", "american_express": "American Express"
        case "paypal": "PayPal"
        default: brand.capitalized
        }
    }

    /// `Visa terminación 4242`, or `Cuenta PayPal` for a PayPal account (no card number is shown).
    public var label: String {
        last4.isEmpty ? "Cuenta \(brandName)" : "\(brandName) terminación \(last4)"
    }

    /// Whether the card has expired by `date` (it works through the last day of its expiry month).
    public func hasExpired(by date: CalendarDate) -> Bool {
        guard let month = expiryMonth, let year = expiryYear else { return false }
        return date.year * 12 + date.month > year * 12 + month
    }
}

/// A payment gateway, spoken to in its own API. One conforming type per provider.
public protocol PaymentGateway: Sendable {
    var provider: GatewayProvider { get }
    /// The methods the provider offers (PayPal has no cash or SPEI); asking for another throws `unsupported`.
    var methods: Set<GatewayMethod.Kind> { get }
    /// Registers a payer; returns the provider's customer id.
    func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String
    /// Asks for a payment. A declined card is a charge with a `failed` outcome, not an error.
    func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge
    /// The payment as the provider has it now (for the janitor, and before acting on an unsigned webhook).
    func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge
    /// Finds the payment made for Cartera's intent `intentID` when its answer never arrived; nil when there is none.
    func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge?
    /// Returns `amount` (all when nil) of a paid charge; the outcome carries the running total refunded.
    func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome
    /// Reads a verified webhook's payload; nil for an event that is not about a payment (Cartera ignores it).
    func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport?
    /// Whether `lookup` can find a payment by Cartera's intent id (false: a lost answer is learnt from the webhook only).
    var findsByIntent: Bool { get }
    /// Saves the card behind `token` (made by the provider's script in the borrower's browser) on the provider's
    /// customer `customerID`, to charge it later without the borrower present (domiciliación). Idempotent on the token.
    func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard
    /// Deletes a saved card at the provider (the borrower revoked the domiciliación); a card already gone is not an error.
    func removeCard(customerID: String, cardID: String) async throws(GatewayError)
    /// Opens the provider's page where the borrower pays by card (Stripe Checkout, Conekta HostedPayment, Openpay's
    /// redirect charge, Mercado Pago Checkout Pro, PayPal's approval page).
    func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout
    /// Whether the provider has a page of its own where a borrower saves a card (`cardSetup`); without one, a card is
    /// saved by the lender's app with the provider's script (`saveCard`).
    var savesCardsOnItsPage: Bool { get }
    /// Opens the provider's page where the borrower saves a card on `request.customerID` (Stripe Checkout in setup
    /// mode). Throws `noCardPage` for a provider without one.
    func cardSetup(_ request: GatewayCardSetupRequest) async throws(GatewayError) -> GatewayCardSetup
    /// How the setup `id` (from `cardSetup`) stands: still open, the card saved, or closed without one.
    func cardSetupState(_ id: String) async throws(GatewayError) -> GatewayCardSetupState
}

extension PaymentGateway {
    public var findsByIntent: Bool { true }
    public var savesCardsOnItsPage: Bool { false }

    public func cardSetup(_ request: GatewayCardSetupRequest) async throws(GatewayError) -> GatewayCardSetup {
        throw .noCardPage(provider: provider)
    }

    public func cardSetupState(_ id: String) async throws(GatewayError) -> GatewayCardSetupState {
        throw .noCardPage(provider: provider)
    }
}
