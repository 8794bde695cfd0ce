import CarteraCore

/// The life of a PLD case (an alert under analysis): abierto → en análisis → dictaminado (reportable or no reportable)
/// → reportado, with its deadlines. Pure: the store keeps the case and its history.
///
/// Deadlines (notes §4): an inusual or interna preocupante must be decided (dictamen) within 60 calendar days from
/// detection and filed within 3 business days of the decision; a 24-hour report (a blocked-list match) must be filed
/// within 24 hours of detection. Business days here are Monday to Friday minus the given holidays.
public enum CaseWorkflow {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case unusual = "inusual"
        case internalConcern = "interna_preocupante"
        case twentyFourHours = "24_horas"

        /// In Spanish, for people.
        public var label: String {
            switch self {
            case .unusual: "Operación inusual"
            case .internalConcern: "Operación interna preocupante"
            case .twentyFourHours: "Reporte de 24 horas"
            }
        }

        /// The UIF report type the case is filed as (a 24-hour report is filed as an inusual).
        public var report: UIFReport.Kind { self == .internalConcern ? .internalConcern : .unusual }
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open = "abierto"
        case analysis = "en_analisis"
        case decided = "dictaminado"
        case reported = "reportado"

        public var label: String {
            switch self {
            case .open: "Abierto"
            case .analysis: "En análisis"
            case .decided: "Dictaminado"
            case .reported: "Reportado"
            }
        }
    }

    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        case reportable = "reportable"
        case notReportable = "no_reportable"

        public var label: String { self == .reportable ? "Reportable" : "No reportable" }
    }

    /// A step someone takes on a case.
    public enum Step: Sendable, Hashable {
        case startAnalysis
        case decide(Decision)
        case report
    }

    /// A step that does not apply to the case as it is.
    public struct StepRefused: CarteraError, Equatable {
        public let code: String
        public let message: String
    }

    /// The status after `step`, or why it cannot be taken.
    public static func next(from status: Status, decision: Decision?, step: Step) -> Result<Status, StepRefused> {
        switch (step, status) {
        case (.startAnalysis, .open): return .success(.analysis)
        case (.decide, .analysis): return .success(.decided)
        case (.decide, .open):
            return .failure(StepRefused(code: "case_not_in_analysis", message: "Primero pase el caso a análisis; el dictamen se toma sobre un caso analizado."))
        case (.report, .decided) where decision == .reportable: return .success(.reported)
        case (.report, .decided):
            return .failure(StepRefused(code: "case_not_reportable", message: "El caso se dictaminó como no reportable; no se reporta a la UIF."))
        default:
            return .failure(StepRefused(code: "case_step_invalid", message: "El caso está \(status.label.lowercased()); ese paso no aplica."))
        }
    }

    /// When the decision (or, for a 24-hour report, the filing) is due.
    public static func due(kind: Kind, detectedAt: Timestamp) -> Timestamp {
        kind == .twentyFourHours ? detectedAt.adding(seconds: 24 * 3600) : detectedAt.adding(seconds: 60 * 86_400)
    }

    /// The last day to file a reportable case decided on `decided`: three business days later.
    public static func filingDue(decidedOn decided: CalendarDate, holidays: Set<CalendarDate> = []) -> CalendarDate {
        var day = decided
        var left = 3
        while left > 0 {
            day = day.adding(days: 1)
            if isBusinessDay(day, holidays: holidays) { left -= 1 }
        }
        return day
    }

    /// Monday to Friday and not a holiday.
    public static func isBusinessDay(_ day: CalendarDate, holidays: Set<CalendarDate>) -> Bool {
        // 1970-01-01 was a Thursday: 0 = Thursday … 3 = Sunday.
        let weekday = ((day.daysSince1970 % 7) + 7) % 7
        return weekday != 2 && weekday != 3 && !holidays.contains(day)
    }

    /// How a case stands against its deadline.
    public enum Urgency: String, Sendable, Hashable, Codable {
        case onTime = "en_tiempo"
        case dueSoon = "por_vencer"
        case overdue = "vencido"
        case done = "atendido"

        public var label: String {
            switch self {
            case .onTime: "En tiempo"
            case .dueSoon: "Por vencer"
            case .overdue: "Vencido"
            case .done: "Atendido"
            }
        }
    }

    /// A case is done when it no longer waits on its deadline (decided, or for a 24-hour report reported or decided not
    /// reportable); otherwise it is due soon in its last 10 days (last 6 hours for a 24-hour report) and overdue after.
    public static func urgency(kind: Kind, status: Status, decision: Decision? = nil, due: Timestamp, now: Timestamp) -> Urgency {
        let waiting = kind == .twentyFourHours
            ? status != .reported && !(status == .decided && decision == .notReportable)
            : (status == .open || status == .analysis)
        guard waiting else { return .done }
        if now > due { return .overdue }
        let warning: Int64 = kind == .twentyFourHours ? 6 * 3600 : 10 * 86_400
        return now.adding(seconds: warning) >= due ? .dueSoon : .onTime
    }
}
