import Foundation
import CarteraCore

/// A credit product: the terms every loan of the product follows. A version is immutable once a loan uses it; a change
/// is a new version (`version` + 1) under the same `code`.
public struct Product: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var version: Int
    public var currency: Currency
    /// Simple annual rate.
    public var annualRate: Rate
    public var dayCount: DayCount
    public var frequency: Frequency
    public var method: AmortizationMethod
    public var minimumAmount: Money
    public var maximumAmount: Money
    public var minimumTerm: Int
    public var maximumTerm: Int
    public var openingFee: Fee
    public var openingFeeTreatment: FeeTreatment
    /// IVA on interest (16 % by default, 0 allowed), on nominal interest.
    public var ivaRate: Rate
    /// IVA on fees.
    public var feeIvaRate: Rate
    public var moratorium: Moratorium
    /// A fixed fee per late installment (before IVA), if the product charges one.
    public var lateFee: Money?
    /// When true, a period that charges moratorium interest does not also charge the late fee.
    public var lateFeeExcludesMoratorium: Bool
    /// Share of the interest returned when an installment is paid on time (bonificación), if any.
    public var onTimeRebate: Rate?
    /// The order a payment is applied in.
    public var allocationOrder: [AllocationBucket]
    public var rounding: RoundingMode
    /// How the periodic rate follows from the annual rate; nil is the default, `commercial`.
    public var rateConvention: RateConvention?
    /// How the CAT measures time; nil is the default, regular periods.
    public var catTimeBasis: CATTimeBasis?
    /// Days past due after which a loan is cartera vencida; nil is the default, 90 (periodic payments; a single-payment
    /// product may use 30). Fixed in each loan's terms at disbursement.
    public var nonPerformingAfterDays: Int?

    /// The periodic rate as an exact fraction of the annual rate, under the product's convention.
    public var periodFraction: (numerator: Int64, denominator: Int64) {
        (rateConvention ?? .commercial).fraction(for: frequency, yearDays: dayCount.yearDays)
    }

    /// The opening fee: an amount, or a share of the principal.
    public enum Fee: Sendable, Hashable, Codable {
        case amount(Money)
        case percent(Rate)

        /// The fee for a loan of `principal`, rounded half up to the centavo.
        public func amount(for principal: Money) throws(MoneyError) -> Money {
            switch self {
            case .amount(let money): money
            case .percent(let rate): try principal.scaled(by: rate.millionths, over: Rate.scale, rounding: .halfUp)
            }
        }
    }

    public enum FeeTreatment: String, Sendable, Hashable, Codable {
        /// Deducted from the amount disbursed.
        case deducted
        /// Added to the principal and repaid with the installments.
        case financed
    }

    /// Moratorium interest, accrued daily on overdue principal.
    public enum Moratorium: Sendable, Hashable, Codable {
        /// A multiple of the ordinary rate, in millionths (1.5× = 1,500,000).
        case multipleOfOrdinary(Int64)
        /// A fixed simple annual rate.
        case fixed(Rate)
        case none

        /// The annual moratorium rate for an ordinary rate.
        public func annualRate(ordinary: Rate) -> Rate {
            switch self {
            case .multipleOfOrdinary(let factor): Rate(millionths: ordinary.millionths * factor / Rate.scale)
            case .fixed(let rate): rate
            case .none: .zero
            }
        }
    }

    /// Where a payment goes, in the order the product lists.
    public enum AllocationBucket: String, Sendable, Hashable, Codable, CaseIterable {
        case fees
        case moratoriumInterest = "moratorium_interest"
        case overdueInterest = "overdue_interest"
        case overduePrincipal = "overdue_principal"
        case currentInterest = "current_interest"
        case currentPrincipal = "current_principal"
        case advance

        /// The default order: fees → moratorium interest + IVA → overdue interest + IVA → overdue principal → current
        /// interest + IVA → current principal → advance.
        public static let defaultOrder: [AllocationBucket] = [
            .fees, .moratoriumInterest, .overdueInterest, .overduePrincipal, .currentInterest, .currentPrincipal, .advance,
        ]
    }

    /// A product with the common defaults: Actual/360, French, IVA 16 %, moratorium 1.5× the ordinary rate, the
    /// default allocation order, half-up rounding.
    public init(
        code: String, name: String, version: Int = 1, currency: Currency = .mxn, annualRate: Rate, dayCount: DayCount = .actual360,
        frequency: Frequency, method: AmortizationMethod = .french, minimumAmount: Money, maximumAmount: Money, minimumTerm: Int,
        maximumTerm: Int, openingFee: Fee = .amount(.zero()), openingFeeTreatment: FeeTreatment = .deducted, ivaRate: Rate = .percent(16),
        feeIvaRate: Rate = .percent(16), moratorium: Moratorium = .multipleOfOrdinary(1_500_000), lateFee: Money? = nil,
        lateFeeExcludesMoratorium: Bool = true, onTimeRebate: Rate? = nil, allocationOrder: [AllocationBucket] = AllocationBucket.defaultOrder,
        rounding: RoundingMode = .halfUp
    ) {
        self.code = code
        self.name = name
        self.version = version
        self.currency = currency
        self.annualRate = annualRate
        self.dayCount = dayCount
        self.frequency = frequency
        self.method = method
        self.minimumAmount = minimumAmount
        self.maximumAmount = maximumAmount
        self.minimumTerm = minimumTerm
        self.maximumTerm = maximumTerm
        self.openingFee = openingFee
        self.openingFeeTreatment = openingFeeTreatment
        self.ivaRate = ivaRate
        self.feeIvaRate = feeIvaRate
        self.moratorium = moratorium
        self.lateFee = lateFee
        self.lateFeeExcludesMoratorium = lateFeeExcludesMoratorium
        self.onTimeRebate = onTimeRebate
        self.allocationOrder = allocationOrder
        self.rounding = rounding
    }

    /// Every problem with the product's terms, in Spanish, each with its field; empty when the product can be used.
    public func issues() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(FieldIssue(field: field, code: "invalid", message: message)) }
        let codeCharacters = code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        if code.isEmpty || code.count > 32 || !codeCharacters { issue("code", "La clave del producto lleva de 1 a 32 letras, dígitos, guiones o guiones bajos.") }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { issue("name", "Falta el nombre del producto.") }
        if version < 1 { issue("version", "La versión empieza en 1.") }
        if currency != .mxn { issue("currency", "Por ahora los productos son en pesos (MXN).") }
        if annualRate < .zero || annualRate > .percent(1000) { issue("annualRate", "La tasa anual debe estar entre 0 % y 1,000 %.") }
        if !minimumAmount.isPositive || maximumAmount < minimumAmount { issue("maximumAmount", "Los montos mínimo y máximo deben ser positivos y el máximo no menor que el mínimo.") }
        if minimumTerm < 1 || maximumTerm < minimumTerm || maximumTerm > 1200 { issue("maximumTerm", "Los plazos deben ir de 1 a 1,200 pagos y el máximo no ser menor que el mínimo.") }
        if ivaRate < .zero || ivaRate > .percent(100) || feeIvaRate < .zero || feeIvaRate > .percent(100) { issue("ivaRate", "El IVA debe estar entre 0 % y 100 %.") }
        switch openingFee {
        case .amount(let money): if money.isNegative { issue("openingFee", "La comisión por apertura no puede ser negativa.") }
        case .percent(let rate): if rate < .zero || rate > .percent(100) { issue("openingFee", "La comisión por apertura debe estar entre 0 % y 100 % del monto.") }
        }
        switch moratorium {
        case .multipleOfOrdinary(let factor): if factor < 0 || factor > 10 * Rate.scale { issue("moratorium", "El múltiplo de la tasa moratoria debe estar entre 0 y 10 veces la ordinaria.") }
        case .fixed(let rate): if rate < .zero || rate > .percent(2000) { issue("moratorium", "La tasa moratoria debe estar entre 0 % y 2,000 %.") }
        case .none: break
        }
        if let lateFee, lateFee.isNegative { issue("lateFee", "La comisión por atraso no puede ser negativa.") }
        if let days = nonPerformingAfterDays, !(1...365).contains(days) {
            issue("nonPerformingAfterDays", "Los días de atraso para pasar a cartera vencida deben estar entre 1 y 365.")
        }
        if let onTimeRebate, onTimeRebate < .zero || onTimeRebate > .percent(100) { issue("onTimeRebate", "La bonificación debe estar entre 0 % y 100 % del interés.") }
        if Set(allocationOrder) != Set(AllocationBucket.allCases) || allocationOrder.count != AllocationBucket.allCases.count {
            issue("allocationOrder", "El orden de aplicación debe incluir cada concepto exactamente una vez.")
        } else if allocationOrder.last != .advance {
            issue("allocationOrder", "El pago adelantado va al final del orden de aplicación.")
        }
        return issues
    }

    /// The quote for a loan of this product, after checking amount and term against its limits.
    public func quote(principal: Money, term: Int, start: CalendarDate) throws(QuoteRefusal) -> Quote {
        guard principal >= minimumAmount, principal <= maximumAmount else {
            throw QuoteRefusal(
                code: "amount_out_of_range",
                message: "El monto debe estar entre \(minimumAmount.formatted(.symbol)) y \(maximumAmount.formatted(.symbol)) para el producto \(name)."
            )
        }
        guard (minimumTerm...maximumTerm).contains(term) else {
            throw QuoteRefusal(code: "term_out_of_range", message: "El plazo debe ser de \(minimumTerm) a \(maximumTerm) pagos para el producto \(name).")
        }
        let fee: Money
        do { fee = try openingFee.amount(for: principal) } catch { throw QuoteRefusal(code: "amount_overflow", message: "El monto es demasiado grande.") }
        let financedPrincipal = openingFeeTreatment == .financed ? principal + fee : principal
        var request = QuoteRequest(
            principal: financedPrincipal, annualRate: annualRate, term: term, frequency: frequency, method: method, ivaRate: ivaRate,
            openingFee: openingFeeTreatment == .deducted ? fee : .zero(currency), feeIvaRate: feeIvaRate,
            financedFee: openingFeeTreatment == .financed ? fee : .zero(currency), start: start
        )
        request.rateConvention = rateConvention ?? .commercial
        request.yearDays = dayCount.yearDays
        request.catTimeBasis = catTimeBasis ?? .periods
        return try Quoting.quote(request)
    }
}

