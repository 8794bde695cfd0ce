import CarteraCore
import CarteraSecurity
import Logging
import SQLKit
import ServiceLifecycle
import Store

/// The daily bank-balance check, on a schedule (in `cartera serve`): from `hour` (Mexico City time) each lender with bank
/// accounts has yesterday's statements compared with the ledger and the result recorded; a day that does not balance
/// is checked again every `interval` until the end of the day, as late statements and reconciliations arrive. Each run
/// is recorded under the lender and date, so several instances doing the same run leave one row.
public struct BankBalanceCheckService: Service {
    let check: BankBalanceCheck
    let logger: Logger
    let hour: Int
    let interval: Duration

    public static let actor = Administration.Actor(kind: .system, id: "bank-balance-check")

    public init(check: BankBalanceCheck, logger: Logger, hour: Int = 9, interval: Duration = .seconds(3600)) {
        self.check = check
        self.logger = logger
        self.hour = hour
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await runOnce()
                } catch {
                    logger.error("bank balance check failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: checks yesterday for every lender with bank accounts, unless it is earlier than `hour` or the day
    /// already balanced. Returns the reports it recorded.
    @discardableResult
    public func runOnce() async throws -> [String: BankBalanceCheck.Report] {
        let offset: Int64 = -6 * 3600
        let now = check.clock()
        let localMilliseconds = now.millisecondsSince1970 + offset * 1000
        let millisecondOfDay = ((localMilliseconds % 86_400_000) + 86_400_000) % 86_400_000
        guard millisecondOfDay >= Int64(hour) * 3_600_000 else { return [:] }
        let yesterday = now.calendarDate(utcOffsetSeconds: offset).adding(days: -1)
        let lenders = try await check.database.withConnection { db in
            try await db.raw("SELECT DISTINCT lender_id FROM bank_accounts ORDER BY lender_id").all(decodingColumn: "lender_id", as: String.self)
        }
        var reports: [String: BankBalanceCheck.Report] = [:]
        for lender in lenders where try await !check.isBalanced(lenderID: lender, date: yesterday) {
            let report = try await check.record(lenderID: lender, date: yesterday, actor: Self.actor)
            reports[lender] = report
            if !report.balanced {
                logger.warning(
                    "bank balances differ from the ledger",
                    metadata: ["lender": "\(lender)", "date": "\(yesterday.text)", "unexplained": "\(report.unexplained)", "complete": "\(report.complete)"]
                )
            }
        }
        return reports
    }
}
