import Foundation
import Lending

extension LoanBook.PaymentRecord {
    /// The record as JSON: byte for byte what `LoanBook.jsonEncoder` writes (sorted keys, slashes not escaped), written
    /// directly because every payment is encoded on the posting path and the general encoder costs more than working
    /// the payment out.
    func json() -> Data {
        var out = JSONText()
        out.raw(#"{"allocation":["#)
        for (index, line) in allocation.enumerated() {
            out.raw(index == 0 ? #"{"amount":"# : #",{"amount":"#)
            out.string(line.amount)
            out.raw(#","component":"#)
            out.string(line.component)
            if let installment = line.installment {
                out.raw(#","installment":"#)
                out.raw(String(installment))
            }
            out.raw("}")
        }
        out.raw(#"],"amount":"#)
        out.string(amount)
        out.field("channel", channel)
        out.field("entryId", entryId)
        out.field("excess", excess)
        out.field("id", id)
        out.field("kind", kind)
        out.field("loanId", loanId)
        out.field("loanStatus", loanStatus?.rawValue)
        out.field("recordedAt", recordedAt)
        out.field("recordedBy", recordedBy)
        out.field("reference", reference)
        if let reversal {
            out.raw(#","reversal":{"at":"#)
            out.string(reversal.at)
            out.field("by", reversal.by)
            out.field("entryId", reversal.entryId)
            out.field("reason", reversal.reason)
            out.raw("}")
        }
        out.raw(#","sequence":"#)
        out.raw(String(sequence))
        out.field("valueDate", valueDate)
        out.raw("}")
        return Data(out.bytes)
    }
}

/// JSON written by hand, escaping strings as `JSONEncoder` does with `.withoutEscapingSlashes`.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(640) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `,"name":"value"`, or nothing when `value` is nil (the encoder leaves nil optionals out).
    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        bytes.append(UInt8(ascii: ","))
        string(name)
        bytes.append(UInt8(ascii: ":"))
        string(value)
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
