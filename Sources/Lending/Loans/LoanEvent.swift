import CarteraCore

/// Something that happened to a disbursed loan and changes what is owed. A loan's position on any date is the replay of
/// its events in order of value date (then of recording), so a back-dated event or a reversal (which removes an event
/// from the replay) gives the same result as if history had happened that way.
public struct LoanEvent: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// A payment by the borrower; money left after everything due goes where `excess` says.
        case payment(amount: Money, excess: ExcessPolicy)
        /// The balance is written off (castigo); later payments are recoveries.
        case writeOff
    }

    public var id: String
    /// Order of recording, to order events with the same value date.
    public var sequence: Int64
    public var valueDate: CalendarDate
    public var kind: Kind

    public init(id: String, sequence: Int64, valueDate: CalendarDate, kind: Kind) {
        self.id = id
        self.sequence = sequence
        self.valueDate = valueDate
        self.kind = kind
    }
}

/// Where money beyond what is due goes.
public enum ExcessPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Pago adelantado: kept and applied to the next installments as they fall due.
    case advance
    /// Pago anticipado to principal, keeping the payment and shortening the term.
    case reduceTerm = "reduce_term"
    /// Pago anticipado to principal, keeping the term and lowering the payment.
    case reducePayment = "reduce_payment"

    public var label: String {
        switch self {
        case .advance: "Pago adelantado (se aplica a los siguientes pagos)"
        case .reduceTerm: "Pago anticipado a capital: reduce el plazo"
        case .reducePayment: "Pago anticipado a capital: reduce el pago"
        }
    }
}

/// One part of a payment: what it paid and of which installment.
public struct AllocationLine: Sendable, Hashable, Codable {
    public enum Component: String, Sendable, Hashable, Codable, CaseIterable {
        case lateFee = "late_fee"
        case lateFeeIva = "late_fee_iva"
        case moratorium
        case moratoriumIva = "moratorium_iva"
        case interest
        case interestIva = "interest_iva"
        case principal
        /// Pago anticipado: principal of future installments.
        case prepayment
        /// Pago adelantado kept for the next installments, or a credit balance.
        case advance
        /// Money received after a write-off.
        case recovery

        public var label: String {
            switch self {
            case .lateFee: "Comisión por atraso"
            case .lateFeeIva: "IVA de comisión"
            case .moratorium: "Interés moratorio"
            case .moratoriumIva: "IVA de moratorios"
            case .interest: "Interés ordinario"
            case .interestIva: "IVA de intereses"
            case .principal: "Capital"
            case .prepayment: "Capital anticipado"
            case .advance: "Pago adelantado"
            case .recovery: "Recuperación"
            }
        }
    }

    /// The installment paid, or nil for advance, prepayment and recovery.
    public var installment: Int?
    public var component: Component
    public var amount: Money

    public init(installment: Int?, component: Component, amount: Money) {
        self.installment = installment
        self.component = component
        self.amount = amount
    }
}
