import CarteraCore

/// The PLD monitoring rules in force (versioned: every alert names the version that raised it). Thresholds are data a
/// compliance officer changes; the defaults follow the SOFOM rules as the notes read them.
public struct MonitoringRules: Sendable, Hashable, Codable {
    public var version: Int
    /// Relevantes: a cash operation of at least this many dollars (7,500.00), at the day's exchange rate.
    public var relevantDollars: Money
    /// Inusual: the client's operations in the 30 days up to this one above the declared monthly amount (or number)
    /// times this factor, in basis points (15,000 = 1.5 ×).
    public var profileFactorBasisPoints: Int64
    /// Inusual: a loan paid off in cash within this many days of its disbursement.
    public var earlyPayoffDays: Int64
    /// Inusual (fraccionamiento): at least `structuringCount` cash operations within `structuringWindowDays`, each
    /// under the relevant threshold by no more than `structuringBandBasisPoints` of it (1,000 = 10 %).
    public var structuringWindowDays: Int64
    public var structuringBandBasisPoints: Int64
    public var structuringCount: Int
    /// Inusual: a payment by someone other than the client.
    public var flagThirdPartyPayers: Bool
    /// Inusual: an operation in (or a payer from) one of these states (INEGI keys).
    public var highRiskStates: Set<String>

    public init(
        version: Int = 1, relevantDollars: Money = Money(minorUnits: 750_000, currency: .usd), profileFactorBasisPoints: Int64 = 15_000,
        earlyPayoffDays: Int64 = 90, structuringWindowDays: Int64 = 30, structuringBandBasisPoints: Int64 = 1_000, structuringCount: Int = 3,
        flagThirdPartyPayers: Bool = true, highRiskStates: Set<String> = []
    ) {
        self.version = version
        self.relevantDollars = relevantDollars
        self.profileFactorBasisPoints = profileFactorBasisPoints
        self.earlyPayoffDays = earlyPayoffDays
        self.structuringWindowDays = structuringWindowDays
        self.structuringBandBasisPoints = structuringBandBasisPoints
        self.structuringCount = structuringCount
        self.flagThirdPartyPayers = flagThirdPartyPayers
        self.highRiskStates = highRiskStates
    }
}

/// An alert a rule raised on an operation: what was observed against what the rule allows, over which window.
public struct MonitoringAlert: Sendable, Hashable, Codable {
    public enum Report: String, Sendable, Codable {
        case relevant = "relevante"
        case unusual = "inusual"
        /// Not a report: data the rules need is missing (a day without exchange rate); compliance fixes it and evaluates again.
        case dataGap = "dato_faltante"
    }

    /// Stable rule ids.
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case cashRelevant = "efectivo_relevante"
        case aboveProfileAmount = "monto_sobre_perfil"
        case aboveProfileCount = "operaciones_sobre_perfil"
        case earlyCashPayoff = "liquidacion_anticipada_efectivo"
        case structuring = "fraccionamiento"
        case thirdPartyPayer = "pago_de_tercero"
        case highRiskGeography = "zona_de_riesgo"
        case noExchangeRate = "sin_tipo_de_cambio"
    }

    public let rule: Rule
    public let report: Report
    public let rulesVersion: Int
    public let operationID: String
    public let clientID: String
    /// For the report's narrative (field 35): observed value, the rule's limit, the window.
    public let observed: String
    public let limit: String
    public let windowDays: Int64?
    public let message: String
}

/// Evaluates the rules on one operation, with the client's earlier operations (any order; those after the operation's
/// date are ignored), its declared profile and the exchange rates. Pure: the caller stores the alerts as cases.
public enum TransactionMonitoring {
    public static func evaluate(
        _ operation: MonitoredOperation, history: [MonitoredOperation], profile: TransactionalProfile?, rules: MonitoringRules, rates: ExchangeRates
    ) -> [MonitoringAlert] {
        var alerts: [MonitoringAlert] = []
        func alert(_ rule: MonitoringAlert.Rule, _ report: MonitoringAlert.Report, observed: String, limit: String, window: Int64? = nil, _ message: String) {
            alerts.append(
                MonitoringAlert(
                    rule: rule, report: report, rulesVersion: rules.version, operationID: operation.id, clientID: operation.clientID, observed: observed,
                    limit: limit, windowDays: window, message: message
                )
            )
        }
        let earlier = history.filter { $0.id != operation.id && $0.clientID == operation.clientID && $0.date <= operation.date }
        let threshold = rates.pesos(rules.relevantDollars, on: operation.date)

        if operation.instrument == .cash {
            if let dollars = rates.dollars(operation.amount, on: operation.date), let threshold {
                if dollars.minorUnits >= rules.relevantDollars.minorUnits {
                    alert(
                        .cashRelevant, .relevant, observed: "\(dollars.decimalText) USD (\(operation.amount.decimalText) MXN)", limit: "\(rules.relevantDollars.decimalText) USD",
                        "Operación en efectivo de \(operation.amount.decimalText) MXN, equivalente a \(dollars.decimalText) USD: se reporta como relevante (umbral \(rules.relevantDollars.decimalText) USD = \(threshold.decimalText) MXN)."
                    )
                }
            } else {
                alert(
                    .noExchangeRate, .dataGap, observed: operation.date.text, limit: "tipo de cambio del día",
                    "No hay tipo de cambio para el \(operation.date.text): la operación en efectivo no se pudo comparar con el umbral de relevantes. Cargue el tipo de cambio FIX y vuelva a evaluar."
                )
            }
            // Fraccionamiento: cash operations just under the threshold, this one included.
            if let threshold, rules.structuringCount > 1 {
                let band = min(max(rules.structuringBandBasisPoints, 0), 10_000)
                let floor = threshold.minorUnits - Int64(Int128(threshold.minorUnits) * Int128(band) / 10_000)
                func under(_ op: MonitoredOperation) -> Bool {
                    guard op.instrument == .cash, let limit = rates.pesos(rules.relevantDollars, on: op.date) else { return false }
                    let lowest = limit.minorUnits - Int64(Int128(limit.minorUnits) * Int128(band) / 10_000)
                    return op.amount.minorUnits >= lowest && op.amount.minorUnits < limit.minorUnits
                }
                if operation.amount.minorUnits >= floor && operation.amount.minorUnits < threshold.minorUnits {
                    let from = operation.date.adding(days: -(rules.structuringWindowDays - 1))
                    let count = 1 + earlier.filter { $0.date >= from && under($0) }.count
                    if count >= rules.structuringCount {
                        alert(
                            .structuring, .unusual, observed: "\(count) operaciones", limit: "menos de \(rules.structuringCount)", window: rules.structuringWindowDays,
                            "\(count) operaciones en efectivo en \(rules.structuringWindowDays) días, cada una justo debajo del umbral de relevantes (\(threshold.decimalText) MXN): posible fraccionamiento."
                        )
                    }
                }
            }
            if operation.kind == .payment, operation.paysOff, let disbursed = operation.loanDisbursedOn {
                let days = operation.date.daysSince1970 - disbursed.daysSince1970
                if days <= rules.earlyPayoffDays {
                    alert(
                        .earlyCashPayoff, .unusual, observed: "\(days) días", limit: "más de \(rules.earlyPayoffDays) días",
                        "El crédito \(operation.loanID) se liquidó en efectivo \(days) días después de su disposición (regla: \(rules.earlyPayoffDays) días)."
                    )
                }
            }
        }

        // The declared profile is about what the client pays in; disbursements are the lender's.
        if let profile, operation.kind == .payment {
            let from = operation.date.adding(days: -29)
            let window = earlier.filter { $0.kind == .payment && $0.date >= from } + [operation]
            let total = window.reduce(Int128(0)) { $0 + Int128($1.amount.minorUnits) }
            let allowed = Int128(profile.monthlyAmount.minorUnits) * Int128(rules.profileFactorBasisPoints)
            if total * 10_000 > allowed {
                let (observed, limit) = (Money.mxn(centavos: Int64(clamping: total)), Money.mxn(centavos: Int64(clamping: allowed / 10_000)))
                alert(
                    .aboveProfileAmount, .unusual, observed: "\(observed.decimalText) MXN", limit: "\(limit.decimalText) MXN", window: 30,
                    "Operaciones por \(observed.decimalText) MXN en 30 días contra \(profile.monthlyAmount.decimalText) MXN mensuales declarados (límite \(limit.decimalText) MXN)."
                )
            }
            if Int128(window.count) * 10_000 > Int128(profile.monthlyOperations) * Int128(rules.profileFactorBasisPoints) {
                alert(
                    .aboveProfileCount, .unusual, observed: "\(window.count) operaciones", limit: "\(profile.monthlyOperations) declaradas", window: 30,
                    "\(window.count) operaciones en 30 días contra \(profile.monthlyOperations) mensuales declaradas."
                )
            }
        }

        if rules.flagThirdPartyPayers, operation.kind == .payment, !operation.payerIsClient {
            alert(.thirdPartyPayer, .unusual, observed: "pagó un tercero", limit: "el cliente", "El pago \(operation.id) lo hizo una persona distinta del cliente.")
        }
        if let state = operation.state, rules.highRiskStates.contains(state) {
            alert(.highRiskGeography, .unusual, observed: "estado \(state)", limit: "fuera de zonas de riesgo", "La operación \(operation.id) se hizo en una zona de riesgo (estado \(state)).")
        }
        return alerts
    }
}
