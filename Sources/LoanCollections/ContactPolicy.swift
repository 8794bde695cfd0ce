import CarteraCore
import Foundation

/// A way to reach a borrower.
public enum ContactChannel: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case email
    case sms
    case whatsapp
    case voice
}

/// What the borrower said about a channel: only a channel with consent is used; an opt-out is final until the
/// borrower grants it again.
public enum ContactConsent: String, Sendable, Hashable, Codable {
    case granted
    case optedOut = "opted_out"
    case unknown
}

/// When and how often a lender may contact a borrower (CONDUSEF rules for collection, `../shared/notes/collections.md`
/// §5): only between 07:00 and 22:00 in the borrower's own time zone — a lender may narrow the window, never widen it —
/// on the days it allows (Monday to Saturday by default, minus its holidays), at most so many messages per channel a
/// day and a week. Contact with references or third parties is not a policy setting: the gate only ever addresses the
/// borrower.
public struct ContactPolicy: Sendable, Hashable, Codable {
    /// Minutes after local midnight: the first allowed (420 = 07:00) and the end of the window, exclusive (1320 = 22:00).
    public var earliestMinute: Int
    public var endMinute: Int
    /// Allowed weekdays, 1 = Sunday … 7 = Saturday (Gregorian calendar numbering).
    public var weekdays: Set<Int>
    /// Days without contact (holidays), as local dates.
    public var holidays: Set<CalendarDate>
    /// At most this many contacts a local day, and in any 7 days, per channel (a missing channel: 1 a day, 3 a week).
    public var perDay: [ContactChannel: Int]
    public var perWeek: [ContactChannel: Int]

    /// CONDUSEF's limits: 07:00 to 22:00.
    public static let legalEarliestMinute = 7 * 60
    public static let legalEndMinute = 22 * 60

    public init(
        earliestMinute: Int = ContactPolicy.legalEarliestMinute, endMinute: Int = ContactPolicy.legalEndMinute, weekdays: Set<Int> = [2, 3, 4, 5, 6, 7],
        holidays: Set<CalendarDate> = [], perDay: [ContactChannel: Int] = [:], perWeek: [ContactChannel: Int] = [:]
    ) {
        self.earliestMinute = earliestMinute
        self.endMinute = endMinute
        self.weekdays = weekdays
        self.holidays = holidays
        self.perDay = perDay
        self.perWeek = perWeek
    }

    /// Every problem with the policy, in Spanish, each with its field; empty when it can be used.
    public func issues() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(FieldIssue(field: field, code: "contact_policy_invalid", message: message)) }
        if earliestMinute < Self.legalEarliestMinute || endMinute > Self.legalEndMinute || earliestMinute >= endMinute {
            issue("window", "El horario de contacto debe quedar entre las 07:00 y las 22:00 (CONDUSEF) y empezar antes de terminar.")
        }
        if weekdays.isEmpty || !weekdays.isSubset(of: Set(1...7)) { issue("weekdays", "Elija al menos un día de la semana (1 = domingo … 7 = sábado).") }
        for (channel, count) in perDay where count < 0 { issue("perDay.\(channel.rawValue)", "El límite diario no puede ser negativo.") }
        for (channel, count) in perWeek where count < 0 { issue("perWeek.\(channel.rawValue)", "El límite semanal no puede ser negativo.") }
        return issues
    }

    func dailyCap(_ channel: ContactChannel) -> Int { perDay[channel] ?? 1 }
    func weeklyCap(_ channel: ContactChannel) -> Int { perWeek[channel] ?? 3 }
}

/// The gate every outbound contact passes: the first moment, at or after a requested one, when a message on a channel
/// may reach the borrower — or why it may not.
public enum ContactGate {
    public enum Decision: Sendable, Equatable {
        case send(at: Timestamp)
        case refused(code: String, message: String)
    }

    /// How far ahead the gate looks for an allowed moment.
    public static let horizonDays = 21

    /// - Parameters:
    ///   - requested: when the message is wanted.
    ///   - zone: the borrower's IANA time zone (`America/Mexico_City`, `America/Tijuana`, …).
    ///   - consent: the borrower's consent for `channel`.
    ///   - previous: when earlier contacts on `channel` to this borrower were (or are) sent.
    public static func decide(
        channel: ContactChannel, requested: Timestamp, zone: String, consent: ContactConsent, previous: [Timestamp], policy: ContactPolicy
    ) -> Decision {
        guard consent == .granted else {
            return consent == .optedOut
                ? .refused(code: "opted_out", message: "El acreditado pidió no recibir mensajes por \(channel.label); no se le escribe por ese medio.")
                : .refused(code: "no_consent", message: "No hay consentimiento registrado para \(channel.label); regístrelo antes de usar ese medio.")
        }
        guard policy.issues().isEmpty else { return .refused(code: "policy_invalid", message: "La política de contacto no es válida; corríjala.") }
        guard let timeZone = TimeZone(identifier: zone) else {
            return .refused(code: "time_zone_unknown", message: "La zona horaria «\(zone)» del acreditado no existe; corrija su domicilio.")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var candidate = requested
        for _ in 0..<(horizonDays * 4) {
            guard let local = LocalTime(candidate, calendar) else { break }
            // Not an allowed day: the next day's opening.
            if !policy.weekdays.contains(local.weekday) || policy.holidays.contains(local.date) {
                guard let next = opening(of: local.date.adding(days: 1), policy, calendar) else { break }
                candidate = next
                continue
            }
            if local.minute < policy.earliestMinute {
                guard let open = opening(of: local.date, policy, calendar) else { break }
                // Opening may fall in a skipped hour (a clock change): take it and check again.
                candidate = max(open, candidate.adding(seconds: 1))
                continue
            }
            if local.minute >= policy.endMinute {
                guard let next = opening(of: local.date.adding(days: 1), policy, calendar) else { break }
                candidate = next
                continue
            }
            // Frequency caps: that local day, and the 7 days up to it.
            let sameDay = previous.filter { LocalTime($0, calendar)?.date == local.date }.count
            let week = previous.filter { $0.millisecondsSince1970 > candidate.millisecondsSince1970 - 7 * 86_400_000 && $0 <= candidate }.count
            if sameDay >= policy.dailyCap(channel) || week >= policy.weeklyCap(channel) {
                if policy.dailyCap(channel) == 0 || policy.weeklyCap(channel) == 0 {
                    return .refused(code: "channel_disabled", message: "La política no permite mensajes por \(channel.label).")
                }
                guard let next = opening(of: local.date.adding(days: 1), policy, calendar) else { break }
                candidate = next
                continue
            }
            return .send(at: candidate)
        }
        return .refused(code: "no_window", message: "No hay un horario permitido para \(channel.label) en los próximos \(horizonDays) días; revise la política de contacto.")
    }

    /// The first allowed moment of a local day: its opening minute in the zone.
    static func opening(of date: CalendarDate, _ policy: ContactPolicy, _ calendar: Calendar) -> Timestamp? {
        let components = DateComponents(
            year: date.year, month: date.month, day: date.day, hour: policy.earliestMinute / 60, minute: policy.earliestMinute % 60
        )
        return calendar.date(from: components).map(Timestamp.init)
    }

    /// An instant as the borrower's clock reads it.
    struct LocalTime {
        let date: CalendarDate
        let minute: Int
        let weekday: Int

        init?(_ instant: Timestamp, _ calendar: Calendar) {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant.date)
            guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
                  let weekday = parts.weekday, let date = CalendarDate(year: year, month: month, day: day) else { return nil }
            self.date = date
            self.minute = hour * 60 + minute
            self.weekday = weekday
        }
    }
}

extension ContactChannel {
    /// The channel's name in Spanish.
    public var label: String {
        switch self {
        case .email: "correo electrónico"
        case .sms: "SMS"
        case .whatsapp: "WhatsApp"
        case .voice: "llamada"
        }
    }
}
