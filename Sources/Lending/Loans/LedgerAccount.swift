/// The chart of accounts of a SOFOM as Cartera posts to it. Codes follow the order of the CNBV catalogue for
/// sociedades financieras de objeto múltiple (activo 1, pasivo 2, resultados 5 and 6) in a short form; the SAT grouping
/// codes for electronic accounting are mapped by the integrations issue.
///
/// Loan accounts are kept per loan (each journal line names its loan), so every loan's balances can be proved against
/// its own history; cash and clearing accounts are the lender's.
public enum LedgerAccount: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Bancos: transfers and SPEI.
    case banks = "1102"
    /// Caja: cash received at a branch.
    case cash = "1101"
    /// One clearing account per payment gateway: money the gateway owes the lender until it settles.
    case clearingConekta = "1103.01"
    case clearingOpenpay = "1103.02"
    case clearingMercadoPago = "1103.03"
    case clearingStripe = "1103.04"
    case clearingPayPal = "1103.05"
    /// Cartera de crédito vigente — capital.
    case performingPrincipal = "1301"
    /// Cartera de crédito vigente — intereses devengados no cobrados.
    case performingInterest = "1302"
    /// Cartera de crédito vencida — capital.
    case nonPerformingPrincipal = "1311"
    /// Cartera de crédito vencida — intereses devengados no cobrados.
    case nonPerformingInterest = "1312"
    /// Intereses moratorios devengados no cobrados.
    case moratoriumReceivable = "1321"
    /// Comisiones por atraso no cobradas.
    case feesReceivable = "1322"
    /// IVA por cobrar on interest, moratorium interest and fees charged and not yet paid.
    case ivaReceivable = "1331"
    /// IVA trasladado no cobrado: the counterpart of `ivaReceivable`.
    case ivaUncollected = "2101"
    /// IVA trasladado cobrado: owed to the SAT.
    case ivaCollected = "2102"
    /// Pagos adelantados: money a borrower paid ahead, applied to installments as they fall due, or a credit balance.
    case advancePayments = "2201"
    /// Partidas en suspenso: deposits not yet identified.
    case suspense = "2301"
    /// Cuenta puente de reestructuras: the new loan's disbursement pays the old loan through it (nets to zero).
    case restructureBridge = "2302"
    /// Dispersiones SPEI por liquidar: a disbursement ordered through the SPEI participant until it settles (then
    /// Bancos) or is returned (then the disbursement is reversed).
    case speiInTransit = "2303"
    /// Ingresos por intereses.
    case interestIncome = "5101"
    /// Ingresos por intereses moratorios.
    case moratoriumIncome = "5102"
    /// Comisiones cobradas (apertura, atraso).
    case feeIncome = "5103"
    /// Recuperaciones de cartera castigada.
    case recoveries = "5104"
    /// Bonificaciones por pago puntual.
    case rebates = "6102"
    /// Castigos de cartera.
    case writeOffs = "6101"
    /// Comisiones pagadas a pasarelas de pago: what a gateway keeps of each payment it collects.
    case gatewayFees = "6103"

    /// The account's name as the lender's accountant reads it.
    public var name: String {
        switch self {
        case .cash: "Caja"
        case .banks: "Bancos"
        case .clearingConekta: "Cuenta liquidadora Conekta"
        case .clearingOpenpay: "Cuenta liquidadora Openpay"
        case .clearingMercadoPago: "Cuenta liquidadora Mercado Pago"
        case .clearingStripe: "Cuenta liquidadora Stripe"
        case .clearingPayPal: "Cuenta liquidadora PayPal"
        case .performingPrincipal: "Cartera vigente — capital"
        case .performingInterest: "Cartera vigente — intereses devengados"
        case .nonPerformingPrincipal: "Cartera vencida — capital"
        case .nonPerformingInterest: "Cartera vencida — intereses devengados"
        case .moratoriumReceivable: "Intereses moratorios por cobrar"
        case .feesReceivable: "Comisiones por cobrar"
        case .ivaReceivable: "IVA por cobrar"
        case .ivaUncollected: "IVA trasladado no cobrado"
        case .ivaCollected: "IVA trasladado cobrado"
        case .advancePayments: "Pagos adelantados de acreditados"
        case .suspense: "Partidas en suspenso"
        case .restructureBridge: "Cuenta puente de reestructuras"
        case .speiInTransit: "Dispersiones SPEI por liquidar"
        case .interestIncome: "Ingresos por intereses"
        case .moratoriumIncome: "Ingresos por intereses moratorios"
        case .feeIncome: "Comisiones cobradas"
        case .recoveries: "Recuperaciones de cartera castigada"
        case .rebates: "Bonificaciones por pago puntual"
        case .writeOffs: "Castigos de cartera"
        case .gatewayFees: "Comisiones pagadas a pasarelas de pago"
        }
    }

    /// Whether the account's normal balance is a debit (assets and expenses).
    public var isDebitNature: Bool {
        switch rawValue.first {
        case "1", "6": true
        default: false
        }
    }

    public static func < (lhs: LedgerAccount, rhs: LedgerAccount) -> Bool { lhs.rawValue < rhs.rawValue }
}
