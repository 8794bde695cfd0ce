import Foundation
import HTTPTypes
import Logging
import Hummingbird
import Store
import Synchronization

/// `/health`, `/ready` and `/metrics`: public, for load balancers, orchestrators and Prometheus.
struct HealthRoutes {
    let database: Database

    struct Status: ResponseEncodable {
        let status: String
    }

    /// Whether the database answers a trivial query before the deadline. The probe is raced against a timer rather
    /// than cancelled, because a query waiting for a pool connection does not react to cancellation.
    static func answers(_ database: Database, within limit: Duration) async -> Bool {
        let resumed = Mutex(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let finish: @Sendable (Bool) -> Void = { answer in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: answer) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { finish(false) }
            }
            Task {
                let answered = (try? await database.ping()) != nil
                timer.cancel()  // no sleeping timer left behind for every answered probe
                finish(answered)
            }
        }
    }

    func add(to router: Router<AppRequestContext>) {
        // Liveness: the process answers.
        router.get("/health") { _, _ in Status(status: "ok") }

        // Readiness: the database answers, within two seconds.
        router.get("/ready") { _, context -> Status in
            guard await Self.answers(database, within: .seconds(2)) else {
                context.logger.warning("readiness check failed: the database did not answer within 2 s")
                throw APIError(
                    status: .serviceUnavailable,
                    code: "database_unavailable",
                    message: "La base de datos no responde. Revise que esté en marcha y accesible."
                )
            }
            return Status(status: "ready")
        }

        // Metrics in Prometheus text format.
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: AppMetrics.exposition())))
        }
    }
}
