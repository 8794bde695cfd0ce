import CarteraCore

/// What the file check needs to know of one stored document (its content stays in the store).
public struct KYCDocumentFacts: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Uploaded; nobody has compared it with the original yet.
        case received = "recibido"
        /// Compared with the original (cotejado) by staff.
        case verified = "cotejado"
        case rejected = "rechazado"
        /// A newer document of the same kind and person replaced it.
        case superseded = "sustituido"

        public var label: String {
            switch self {
            case .received: "Recibido, por cotejar"
            case .verified: "Cotejado"
            case .rejected: "Rechazado"
            case .superseded: "Sustituido"
            }
        }
    }

    public let id: String
    public let kind: KYCDocumentKind
    public let subject: KYCSubject
    public let status: Status
    public let receivedOn: CalendarDate
    public let issuedOn: CalendarDate?
    public let expiresOn: CalendarDate?
    public let rejectionReason: String?

    public init(
        id: String, kind: KYCDocumentKind, subject: KYCSubject, status: Status, receivedOn: CalendarDate,
        issuedOn: CalendarDate? = nil, expiresOn: CalendarDate? = nil, rejectionReason: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.status = status
        self.receivedOn = receivedOn
        self.issuedOn = issuedOn
        self.expiresOn = expiresOn
        self.rejectionReason = rejectionReason
    }
}
