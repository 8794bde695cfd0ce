import CarteraCore

/// One payment a borrower asked to make through a gateway — an installment, an amount or the payoff of a loan — and
/// how it went. Reports from the gateway (answers, webhooks, the janitor's queries) may arrive more than once and out of
/// order; `apply(_:at:)` turns each into at most one thing to post, so a payment is posted exactly once however often
/// it is reported.
public struct PaymentIntent: Sendable, Hashable {
    public let id: String
    public let amount: Money
    public private(set) var status: PaymentIntentStatus = .created
    /// What the gateway received; set once, when it is paid.
    public private(set) var received: Money?
    public private(set) var fee: Money?
    public private(set) var refunded: Money
    /// Until when a cash or SPEI reference can be paid.
    public private(set) var expiresAt: Timestamp?
    public private(set) var failure: Failure?

    /// Why the gateway declined it.
    public struct Failure: Sendable, Hashable {
        public let code: String
        public let message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public init(id: String, amount: Money) {
        self.id = id
        self.amount = amount
        self.refunded = Money(minorUnits: 0, currency: amount.currency)
    }

    /// An intent as it was stored.
    public init(
        id: String, amount: Money, status: PaymentIntentStatus, received: Money?, fee: Money?, refunded: Money, expiresAt: Timestamp?, failure: Failure?
    ) {
        self.id = id
        self.amount = amount
        self.status = status
        self.received = received
        self.fee = fee
        self.refunded = refunded
        self.expiresAt = expiresAt
        self.failure = failure
    }

    /// What a report asks Cartera to post.
    public enum Effect: Sendable, Hashable {
        /// The payment arrived: post `amount` to the loan through the posting path; `fee` (when known) from the gateway's
        /// clearing account to fees paid.
        case postPayment(amount: Money, fee: Money?)
        /// The gateway's fee of a payment already posted became known: post it.
        case postFee(Money)
        /// `amount` more was returned to the payer: post compensating entries.
        case postRefund(amount: Money)
    }

    /// A report that cannot be true for this intent (a defect or a forged event); nothing changes.
    public struct Inconsistent: CarteraError, Equatable {
        public let code = "payment_intent_inconsistent"
        public let message: String
    }

    /// The gateway accepted the request: the intent waits for the payment (until `expiresAt` for a reference).
    public mutating func submitted(expiresAt: Timestamp?) {
        guard status == .created else { return }
        status = .pending
        self.expiresAt = expiresAt
    }

    /// Applies what the gateway reports and returns what must be posted (nothing for a report already applied).
    public mutating func apply(_ outcome: GatewayOutcome, at now: Timestamp) throws(Inconsistent) -> Effect? {
        switch outcome {
        case .pending:
            if status == .created { status = .pending }
            return nil
        case .paid(let amount, let fee):
            guard amount.currency == self.amount.currency, amount.isPositive, fee.map({ !$0.isNegative && $0.currency == amount.currency }) ?? true else {
                throw Inconsistent(message: "El pago \(id) se reportó con un monto o una comisión imposibles.")
            }
            if status.isPaid {
                // Reported again: the first report was posted; a different amount is not the same payment.
                guard received == amount else { throw Inconsistent(message: "El pago \(id) ya se registró por \(received?.formatted(.symbol) ?? "-"), no por \(amount.formatted(.symbol)).") }
                // The fee the first report did not state is posted once it is known.
                if self.fee == nil, let fee {
                    self.fee = fee
                    return .postFee(fee)
                }
                return nil
            }
            // Money that arrives after a failure, an expiry or a cancellation still arrived: it is posted.
            status = .succeeded
            received = amount
            self.fee = fee
            failure = nil
            return .postPayment(amount: amount, fee: fee)
        case .failed(let code, let message):
            guard status == .created || status == .pending else { return nil }
            status = .failed
            failure = Failure(code: code, message: message)
            return nil
        case .expired:
            guard status == .created || status == .pending else { return nil }
            status = .expired
            return nil
        case .canceled:
            guard status == .created || status == .pending else { return nil }
            status = .canceled
            return nil
        case .refunded(let total):
            guard status.isPaid, let received else {
                throw Inconsistent(message: "Se reportó un reembolso del pago \(id), que no se ha recibido.")
            }
            guard total.currency == received.currency, total <= received, !total.isNegative else {
                throw Inconsistent(message: "El reembolso reportado del pago \(id) excede lo recibido.")
            }
            guard total > refunded else { return nil }  // an older or repeated report
            let more = Money(minorUnits: total.minorUnits - refunded.minorUnits, currency: total.currency)
            refunded = total
            status = total == received ? .refunded : .partiallyRefunded
            return .postRefund(amount: more)
        }
    }
}
