import CarteraCore
import Foundation
import SQLKit

/// One due date's charge of a domiciliación, with its tries: scheduled → charging → paid, or back to scheduled for
/// the next retry, until the retries run out (exhausted). `covered`: nothing was due when its turn came (the borrower
/// paid otherwise); `superseded`: a later due date's charge took over the amount; `canceled`: the domiciliación was
/// revoked or the loan closed.
public struct RecurringChargeRecord: Sendable, Encodable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case scheduled, charging, paid, exhausted, covered, superseded, canceled
        /// The gateway could not confirm whether it charged: no retry (it could charge twice); staff check with it.
        case unconfirmed

        public var label: String {
            switch self {
            case .scheduled: "Programado"
            case .charging: "En cobro"
            case .paid: "Cobrado"
            case .exhausted: "Sin cobrar (reintentos agotados)"
            case .covered: "Cubierto por otro medio"
            case .superseded: "Incluido en un cobro posterior"
            case .canceled: "Cancelado"
            case .unconfirmed: "Sin confirmar por la pasarela: revisar"
            }
        }

    }

    public let id: String
    public let mandateId: String
    public let loanId: String
    public let installment: Int
    public let dueDate: String
    public let status: Status
    public let statusLabel: String
    /// Tries made so far (the first on the due date).
    public let attempts: Int
    public let nextAttemptOn: String?
    /// The payment intent of the latest try.
    public let intentId: String?
    /// What the latest try asked.
    public let amount: String?
    public let lastErrorCode: String?
    public let lastError: String?
    public let createdAt: String
    public let updatedAt: String
    let rowVersion: Int64
    let lenderID: String

    enum CodingKeys: String, CodingKey {
        case id, mandateId, loanId, installment, dueDate, status, statusLabel, attempts, nextAttemptOn, intentId, amount, lastErrorCode, lastError, createdAt, updatedAt
    }

    static let columns: SQLQueryString = """
        id, mandate_id, lender_id, loan_id, installment, due_date, status, attempts, next_attempt_on, intent_id, amount, last_error_code, last_error,
        created_at, updated_at, row_version
        """

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        mandateId = try row.decode(column: "mandate_id", as: String.self)
        lenderID = try row.decode(column: "lender_id", as: String.self)
        loanId = try row.decode(column: "loan_id", as: String.self)
        installment = try row.decode(column: "installment", as: Int.self)
        dueDate = try row.decode(column: "due_date", as: String.self)
        let status = try row.decode(column: "status", named: Status.self)
        self.status = status
        statusLabel = status.label
        attempts = try row.decode(column: "attempts", as: Int.self)
        nextAttemptOn = try row.decode(column: "next_attempt_on", as: String?.self)
        intentId = try row.decode(column: "intent_id", as: String?.self)
        amount = try row.decode(column: "amount", as: Int64?.self).map { QuoteDocument.amount(Money(minorUnits: $0, currency: .mxn)) }
        lastErrorCode = try row.decode(column: "last_error_code", as: String?.self)
        lastError = try row.decode(column: "last_error", as: String?.self)
        createdAt = try row.decode(column: "created_at", as: String.self)
        updatedAt = try row.decode(column: "updated_at", as: String.self)
        rowVersion = try row.decode(column: "row_version", as: Int64.self)
    }
}
