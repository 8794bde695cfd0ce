import CarteraCore
import Clients
import Compliance

/// The demo portfolio's identification files: for each document a client's file needs, a one-page PDF that says it is a
/// sample, so the demo's files are complete and can be opened like real ones.
enum DemoDocuments {
    /// The uploads that complete the file of `profile` under `policy` on `today`.
    static func uploads(for profile: ClientProfile, policy: KYCPolicy, today: CalendarDate) -> [KYCFiles.Upload] {
        let names = KYCFileShape.names(of: profile)
        return KYCFileCheck.requirements(for: KYCFileShape(profile: profile), policy: policy).map { requirement in
            let name = names[requirement.subject] ?? profile.displayName
            return KYCFiles.Upload(
                kind: requirement.kind.rawValue, subject: requirement.subject.description, fileName: "muestra-\(requirement.kind.rawValue)-\(requirement.subject).pdf",
                content: pdf(lines: [
                    "Documento de muestra - cartera de demostracion de Cartera", requirement.kind.label, name,
                    "Recibido y cotejado el \(today.text).", "No es un documento real.",
                ]),
                issuedOn: requirement.kind.needsIssueDate ? today.adding(days: -10).text : nil,
                expiresOn: requirement.kind.needsExpiry ? today.adding(months: 60).text : nil
            )
        }
    }

    /// A minimal, valid one-page PDF (PDF 1.4, Helvetica, WinAnsi) showing `lines`.
    static func pdf(lines: [String]) -> [UInt8] {
        func latin1(_ text: String) -> [UInt8] {
            text.unicodeScalars.flatMap { scalar -> [UInt8] in
                let value = scalar.value
                guard value < 256 else { return [UInt8(ascii: "?")] }
                let byte = UInt8(value)
                return byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), byte] : [byte]
            }
        }
        var stream: [UInt8] = Array("BT /F1 14 Tf 72 720 Td 22 TL\n".utf8)
        for line in lines { stream += Array("(".utf8) + latin1(line) + Array(") Tj T*\n".utf8) }
        stream += Array("ET\n".utf8)
        let objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
            Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".utf8),
            Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8),
            Array("<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("endstream".utf8),
        ]
        var output: [UInt8] = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.count)
            output += Array("\(index + 1) 0 obj\n".utf8) + object + Array("\nendobj\n".utf8)
        }
        let xref = output.count
        output += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets {
            let digits = String(offset)
            output += Array((String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n").utf8)
        }
        output += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return output
    }
}
