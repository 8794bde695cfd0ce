import CarteraCore
@testable import Payments
import Testing

@Suite("Retry schedule of recurring card charges")
struct RetryScheduleTests {
    let due = CalendarDate(year: 2026, month: 3, day: 15)!

    @Test("The default is three retries over eight days: days 2, 5 and 8 after the due date")
    func standard() {
        let schedule = RetrySchedule.standard
        #expect(schedule.text == "2,5,8")
        #expect(schedule.nextAttempt(dueDate: due, failures: 1, today: due) == CalendarDate(year: 2026, month: 3, day: 17))
        #expect(schedule.nextAttempt(dueDate: due, failures: 2, today: due) == CalendarDate(year: 2026, month: 3, day: 20))
        #expect(schedule.nextAttempt(dueDate: due, failures: 3, today: due) == CalendarDate(year: 2026, month: 3, day: 23))
        #expect(schedule.nextAttempt(dueDate: due, failures: 4, today: due) == nil)
        #expect(schedule.nextAttempt(dueDate: due, failures: 0, today: due) == nil)
    }

    @Test("A retry whose day has passed (the server was down) is made the next day, never on the day of the last try")
    func lateRetry() {
        let today = CalendarDate(year: 2026, month: 3, day: 19)!
        #expect(RetrySchedule.standard.nextAttempt(dueDate: due, failures: 1, today: today) == CalendarDate(year: 2026, month: 3, day: 20))
        #expect(RetrySchedule.standard.nextAttempt(dueDate: due, failures: 2, today: CalendarDate(year: 2026, month: 3, day: 20)!) == CalendarDate(year: 2026, month: 3, day: 21))
        #expect(RetrySchedule(unchecked: [1]).nextAttempt(dueDate: due, failures: 1, today: due.adding(days: 1)) == due.adding(days: 2))
    }

    @Test("Staff write the days; wrong ones are refused with a reason")
    func parsing() throws {
        #expect(try RetrySchedule(parsing: " 1, 3;7 14 ").days == [1, 3, 7, 14])
        for wrong in ["", "0", "3,2", "2,2", "61", "a", "1,2,3,4,5,6,7,8,9,10,11"] {
            #expect(throws: FieldIssue.self) { try RetrySchedule(parsing: wrong) }
        }
    }
}
