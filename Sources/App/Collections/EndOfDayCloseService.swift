import CarteraCore
import Lending
import Logging
import SQLKit
import ServiceLifecycle
import Store

/// The end-of-day close on a schedule (in `cartera serve`): from 00:30 Mexico City time, each lender with active loans
/// has every day through yesterday closed, then today's collection messages written (`DunningRun`). Several instances share one close (see `EndOfDayClose`).
public struct EndOfDayCloseService: Service {
    let close: EndOfDayClose
    let logger: Logger
    let interval: Duration
    let enabled: Bool
    /// Writes the day's collection messages after each close.
    let dunning: DunningRun?
    /// E-mails the delinquency report to subscribed staff after each close.
    let reports: ReportMailer?

    public init(
        close: EndOfDayClose, logger: Logger, interval: Duration = .seconds(300), enabled: Bool = true, dunning: DunningRun? = nil, reports: ReportMailer? = nil
    ) {
        self.dunning = dunning
        self.reports = reports
        self.close = close
        self.logger = logger
        self.interval = interval
        self.enabled = enabled
    }

    public func run() async throws {
        // A service that returns stops the application: when days are closed by command, it just waits for the shutdown.
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await runOnce()
                } catch {
                    logger.error("end-of-day close failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: closes yesterday (and any day missed before it) for every lender with active loans, once it is
    /// 00:30 in Mexico City.
    @discardableResult
    public func runOnce() async throws -> [EndOfDayClose.Summary] {
        let now = close.book.clock()
        let local = now.millisecondsSince1970 - 6 * 3_600_000
        guard ((local % 86_400_000) + 86_400_000) % 86_400_000 >= 30 * 60_000 else { return [] }
        let yesterday = close.book.today().adding(days: -1)
        let lenders = try await close.database.withConnection { db in
            try await db.raw(
                """
                SELECT d.id FROM lenders d LEFT JOIN business_dates b ON b.lender_id = d.id
                WHERE (b.closed_through IS NULL OR b.closed_through < \(bind: yesterday.text))
                    AND EXISTS (SELECT 1 FROM loans l WHERE l.lender_id = d.id AND l.status = \(bind: LoanStatus.active.rawValue))
                ORDER BY d.id
                """
            ).all(decodingColumn: "id", as: String.self)
        }
        var summaries: [EndOfDayClose.Summary] = []
        for lender in lenders {
            // One lender's failure never keeps the others from closing.
            do {
                let summary = try await close.close(lenderID: lender, through: yesterday)
                let exceptions = summary.days.reduce(0) { $0 + $1.exceptions.count }
                logger.info("end-of-day close", metadata: ["lender": "\(lender)", "through": "\(summary.closedThrough ?? "")", "days": "\(summary.days.count)", "exceptions": "\(exceptions)"])
                if exceptions > 0 { logger.warning("loans left out of the close", metadata: ["lender": "\(lender)", "count": "\(exceptions)"]) }
                summaries.append(summary)
            } catch {
                logger.error("end-of-day close of a lender failed", metadata: ["lender": "\(lender)", "error": "\(error)"])
            }
        }
        if let dunning { await runDunning(dunning, closed: yesterday) }
        if let reports { await sendReports(reports, closed: yesterday) }
        return summaries
    }

    /// The reports due for each lender closed through yesterday (each sent once; see `ReportMailer`).
    func sendReports(_ reports: ReportMailer, closed: CalendarDate) async {
        do {
            let lenders = try await close.database.withConnection { db in
                try await db.raw(
                    """
                    SELECT DISTINCT b.lender_id FROM business_dates b JOIN report_subscriptions s ON s.lender_id = b.lender_id AND s.canceled_at IS NULL
                    WHERE b.closed_through = \(bind: closed.text) ORDER BY b.lender_id
                    """
                ).all(decodingColumn: "lender_id", as: String.self)
            }
            for lender in lenders {
                do {
                    let sent = try await reports.send(lenderID: lender, closed: closed)
                    if sent.sent + sent.failed > 0 { logger.info("delinquency reports e-mailed", metadata: ["lender": "\(lender)", "sent": "\(sent.sent)", "failed": "\(sent.failed)"]) }
                } catch {
                    logger.error("delinquency reports could not be sent; tried again on the next pass", metadata: ["lender": "\(lender)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("delinquency reports could not start", metadata: ["error": "\(error)"])
        }
    }

    /// Today's collection messages for each lender closed through yesterday whose dunning step has not finished today
    /// (one that failed is run again on the next pass; a run writes each message once).
    func runDunning(_ dunning: DunningRun, closed: CalendarDate) async {
        do {
            let day = closed.adding(days: 1)
            let lenders = try await close.database.withConnection { db in
                try await db.raw(
                    """
                    SELECT b.lender_id FROM business_dates b WHERE b.closed_through = \(bind: closed.text)
                        AND NOT EXISTS (SELECT 1 FROM dunning_runs r WHERE r.lender_id = b.lender_id AND r.business_date = \(bind: day.text))
                    ORDER BY b.lender_id
                    """
                ).all(decodingColumn: "lender_id", as: String.self)
            }
            for lender in lenders {
                do {
                    let written = try await dunning.run(lenderID: lender, closed: closed)
                    logger.info("dunning", metadata: ["lender": "\(lender)", "day": "\(written.day)", "scheduled": "\(written.scheduled)", "calls": "\(written.calls)", "failures": "\(written.failures.count)"])
                    for (loan, reason) in written.failures { logger.warning("collection message not prepared", metadata: ["loan": "\(loan)", "error": "\(reason)"]) }
                } catch {
                    logger.error("dunning of a lender failed; tried again on the next pass", metadata: ["lender": "\(lender)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("dunning could not start", metadata: ["error": "\(error)"])
        }
    }
}
