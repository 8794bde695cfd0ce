import CarteraCore
import Foundation
import HTTPTypes
import Lending

/// A product as the API reads and writes it: amounts and rates as decimal strings, nothing through a `Double`.
public struct ProductDocument: Codable, Sendable {
    public struct Fee: Codable, Sendable {
        public var amount: String?
        public var percent: String?
    }

    public struct Moratorium: Codable, Sendable {
        /// `"1.5"`: 1.5 times the ordinary rate.
        public var multipleOfOrdinary: String?
        /// A fixed annual rate in percent.
        public var fixedRate: String?
    }

    public var code: String
    public var name: String
    public var version: Int?
    public var annualRate: String
    public var dayCount: DayCount?
    public var frequency: Frequency
    public var method: AmortizationMethod?
    public var minimumAmount: String
    public var maximumAmount: String
    public var minimumTerm: Int
    public var maximumTerm: Int
    public var openingFee: Fee?
    public var openingFeeTreatment: Product.FeeTreatment?
    public var iva: String?
    public var feeIva: String?
    public var moratorium: Moratorium?
    public var lateFee: String?
    public var lateFeeExcludesMoratorium: Bool?
    public var onTimeRebate: String?
    /// Days past due after which a loan is cartera vencida (90 when omitted).
    public var nonPerformingAfterDays: Int?
    public var allocationOrder: [Product.AllocationBucket]?
    public var rounding: RoundingMode?
    /// `commercial` (default), `day_basis` or `periods_per_year`.
    public var rateConvention: RateConvention?
    /// `periods` (default) or `days_365`.
    public var catTimeBasis: CATTimeBasis?

    public init(
        code: String, name: String, version: Int? = nil, annualRate: String, dayCount: DayCount? = nil, frequency: Frequency,
        method: AmortizationMethod? = nil, minimumAmount: String, maximumAmount: String, minimumTerm: Int, maximumTerm: Int,
        openingFee: Fee? = nil, openingFeeTreatment: Product.FeeTreatment? = nil, iva: String? = nil, feeIva: String? = nil,
        moratorium: Moratorium? = nil, lateFee: String? = nil, lateFeeExcludesMoratorium: Bool? = nil, onTimeRebate: String? = nil,
        allocationOrder: [Product.AllocationBucket]? = nil, rounding: RoundingMode? = nil, rateConvention: RateConvention? = nil,
        catTimeBasis: CATTimeBasis? = nil
    ) {
        self.code = code
        self.name = name
        self.version = version
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
        self.iva = iva
        self.feeIva = feeIva
        self.moratorium = moratorium
        self.lateFee = lateFee
        self.lateFeeExcludesMoratorium = lateFeeExcludesMoratorium
        self.onTimeRebate = onTimeRebate
        self.allocationOrder = allocationOrder
        self.rounding = rounding
        self.rateConvention = rateConvention
        self.catTimeBasis = catTimeBasis
    }

    public init(_ product: Product) {
        func amount(_ money: Money) -> String { QuoteDocument.amount(money) }
        code = product.code
        name = product.name
        version = product.version
        annualRate = product.annualRate.percentText
        dayCount = product.dayCount
        frequency = product.frequency
        method = product.method
        minimumAmount = amount(product.minimumAmount)
        maximumAmount = amount(product.maximumAmount)
        minimumTerm = product.minimumTerm
        maximumTerm = product.maximumTerm
        switch product.openingFee {
        case .amount(let money): openingFee = Fee(amount: amount(money), percent: nil)
        case .percent(let rate): openingFee = Fee(amount: nil, percent: rate.percentText)
        }
        openingFeeTreatment = product.openingFeeTreatment
        iva = product.ivaRate.percentText
        feeIva = product.feeIvaRate.percentText
        switch product.moratorium {
        case .multipleOfOrdinary(let factor): moratorium = Moratorium(multipleOfOrdinary: Rate(millionths: factor / 100).percentText, fixedRate: nil)
        case .fixed(let rate): moratorium = Moratorium(multipleOfOrdinary: nil, fixedRate: rate.percentText)
        case .none: moratorium = Moratorium(multipleOfOrdinary: nil, fixedRate: nil)
        }
        lateFee = product.lateFee.map(amount)
        lateFeeExcludesMoratorium = product.lateFeeExcludesMoratorium
        onTimeRebate = product.onTimeRebate?.percentText
        nonPerformingAfterDays = product.nonPerformingAfterDays
        allocationOrder = product.allocationOrder
        rounding = product.rounding
        rateConvention = product.rateConvention ?? .commercial
        catTimeBasis = product.catTimeBasis ?? .periods
    }

    /// The product, or every field that cannot be read.
    public func product() throws -> Product {
        var issues: [FieldIssue] = []
        func money(_ text: String?, _ field: String) -> Money? {
            guard let text else { return nil }
            guard let value = try? Money(parsing: text) else {
                issues.append(.init(field: field, code: "invalid", message: "«\(text)» no es una cantidad (por ejemplo 1500.00)."))
                return nil
            }
            return value
        }
        func rate(_ text: String?, _ field: String) -> Rate? {
            guard let text else { return nil }
            guard let value = Rate(percent: text) else {
                issues.append(.init(field: field, code: "invalid", message: "«\(text)» no es un porcentaje (por ejemplo 60 o 16.5)."))
                return nil
            }
            return value
        }
        let annual = rate(annualRate, "annualRate")
        let minimum = money(minimumAmount, "minimumAmount")
        let maximum = money(maximumAmount, "maximumAmount")
        var fee = Product.Fee.amount(.zero())
        if let openingFee {
            if let text = openingFee.amount, let value = money(text, "openingFee.amount") { fee = .amount(value) }
            if let text = openingFee.percent, let value = rate(text, "openingFee.percent") { fee = .percent(value) }
        }
        var moratoriumTerms = Product.Moratorium.multipleOfOrdinary(1_500_000)
        if let moratorium {
            if let text = moratorium.multipleOfOrdinary {
                // "1.5" read as a percentage is 1.5 % = 15,000 millionths; as a factor it is 1,500,000.
                if let value = rate(text, "moratorium.multipleOfOrdinary") { moratoriumTerms = .multipleOfOrdinary(value.millionths * 100) }
            } else if let text = moratorium.fixedRate {
                if let value = rate(text, "moratorium.fixedRate") { moratoriumTerms = .fixed(value) }
            } else {
                moratoriumTerms = .none
            }
        }
        let ivaRate = iva.map { rate($0, "iva") } ?? .percent(16)
        let feeIvaRate = feeIva.map { rate($0, "feeIva") } ?? .percent(16)
        let late = money(lateFee, "lateFee")
        let rebate = rate(onTimeRebate, "onTimeRebate")
        guard issues.isEmpty, let annual, let minimum, let maximum, let ivaRate, let feeIvaRate else {
            throw APIError(status: .unprocessableContent, code: "product_invalid", message: "Revise los términos del producto.", details: issues)
        }
        var product = Product(
            code: code, name: name, version: version ?? 1, annualRate: annual, dayCount: dayCount ?? .actual360, frequency: frequency,
            method: method ?? .french, minimumAmount: minimum, maximumAmount: maximum, minimumTerm: minimumTerm, maximumTerm: maximumTerm,
            openingFee: fee, openingFeeTreatment: openingFeeTreatment ?? .deducted, ivaRate: ivaRate, feeIvaRate: feeIvaRate,
            moratorium: moratoriumTerms, lateFee: late, lateFeeExcludesMoratorium: lateFeeExcludesMoratorium ?? true, onTimeRebate: rebate,
            allocationOrder: allocationOrder ?? Product.AllocationBucket.defaultOrder, rounding: rounding ?? .halfUp
        )
        // The defaults are stored as nil, so products saved before these settings existed read the same.
        product.rateConvention = rateConvention == .commercial ? nil : rateConvention
        product.catTimeBasis = catTimeBasis == .periods ? nil : catTimeBasis
        product.nonPerformingAfterDays = nonPerformingAfterDays == 90 ? nil : nonPerformingAfterDays
        return product
    }
}
