import CarteraCore

/// What a loan was granted under, fixed at disbursement: the product version, the amounts and the original schedule.
///
/// Amounts at disbursement (documented convention):
/// - a **deducted** opening fee and its IVA are withheld from the money sent: disbursed = amount − fee − IVA;
/// - a **financed** opening fee is added to the principal; its IVA is withheld from the money sent (IVA is due when the
///   fee is charged): principal = amount + fee, disbursed = amount − IVA of the fee.
public struct LoanTerms: Sendable, Hashable, Codable {
    /// The exact product version the loan follows.
    public var product: Product
    /// The amount the borrower asked for.
    public var amount: Money
    /// The principal the schedule repays (the amount plus a financed fee).
    public var principal: Money
    public var term: Int
    public var disbursementDate: CalendarDate
    public var openingFee: Money
    public var openingFeeIva: Money
    /// The money sent to the borrower.
    public var disbursed: Money
    /// The schedule as granted.
    public var schedule: [Installment]
    /// The CAT as published with the contract (`"57.4"`).
    public var cat: String?
    /// Days past due from which the loan is cartera vencida (90 for periodic payments).
    public var nonPerformingAfterDays: Int

    /// The terms of a loan of `amount` under `product` disbursed on `date`, or the reason it cannot be granted.
    public static func make(product: Product, amount: Money, term: Int, disbursementDate date: CalendarDate) throws(QuoteRefusal) -> LoanTerms {
        let quote = try product.quote(principal: amount, term: term, start: date)
        let fee: Money
        let feeIva: Money
        do {
            fee = try product.openingFee.amount(for: amount)
            feeIva = try fee.scaled(by: product.feeIvaRate.millionths, over: Rate.scale, rounding: product.rounding)
        } catch {
            throw QuoteRefusal(code: "amount_overflow", message: "El monto es demasiado grande.")
        }
        let disbursed = product.openingFeeTreatment == .deducted ? amount - fee - feeIva : amount - feeIva
        guard disbursed.isPositive else {
            throw QuoteRefusal(code: "fee_exceeds_amount", message: "La comisión por apertura y su IVA no pueden ser mayores que el monto.")
        }
        return LoanTerms(
            product: product, amount: amount, principal: quote.request.principal, term: term, disbursementDate: date, openingFee: fee,
            openingFeeIva: feeIva, disbursed: disbursed, schedule: quote.installments, cat: quote.cat, nonPerformingAfterDays: product.nonPerformingAfterDays ?? 90
        )
    }
}
