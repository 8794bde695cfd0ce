import CarteraCore
import Foundation

/// How installments are built.
public enum AmortizationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Level payment including IVA (sistema francés).
    case french
    /// Equal principal; interest on the balance (sistema alemán).
    case german
    /// Equal principal; interest on the original principal every period ("tasa global").
    case flat
}

/// What a quote is asked for.
public struct QuoteRequest: Sendable, Hashable {
    public var principal: Money
    /// Simple annual rate.
    public var annualRate: Rate
    /// Number of installments.
    public var term: Int
    public var frequency: Frequency
    public var method: AmortizationMethod
    /// IVA on interest (16 % by default; 0 allowed).
    public var ivaRate: Rate
    /// Opening fee (comisión por apertura) before IVA, paid at disbursement.
    public var openingFee: Money
    /// IVA on the opening fee.
    public var feeIvaRate: Rate
    /// The part of `principal` that is a financed fee: the borrower receives `principal − financedFee` (the CAT's
    /// disbursement) and repays all of `principal`.
    public var financedFee: Money
    public var start: CalendarDate
    /// How the periodic rate follows from the annual rate (commercial by default).
    public var rateConvention: RateConvention = .commercial
    /// The year of `rateConvention.dayBasis` (360 unless the product counts 365).
    public var yearDays: Int64 = 360
    /// How the CAT measures time (regular periods by default).
    public var catTimeBasis: CATTimeBasis = .periods

    public init(
        principal: Money, annualRate: Rate, term: Int, frequency: Frequency, method: AmortizationMethod = .french,
        ivaRate: Rate = .percent(16), openingFee: Money = .zero(), feeIvaRate: Rate = .percent(16), financedFee: Money = .zero(),
        start: CalendarDate
    ) {
        self.principal = principal
        self.annualRate = annualRate
        self.term = term
        self.frequency = frequency
        self.method = method
        self.ivaRate = ivaRate
        self.openingFee = openingFee
        self.feeIvaRate = feeIvaRate
        self.financedFee = financedFee
        self.start = start
    }
}

/// One row of a payment schedule. The payment is interest + IVA + principal, each rounded half up to the centavo.
public struct Installment: Sendable, Hashable, Codable {
    public let number: Int
    public let dueDate: CalendarDate
    public let payment: Money
    public let principal: Money
    public let interest: Money
    public let iva: Money
    /// Principal still owed after this installment.
    public let balance: Money
}

/// A quote: the schedule and its totals, with the CAT.
public struct Quote: Sendable, Hashable {
    public let request: QuoteRequest
    /// The level payment (French) or the first payment (German, flat).
    public let payment: Money
    public let installments: [Installment]
    public let totalInterest: Money
    public let totalIva: Money
    /// Everything the borrower pays: installments, the opening fee and its IVA.
    public let totalPaid: Money
    /// The CAT as published: one decimal, `"57.4"`; nil when it cannot be computed.
    public let cat: String?
}

/// A quote that cannot be made as asked.
public struct QuoteRefusal: CarteraError, Equatable {
    public let code: String
    public let message: String
}

/// Builds quotes: schedule by method, totals, CAT.
///
/// Conventions (default, documented): periodic rate from the request's `RateConvention` (commercial by default: `Frequency.periodFraction`); French payment
/// P·r′/(1−(1+r′)^−n) with r′ = r·(1+IVA), rounded half up to the centavo (computed in `Decimal`, 38 digits); each
/// installment's interest = balance·r and IVA = interest·IVA, each rounded half up; principal = payment − interest − IVA;
/// the last installment settles the remaining balance. CAT flows: principal at t = 0; the opening fee (without IVA)
/// and every installment without its IVA as payments at t = 0 and k / periods per year.
public enum Quoting {
    public static func quote(_ request: QuoteRequest) throws(QuoteRefusal) -> Quote {
        guard request.principal.isPositive else { throw QuoteRefusal(code: "principal_invalid", message: "El monto debe ser mayor que cero.") }
        guard (1...1200).contains(request.term) else { throw QuoteRefusal(code: "term_invalid", message: "El plazo debe ser de 1 a 1,200 pagos.") }
        guard request.annualRate >= .zero, request.annualRate <= .percent(1000) else {
            throw QuoteRefusal(code: "rate_invalid", message: "La tasa anual debe estar entre 0 % y 1,000 %.")
        }
        guard !request.financedFee.isNegative, request.financedFee < request.principal else {
            throw QuoteRefusal(code: "fee_invalid", message: "La comisión financiada debe ser menor que el monto.")
        }
        guard request.ivaRate >= .zero, request.ivaRate <= .percent(100), !request.openingFee.isNegative else {
            throw QuoteRefusal(code: "iva_invalid", message: "El IVA y la comisión no pueden ser negativos.")
        }
        do {
            return try build(request)
        } catch {
            throw QuoteRefusal(code: "amount_overflow", message: "Los montos exceden lo que Cartera puede representar.")
        }
    }

    static func build(_ request: QuoteRequest) throws -> Quote {
        let (fn, fd) = request.rateConvention.fraction(for: request.frequency, yearDays: request.yearDays)
        // Periodic rate r = annual × fn / fd, as the exact fraction num / den.
        let num = request.annualRate.millionths * fn
        let den = Rate.scale * fd
        let n = request.term
        func interest(on balance: Money) throws -> Money { try balance.scaled(by: num, over: den, rounding: .halfUp) }
        func iva(on interest: Money) throws -> Money { try interest.scaled(by: request.ivaRate.millionths, over: Rate.scale, rounding: .halfUp) }

        let equalPrincipal = try request.principal.scaled(by: 1, over: Int64(n), rounding: .halfUp)
        let level = try frenchPayment(principal: request.principal, num: num, den: den, iva: request.ivaRate, n: n)
        let flatInterest = try interest(on: request.principal)

        var balance = request.principal
        var rows: [Installment] = []
        for k in 1...n {
            let periodInterest = request.method == .flat ? flatInterest : try interest(on: balance)
            let periodIva = try iva(on: periodInterest)
            var principalPart: Money
            switch request.method {
            case .french: principalPart = level - periodInterest - periodIva
            case .german, .flat: principalPart = equalPrincipal
            }
            if k == n || principalPart > balance { principalPart = balance }
            if principalPart.isNegative { principalPart = .zero(balance.currency) }
            balance = balance - principalPart
            rows.append(Installment(
                number: k, dueDate: request.frequency.dueDate(k, from: request.start), payment: principalPart + periodInterest + periodIva,
                principal: principalPart, interest: periodInterest, iva: periodIva, balance: balance
            ))
        }
        let totalInterest = try Money.sum(rows.map(\.interest))
        let totalIva = try Money.sum(rows.map(\.iva))
        let feeIva = try request.openingFee.scaled(by: request.feeIvaRate.millionths, over: Rate.scale, rounding: .halfUp)
        let totalPaid = try Money.sum(rows.map(\.payment)) + request.openingFee + feeIva

        let periods = Double(request.frequency.periodsPerYear)
        func years(_ row: Installment) -> Double {
            switch request.catTimeBasis {
            case .periods: Double(row.number) / periods
            case .days365: Double(request.start.days(until: row.dueDate)) / 365
            }
        }
        var payments = rows.map { CAT.Flow(centavos: ($0.payment - $0.iva).minorUnits, years: years($0)) }
        if request.openingFee.isPositive { payments.append(CAT.Flow(centavos: request.openingFee.minorUnits, years: 0)) }
        let disbursed = request.principal - request.financedFee
        let rate = CAT.rate(disbursements: [CAT.Flow(centavos: disbursed.minorUnits, years: 0)], payments: payments)
        return Quote(
            request: request, payment: rows[0].payment, installments: rows, totalInterest: totalInterest, totalIva: totalIva,
            totalPaid: totalPaid, cat: rate.map(CAT.published)
        )
    }

    /// P·r′/(1−(1+r′)^−n), r′ = (num/den)·(1+IVA), rounded half up to the centavo; P/n when the rate is zero.
    static func frenchPayment(principal: Money, num: Int64, den: Int64, iva: Rate, n: Int) throws -> Money {
        guard num > 0 else { return try principal.scaled(by: 1, over: Int64(n), rounding: .halfUp) }
        let r = Decimal(num) / Decimal(den) * (Decimal(Rate.scale + iva.millionths) / Decimal(Rate.scale))
        // (1 + r′)^n by repeated squaring.
        var growth = Decimal(1)
        var base = 1 + r
        var exponent = n
        while exponent > 0 {
            if exponent & 1 == 1 { growth *= base }
            exponent >>= 1
            if exponent > 0 { base *= base }
        }
        let p = Decimal(principal.minorUnits)
        // In centavos: P·r′·g/(g − 1), g = (1+r′)^n (the same as P·r′/(1−g^−n)).
        let exact = p * r * growth / (growth - 1)
        var rounded = Decimal()
        var value = exact
        NSDecimalRound(&rounded, &value, 0, .plain)  // .plain rounds half away from zero: half up for positive amounts
        return Money(minorUnits: NSDecimalNumber(decimal: rounded).int64Value, currency: principal.currency)
    }
}
