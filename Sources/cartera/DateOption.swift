import ArgumentParser
import CarteraCore

/// A `--date`-style option's day: nil when not given; a clear error when it is not `YYYY-MM-DD`.
func optionalDay(_ text: String?) throws -> CalendarDate? {
    guard let text else { return nil }
    guard let parsed = CalendarDate(text: text) else { throw ValidationError("La fecha se escribe AAAA-MM-DD, por ejemplo 2026-11-26.") }
    return parsed
}
