import CarteraCore
import Store
import Testing

struct SQLValuesTextTests {
    @Test("Rows written byte by byte: integers at both ends of Int64, dates, flags, NULLs and quoted texts")
    func golden() throws {
        var text = SQLValuesText(capacity: 16)
        text.append("(")
        text.appendQuoted("ln_1ñ")
        text.append(", ")
        text.append(Int64(0))
        text.append(Int64(-42))
        text.append(Int64.max)
        text.append(Int64.min)
        text.append(nil as Int64?)
        text.append(try #require(CalendarDate(text: "0987-06-05")))
        text.append(nil as CalendarDate?)
        text.append(true)
        text.append(false, last: true)
        text.append(")")
        #expect(text.take() == "('ln_1ñ', 0, -42, 9223372036854775807, -9223372036854775808, NULL, '0987-06-05', NULL, TRUE, FALSE)")
        #expect(text.take() == "")
    }

    @Test("Only texts without a quote, backslash or NUL are literals")
    func literals() {
        #expect(SQLTextLiteral.quoted("cl_abc-1 ñ") == "'cl_abc-1 ñ'")
        for unsafe in ["o'brien", #"back\slash"#, "nul\u{0}"] { #expect(SQLTextLiteral.quoted(unsafe) == nil, "\(unsafe)") }
    }
}
