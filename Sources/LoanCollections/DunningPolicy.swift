import CarteraCore
import Foundation

/// Why dunning for a loan is paused (a hold): while one is in force no step is sent.
public enum HoldReason: String, Sendable, Hashable, Codable, CaseIterable {
    case dispute = "aclaracion"
    case legal = "juridico"
    case deceased = "fallecimiento"
    case hardship = "contingencia"
    case fraud = "fraude"

    public var label: String {
        switch self {
        case .dispute: "Aclaración o queja en trámite"
        case .legal: "En proceso jurídico"
        case .deceased: "Acreditado fallecido"
        case .hardship: "Contingencia del acreditado"
        case .fraud: "Posible fraude"
        }
    }
}

/// A dunning ladder (política de cobranza), versioned: ordered steps by their offset from the due date (−3 before it,
/// 0 on the day, +1, +7, +15, +30 after it), each with a channel, a template and a priority. A new version never changes
/// the steps a loan was already sent.
public struct DunningPolicy: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        /// Days from the due date: negative before it (reminders of the next installment), 0 or more after it (counted
        /// from the oldest unpaid installment).
        public let offsetDays: Int
        public let channel: ContactChannel
        /// The template's key (`recordatorio_previo`, `aviso_vencimiento`, …).
        public let template: String
        /// Higher goes first when two steps fall on the same day.
        public let priority: Int

        public init(offsetDays: Int, channel: ContactChannel, template: String, priority: Int = 0) {
            self.offsetDays = offsetDays
            self.channel = channel
            self.template = template
            self.priority = priority
        }

        /// The step's identity within its policy version.
        public var key: String { "\(offsetDays)|\(channel.rawValue)|\(template)" }
    }

    public let code: String
    public let version: Int
    public let steps: [Step]

    public init(code: String, version: Int, steps: [Step]) {
        self.code = code
        self.version = version
        self.steps = steps.sorted { ($0.offsetDays, -$0.priority, $0.key) < ($1.offsetDays, -$1.priority, $1.key) }
    }

    /// Every problem with the policy, in Spanish, each with its field.
    public func issues() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(FieldIssue(field: field, code: "dunning_policy_invalid", message: message)) }
        if code.isEmpty || code.count > 32 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            issue("code", "La clave de la política lleva de 1 a 32 letras, dígitos, «_» o «-».")
        }
        if version < 1 { issue("version", "La versión empieza en 1.") }
        if steps.isEmpty { issue("steps", "La política necesita al menos un paso.") }
        var keys: Set<String> = []
        for (index, step) in steps.enumerated() {
            if !(-30...720).contains(step.offsetDays) { issue("steps[\(index)].offsetDays", "El paso debe estar entre 30 días antes y 720 días después del vencimiento.") }
            if step.template.isEmpty || step.template.count > 64 { issue("steps[\(index)].template", "Indique la plantilla del paso (hasta 64 caracteres).") }
            if !keys.insert(step.key).inserted { issue("steps[\(index)]", "El paso está repetido.") }
        }
        return issues
    }

    /// What a loan looks like to dunning on a day.
    public struct Situation: Sendable {
        /// Due date of the oldest installment with something unpaid and already due (nil: nothing is late).
        public var oldestUnpaidDue: CalendarDate?
        /// Due date of the next installment not due yet.
        public var nextDue: CalendarDate?
        /// Holds in force that day.
        public var holds: [HoldReason]
        /// The loan's latest promise, as evaluated that day.
        public var promise: PromiseToPay.State?
        /// Steps already sent for the installment they concern: `Step.key` + `|` + its due date.
        public var sent: Set<String>

        public init(oldestUnpaidDue: CalendarDate?, nextDue: CalendarDate?, holds: [HoldReason] = [], promise: PromiseToPay.State? = nil, sent: Set<String> = []) {
            self.oldestUnpaidDue = oldestUnpaidDue
            self.nextDue = nextDue
            self.holds = holds
            self.promise = promise
            self.sent = sent
        }
    }

    /// The step to send on `day`, and the due date it concerns; nil when none. Only the latest step reached is sent
    /// (a loan found 20 days late gets the +15 step, not +1 and +7 too); a hold or an open promise sends nothing; a broken
    /// or partly kept promise sends the next step after the one reached at once.
    public func step(on day: CalendarDate, for situation: Situation) -> (step: Step, dueDate: CalendarDate)? {
        guard situation.holds.isEmpty, situation.promise != .open else { return nil }
        if let due = situation.oldestUnpaidDue, due <= day {
            let late = Int(due.days(until: day))
            let after = steps.filter { $0.offsetDays >= 0 }
            let reached = after.filter { $0.offsetDays <= late }
            let brokenPromise = situation.promise == .broken || situation.promise == .partiallyKept
            let candidates = brokenPromise ? Array(reached.suffix(1)) + after.filter { $0.offsetDays > late }.prefix(1) : Array(reached.suffix(1))
            for step in candidates.reversed() where !situation.sent.contains(step.key + "|" + due.text) {
                // Never a step lower than one already sent for this installment.
                if situation.sent.contains(where: { sent in after.contains { $0.offsetDays > step.offsetDays && sent == $0.key + "|" + due.text } }) { continue }
                return (step, due)
            }
            return nil
        }
        if let next = situation.nextDue, next > day {
            let before = Int(day.days(until: next))
            if let step = steps.filter({ $0.offsetDays < 0 && -$0.offsetDays >= before }).last, !situation.sent.contains(step.key + "|" + next.text) {
                return (step, next)
            }
        }
        return nil
    }

    /// The standard ladder: −3 SMS, 0 WhatsApp, +1 SMS, +7 WhatsApp, +15 correo, +30 llamada.
    public static let standard = DunningPolicy(code: "estandar", version: 1, steps: [
        Step(offsetDays: -3, channel: .sms, template: "recordatorio_previo"), Step(offsetDays: 0, channel: .whatsapp, template: "aviso_vencimiento"),
        Step(offsetDays: 1, channel: .sms, template: "atraso_temprano"), Step(offsetDays: 7, channel: .whatsapp, template: "atraso_7"),
        Step(offsetDays: 15, channel: .email, template: "atraso_15"), Step(offsetDays: 30, channel: .voice, template: "atraso_30"),
    ])
}
