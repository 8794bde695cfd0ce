import CarteraCore
import Foundation
import Testing

@Suite("CSV tokenizer")
struct CSVTokenizerTests {
    static func rows(_ text: String, delimiter: Character = ",") throws -> [[String]] {
        var tokenizer = CSVTokenizer(text, delimiter: delimiter.asciiValue!)
        var rows: [[String]] = []
        while let row = try tokenizer.next() { rows.append(row) }
        return rows
    }

    @Test("Quoted fields with delimiters, doubled quotes and line breaks; CRLF, LF and CR ends; blanks trimmed; empty fields kept")
    func rfc4180() throws {
        #expect(try Self.rows("a,\"b,c\",\"d \"\"e\"\"\"\r\n1, 2 ,\n\"x\ny\",z\r\rlast") == [["a", "b,c", "d \"e\""], ["1", "2", ""], ["x\ny", "z"], [""], ["last"]])
        #expect(try Self.rows("a;b;;c\n", delimiter: ";") == [["a", "b", "", "c"]])
        #expect(try Self.rows("") == [])
        // Tab-delimited: a tab is the separator, not a blank to trim, so empty cells stay where they are.
        #expect(try Self.rows("a\t\tc\t\n\t b \t\"q\"\n", delimiter: "\t") == [["a", "", "c", ""], ["", "b", "q"]])
    }

    @Test("An unclosed quote is an error naming the line it starts on")
    func unterminated() {
        #expect(throws: CSVTokenizer.Unterminated.self) { try Self.rows("a,b\nc,\"d\ne\n") }
        do {
            _ = try Self.rows("a,b\nc,\"d\ne\n")
        } catch {
            #expect((error as? CSVTokenizer.Unterminated)?.line == 2)
        }
    }
}
