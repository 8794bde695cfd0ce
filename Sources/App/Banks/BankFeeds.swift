import CarteraCore
import CarteraSecurity
import Crypto
import Foundation
import HTTPTypes
import Integrations
import Reconciliation
import Store

/// Movements pulled from a bank's API into the same pipeline as statement files: every page of the date range is read
/// first, then stored as one statement in one transaction — each movement once, by the bank's own movement id (and its
/// state: a pending movement booked later is stored again as booked, and only booked ones are reconciled).
public struct BankFeeds: Sendable {
    let imports: StatementImports
    /// Nil when no bank API is configured.
    public let bank: (any BankAPI)?

    public init(imports: StatementImports, bank: (any BankAPI)?) {
        self.imports = imports
        self.bank = bank
    }

    static let notConfigured = APIError(
        status: .conflict, code: "bank_api_not_configured",
        message: "No hay una API bancaria configurada: defina CARTERA_BANK_API_BASE, CARTERA_BANK_CLIENT_ID y CARTERA_BANK_CLIENT_SECRET, o importe el estado de cuenta en archivo."
    )

    /// The most pages read in one pull (200 movements each by default): a runaway cursor stops here.
    static let maximumPages = 10_000

    /// Pulls `account`'s movements from `from` to `to` and stores the new ones.
    public func pull(
        account: String, from: CalendarDate, to: CalendarDate, lenderID: String, actor: Administration.Actor,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> StatementImports.Summary {
        guard let bank else { throw Self.notConfigured }
        guard from <= to else {
            throw APIError(status: .unprocessableContent, code: "date_range_invalid", message: "La fecha inicial debe ser anterior o igual a la final.")
        }
        var movements: [BankMovement] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page: BankMovementsPage
            do {
                page = try await bank.movements(account: account, from: from, to: to, cursor: cursor)
            } catch {
                throw APIError(status: error.code == "bank_refused" ? .unprocessableContent : .serviceUnavailable, code: error.code, message: error.message)
            }
            movements += page.movements
            cursor = page.nextCursor
            pages += 1
            progress?(movements.count, 0)
        } while cursor != nil && pages < Self.maximumPages
        let statement = Self.statement(account: account, bank: bank.bankName, from: from, to: to, movements: movements)
        var hasher = SHA256()
        for movement in movements { hasher.update(data: Array("\(movement.id)|\(movement.status.rawValue)|\(movement.amount)\n".utf8)) }
        return try await imports.store(
            [statement], source: "API \(bank.bankName) \(account) \(from.text)…\(to.text)", digest: ByteEncoding.hex(Array(hasher.finalize())),
            format: StatementFormat.bankAPI.rawValue, profile: nil, lenderID: lenderID, actor: actor, progress: progress
        )
    }

    /// The movements as one statement of the account (no balances: the API's balances are read separately).
    static func statement(account: String, bank: String, from: CalendarDate, to: CalendarDate, movements: [BankMovement]) -> BankStatement {
        let entries = movements.enumerated().map { index, movement in
            StatementEntry(
                index: index, amount: movement.amount, currency: movement.currency, status: movement.status == .booked ? .booked : .pending,
                bookingDate: movement.bookingDate, valueDate: movement.valueDate, bankReference: movement.reference, entryReference: movement.id,
                endToEndID: movement.trackingKey, counterpartyName: movement.counterpartyName, counterpartyAccount: movement.counterpartyAccount,
                remittance: movement.remittance, description: movement.description,
                naturalKey: "api|\(account)|\(movement.id)|\(movement.status.rawValue)"
            )
        }
        return BankStatement(
            format: .bankAPI, id: "\(bank) \(from.text)…\(to.text)", sequence: nil, account: account, currency: "MXN", opening: nil, closing: nil, entries: entries
        )
    }
}
