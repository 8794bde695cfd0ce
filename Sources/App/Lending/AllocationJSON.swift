import CarteraCore
import Lending

extension AllocationLine {
    /// The JSON a payment's allocation is stored as in `loan_events.allocation`: byte for byte what `JSONEncoder` with
    /// sorted keys writes (the stored text is read back with `JSONDecoder`), written directly because a payment is on
    /// the posting path and the general encoder costs more than the rest of planning it.
    static func storedJSON(_ lines: [AllocationLine]) -> String {
        var text = "["
        text.reserveCapacity(2 + lines.count * 96)
        for (index, line) in lines.enumerated() {
            if index > 0 { text += "," }
            // Currency codes and component names are plain ASCII letters and underscores: nothing to escape.
            text += #"{"amount":{"currency":""#
            text += line.amount.currency.code
            text += #"","minorUnits":"#
            text += String(line.amount.minorUnits)
            text += #"},"component":""#
            text += line.component.rawValue
            text += "\""
            if let installment = line.installment {
                text += #","installment":"#
                text += String(installment)
            }
            text += "}"
        }
        text += "]"
        return text
    }
}
