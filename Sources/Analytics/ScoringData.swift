/// Rows for a scorecard: named variables with their values as text (an empty value is missing) and, for training, each
/// row's outcome (`true` = bad, the event the card predicts).
public struct ScoringData: Sendable {
    public let variables: [String]
    /// One value per variable, in `variables`' order.
    public let rows: [[String]]
    public let bad: [Bool]

    public init(variables: [String], rows: [[String]], bad: [Bool]) throws(ScorecardError) {
        guard !variables.isEmpty else { throw .noVariables }
        guard Set(variables).count == variables.count else { throw .duplicateVariable(variables.first { name in variables.filter { $0 == name }.count > 1 } ?? "") }
        guard rows.count == bad.count else { throw .outcomeCount(rows: rows.count, outcomes: bad.count) }
        for (index, row) in rows.enumerated() where row.count != variables.count {
            throw .raggedRow(row: index + 1, expected: variables.count, found: row.count)
        }
        self.variables = variables
        self.rows = rows
        self.bad = bad
    }

    /// From a table whose first row names the columns: `target` is the outcome column and `badValue` the value that
    /// means bad (compared without surrounding blanks, ignoring case); every other column is a variable. Row numbers in
    /// errors count the header as row 1, as a spreadsheet shows them.
    public static func table(_ table: [[String]], target: String, badValue: String) throws(ScorecardError) -> ScoringData {
        guard let header = table.first else { throw .empty }
        // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
        let names = header.enumerated().map { $0 == 0 && $1.hasPrefix("\u{FEFF}") ? String($1.dropFirst()).trimmingBlanks : $1.trimmingBlanks }
        guard let targetIndex = names.firstIndex(of: target) else { throw .noTarget(target, columns: names) }
        let wanted = badValue.trimmingBlanks.lowercased()
        var rows: [[String]] = []
        var bad: [Bool] = []
        rows.reserveCapacity(table.count - 1)
        for (offset, row) in table.dropFirst().enumerated() {
            // A blank line (one empty field) is skipped, as spreadsheets leave them at the end.
            if row.count == 1, row[0].trimmingBlanks.isEmpty { continue }
            guard row.count == names.count else { throw .raggedRow(row: offset + 2, expected: names.count, found: row.count) }
            let outcome = row[targetIndex].trimmingBlanks
            guard !outcome.isEmpty else { throw .missingOutcome(row: offset + 2) }
            bad.append(outcome.lowercased() == wanted)
            var values = row
            values.remove(at: targetIndex)
            rows.append(values.map { $0.trimmingBlanks })
        }
        guard !rows.isEmpty else { throw .empty }
        var variables = names
        variables.remove(at: targetIndex)
        return try ScoringData(variables: variables, rows: rows, bad: bad)
    }
}

extension String {
    /// Without spaces and tabs at either end.
    var trimmingBlanks: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
