/// The file formats a document may be uploaded in, recognised by their first bytes (never by the name or the declared
/// type): PDF, JPEG and PNG.
public enum KYCDocumentFormat: String, Sendable, CaseIterable {
    case pdf, jpeg, png

    /// The largest document accepted: 10 MiB.
    public static let maximumBytes = 10 * 1024 * 1024

    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    /// The format of `bytes`, or nil when they are none of the accepted ones.
    public static func detect(_ bytes: some Collection<UInt8>) -> KYCDocumentFormat? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }
}
