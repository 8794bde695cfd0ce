import CarteraCore
import CarteraTestSupport
import Payments
import Testing

@Suite("Payment intents")
struct PaymentIntentTests {
    static let start = Timestamp(millisecondsSince1970: 1_795_762_800_000)
    static func mxn(_ centavos: Int64) -> Money { .mxn(centavos: centavos) }

    @Test func aCardPaymentIsPostedOnceHoweverOftenItIsReported() throws {
        var intent = PaymentIntent(id: "pi_1", amount: Self.mxn(150_000))
        #expect(intent.status == .created)
        intent.submitted(expiresAt: nil)
        #expect(try intent.apply(.pending, at: Self.start) == nil && intent.status == .pending)
        #expect(try intent.apply(.paid(amount: Self.mxn(150_000), fee: Self.mxn(4_350)), at: Self.start) == .postPayment(amount: Self.mxn(150_000), fee: Self.mxn(4_350)))
        #expect(intent.status == .succeeded && intent.received == Self.mxn(150_000) && intent.fee == Self.mxn(4_350))
        // The webhook and the janitor report it again: nothing more to post.
        #expect(try intent.apply(.paid(amount: Self.mxn(150_000), fee: Self.mxn(4_350)), at: Self.start) == nil)
        #expect(try intent.apply(.pending, at: Self.start) == nil && intent.status == .succeeded)
        // A late "failed" for an attempt before the one that succeeded changes nothing.
        #expect(try intent.apply(.failed(code: "card_declined", message: "Tarjeta declinada"), at: Self.start) == nil && intent.status == .succeeded)
        // The same payment with another amount is not the same payment.
        #expect(throws: PaymentIntent.Inconsistent.self) { try intent.apply(.paid(amount: Self.mxn(1_500), fee: .zero()), at: Self.start) }
    }

    @Test func aReferenceExpiresUnpaidButMoneyThatArrivesLateIsStillPosted() throws {
        var intent = PaymentIntent(id: "pi_2", amount: Self.mxn(96_233))
        let expiry = Self.start.adding(seconds: 3 * 86_400)
        intent.submitted(expiresAt: expiry)
        #expect(try intent.apply(.expired, at: expiry.adding(seconds: 1)) == nil && intent.status == .expired && intent.status.isFinal)
        // A SPEI transfer for less than asked still arrived, after the expiry: it is posted for what arrived.
        #expect(try intent.apply(.paid(amount: Self.mxn(50_000), fee: Self.mxn(0)), at: expiry.adding(seconds: 60)) == .postPayment(amount: Self.mxn(50_000), fee: Self.mxn(0)))
        #expect(intent.status == .succeeded)
    }

    @Test func refundsPostOnlyWhatIsNewAndNeverMoreThanWasReceived() throws {
        var intent = PaymentIntent(id: "pi_3", amount: Self.mxn(100_000))
        #expect(throws: PaymentIntent.Inconsistent.self) { try intent.apply(.refunded(total: Self.mxn(1)), at: Self.start) }
        _ = try intent.apply(.paid(amount: Self.mxn(100_000), fee: Self.mxn(3_000)), at: Self.start)
        #expect(try intent.apply(.refunded(total: Self.mxn(30_000)), at: Self.start) == .postRefund(amount: Self.mxn(30_000)))
        #expect(intent.status == .partiallyRefunded)
        // An older report (a smaller total) or the same one again posts nothing.
        #expect(try intent.apply(.refunded(total: Self.mxn(10_000)), at: Self.start) == nil)
        #expect(try intent.apply(.refunded(total: Self.mxn(30_000)), at: Self.start) == nil)
        #expect(try intent.apply(.refunded(total: Self.mxn(100_000)), at: Self.start) == .postRefund(amount: Self.mxn(70_000)))
        #expect(intent.status == .refunded && intent.refunded == Self.mxn(100_000) && intent.status.isFinal)
        #expect(throws: PaymentIntent.Inconsistent.self) { try intent.apply(.refunded(total: Self.mxn(100_001)), at: Self.start) }
    }

    @Test func declinedExpiredAndCanceledAreFinalForEverythingButArrivingMoney() throws {
        for ending in [GatewayOutcome.failed(code: "insufficient_funds", message: "Fondos insuficientes"), .expired, .canceled] {
            var intent = PaymentIntent(id: "pi_4", amount: Self.mxn(10_000))
            intent.submitted(expiresAt: nil)
            _ = try intent.apply(ending, at: Self.start)
            let ended = intent.status
            for later in [GatewayOutcome.pending, .expired, .canceled, .failed(code: "x", message: "y")] {
                #expect(try intent.apply(later, at: Self.start) == nil && intent.status == ended)
            }
        }
        var declined = PaymentIntent(id: "pi_5", amount: Self.mxn(10_000))
        _ = try declined.apply(.failed(code: "card_declined", message: "Tarjeta declinada por el banco emisor"), at: Self.start)
        #expect(declined.failure == PaymentIntent.Failure(code: "card_declined", message: "Tarjeta declinada por el banco emisor"))
        #expect(throws: PaymentIntent.Inconsistent.self) { try declined.apply(.paid(amount: .zero(), fee: .zero()), at: Self.start) }
    }

    /// Gateways deliver reports late, repeated and out of order: whatever the order, the money posted equals what the
    /// gateway finally says, and a payment is posted at most once.
    @Test func anyOrderOfRepeatedReportsPostsEachMovementOnce() throws {
        var random = SeededRandom(seed: 9)
        for round in 0..<500 {
            let received = Self.mxn(Int64(random.next() % 1_000_000) + 1)
            let refunds = (0..<Int(random.next() % 4)).map { _ in Int64(random.next() % UInt64(received.minorUnits + 1)) }.sorted()
            let fee = Self.mxn(Int64(random.next() % 5_000))
            // The webhook states the payment without its fee; the gateway's answer to a query states both.
            var reports: [GatewayOutcome] = [.pending, .paid(amount: received, fee: nil), .paid(amount: received, fee: fee)]
            reports += refunds.map { .refunded(total: Self.mxn($0)) }
            if random.next() % 2 == 0 { reports.append(.failed(code: "x", message: "y")) }
            if random.next() % 2 == 0 { reports.append(.expired) }
            // Each report delivered one to three times, in a random order (refunds only after the payment is known,
            // as a gateway cannot refund before it has the money).
            var deliveries = reports.flatMap { report in Array(repeating: report, count: Int(random.next() % 3) + 1) }
            deliveries.shuffle(using: &random)
            var intent = PaymentIntent(id: "pi_\(round)", amount: received)
            var payments = 0
            var paid: Int64 = 0
            var returned: Int64 = 0
            var fees: [Money] = []
            var pendingRefunds: [GatewayOutcome] = []
            for delivery in deliveries {
                if case .refunded = delivery, !intent.status.isPaid {
                    pendingRefunds.append(delivery)  // the gateway would retry it later
                    continue
                }
                switch try intent.apply(delivery, at: Self.start) {
                case .postPayment(let amount, let knownFee)?:
                    payments += 1
                    paid += amount.minorUnits
                    if let knownFee { fees.append(knownFee) }
                case .postFee(let lateFee)?:
                    fees.append(lateFee)
                case .postRefund(let amount)?:
                    returned += amount.minorUnits
                case nil:
                    break
                }
            }
            for delivery in pendingRefunds {
                if case .postRefund(let amount)? = try intent.apply(delivery, at: Self.start) { returned += amount.minorUnits }
            }
            #expect(payments == 1 && paid == received.minorUnits, "round \(round)")
            #expect(fees == [fee] && intent.fee == fee, "round \(round): the fee is posted once, whichever report states it first")
            #expect(returned == (refunds.last ?? 0) && intent.refunded.minorUnits == returned, "round \(round)")
            #expect(intent.status == (returned == 0 ? .succeeded : returned == received.minorUnits ? .refunded : .partiallyRefunded), "round \(round)")
        }
    }
}
