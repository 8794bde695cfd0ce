import CarteraCore
import CarteraTestSupport
import Foundation
import LoanCollections
import Testing

@Suite("Contact gate (CONDUSEF hours, days, caps, consent)")
struct ContactGateTests {
    static let zones = [
        "America/Mexico_City", "America/Cancun", "America/Mazatlan", "America/Hermosillo", "America/Tijuana", "America/Chihuahua",
        "America/Ciudad_Juarez", "America/Matamoros", "America/Monterrey", "America/Merida",
    ]

    /// The borrower's clock at `instant`.
    static func local(_ instant: Timestamp, _ zone: String) -> (date: CalendarDate, minute: Int, weekday: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant.date)
        return (CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!, parts.hour! * 60 + parts.minute!, parts.weekday!)
    }

    @Test("Property: whatever is asked, a message is only ever scheduled 07:00–22:00 in the borrower's zone, on an allowed day, within the caps, to a consenting channel, never before it was asked")
    func property() {
        var random = SplitMix64(seed: 2026_11_27)
        func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        var sent = 0
        var refused = 0
        // 2026-01-01 to early 2028, across the border zones' clock changes.
        let start: Int64 = 1_767_225_600_000
        for _ in 0..<4_000 {
            let zone = Self.zones[next(Self.zones.count)]
            let earliest = ContactPolicy.legalEarliestMinute + next(4) * 30
            let end = ContactPolicy.legalEndMinute - next(4) * 45
            var weekdays = Set((1...7).filter { _ in next(4) != 0 })
            if weekdays.isEmpty { weekdays = [4] }
            let channel = ContactChannel.allCases[next(ContactChannel.allCases.count)]
            let requested = Timestamp(millisecondsSince1970: start + Int64(next(730 * 24 * 60)) * 60_000 + Int64(next(60_000)))
            let holidays = Set((0..<next(4)).map { _ in Self.local(requested, zone).date.adding(days: Int64(next(10))) })
            let policy = ContactPolicy(
                earliestMinute: earliest, endMinute: end, weekdays: weekdays, holidays: holidays, perDay: [channel: 1 + next(2)], perWeek: [channel: 2 + next(4)]
            )
            let consent: ContactConsent = [.granted, .granted, .granted, .optedOut, .unknown][next(5)]
            let previous = (0..<next(6)).map { _ in requested.adding(seconds: -Int64(next(8 * 86_400))) }
            switch ContactGate.decide(channel: channel, requested: requested, zone: zone, consent: consent, previous: previous, policy: policy) {
            case .send(let at):
                sent += 1
                let clock = Self.local(at, zone)
                #expect(consent == .granted)
                #expect(at >= requested)
                #expect(clock.minute >= earliest && clock.minute < end && clock.minute >= 7 * 60 && clock.minute < 22 * 60, "\(zone) \(at.text) → \(clock)")
                #expect(weekdays.contains(clock.weekday) && !holidays.contains(clock.date), "\(zone) \(at.text)")
                #expect(previous.filter { Self.local($0, zone).date == clock.date }.count < policy.perDay[channel]!)
                #expect(previous.filter { $0.millisecondsSince1970 > at.millisecondsSince1970 - 7 * 86_400_000 && $0 <= at }.count < policy.perWeek[channel]!)
            case .refused(let code, _):
                refused += 1
                if consent == .optedOut { #expect(code == "opted_out") } else if consent == .unknown { #expect(code == "no_consent") }
            }
        }
        #expect(sent > 2_000 && refused > 1_000)
    }

    @Test("At 06:30 on a Monday in Tijuana, a message waits for 07:00 there; at 22:00 it waits for the next allowed day")
    func examples() {
        let policy = ContactPolicy()
        // Monday 2026-11-30 06:30 in Tijuana (UTC−8 in November) = 14:30Z.
        let early = Timestamp(text: "2026-11-30T14:30:00.000Z")!
        #expect(ContactGate.decide(channel: .sms, requested: early, zone: "America/Tijuana", consent: .granted, previous: [], policy: policy) == .send(at: Timestamp(text: "2026-11-30T15:00:00.000Z")!))
        // Saturday 2026-11-28 22:00 in Mexico City (UTC−6) = Sunday 04:00Z: Sunday is off, so Monday 07:00 = 13:00Z.
        let late = Timestamp(text: "2026-11-29T04:00:00.000Z")!
        #expect(ContactGate.decide(channel: .whatsapp, requested: late, zone: "America/Mexico_City", consent: .granted, previous: [], policy: policy) == .send(at: Timestamp(text: "2026-11-30T13:00:00.000Z")!))
        // One SMS already today: the next one goes tomorrow at opening.
        let noon = Timestamp(text: "2026-11-30T18:00:00.000Z")!
        #expect(ContactGate.decide(channel: .sms, requested: noon, zone: "America/Mexico_City", consent: .granted, previous: [noon.adding(seconds: -3600)], policy: policy)
            == .send(at: Timestamp(text: "2026-12-01T13:00:00.000Z")!))
        #expect(ContactGate.decide(channel: .sms, requested: noon, zone: "Mars/Olympus", consent: .granted, previous: [], policy: policy) == .refused(code: "time_zone_unknown", message: "La zona horaria «Mars/Olympus» del acreditado no existe; corrija su domicilio."))
        // A lender may narrow the window, never widen it.
        #expect(ContactPolicy(earliestMinute: 6 * 60).issues().map(\.field) == ["window"])
        #expect(ContactPolicy(endMinute: 23 * 60).issues().map(\.field) == ["window"])
        #expect(ContactPolicy(earliestMinute: 9 * 60, endMinute: 20 * 60).issues().isEmpty)
    }
}
