import Logging
import ServiceLifecycle

/// Every minute (in `cartera serve`): sends again the SPEI orders STP has not confirmed (the same tracking key, so never
/// a second transfer) and finishes deposits a stopped process left half done. Safe on many instances: each order and
/// deposit moves on only from the state it was found in.
public struct SPEISweep: Service {
    let transfers: SPEITransfers
    let logger: Logger
    let interval: Duration

    public init(transfers: SPEITransfers, logger: Logger, interval: Duration = .seconds(60)) {
        self.transfers = transfers
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        // A service that returns stops the application: without SPEI it just waits for the shutdown.
        guard transfers.settings != nil else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let confirmed = try await transfers.resendWaiting()
                    let recovered = try await transfers.recoverDeposits()
                    if confirmed + recovered > 0 { logger.info("spei sweep", metadata: ["orders": "\(confirmed)", "deposits": "\(recovered)"]) }
                } catch {
                    logger.error("spei sweep failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
