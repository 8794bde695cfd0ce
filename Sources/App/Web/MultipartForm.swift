import Foundation
import MultipartKit
import NIOCore

/// `multipart/form-data` bodies (forms with a file): text fields and files by field name.
enum MultipartForm {
    /// The largest form with a file accepted.
    static let limit = 25 * 1024 * 1024

    /// The boundary of a `multipart/form-data` content type; nil for any other.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    /// The fields and files; nil when the body is not well-formed multipart.
    static func parse(_ body: ByteBuffer, boundary: String) -> (fields: [String: String], files: [String: UploadedFile])? {
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var data = Data()
        var fields: [String: String] = [:]
        var files: [String: UploadedFile] = [:]
        var parts = 0
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            parts += 1
            let disposition = headers["content-disposition"] ?? ""
            if let name = parameter("name", in: disposition) {
                if let fileName = parameter("filename", in: disposition) {
                    files[name] = UploadedFile(fileName: fileName, data: data)
                } else {
                    fields[name] = String(decoding: data, as: UTF8.self)
                }
            }
            headers = [:]
            data = Data()
        }
        do {
            try parser.execute(body)
        } catch {
            return nil
        }
        return parts == 0 ? nil : (fields, files)
    }

    /// `name="value"` in a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
