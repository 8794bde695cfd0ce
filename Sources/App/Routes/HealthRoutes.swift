import Foundation
import HTTPTypes
import Logging
import Hummingbird
import Store

/// `/health`, `/ready` and `/metrics`: public, for load balancers, orchestrators and Prometheus.
struct HealthRoutes {
    let database: Database

    struct Status: ResponseEncodable {
        let status: String
    }

    func add(to router: Router<AppRequestContext>) {
        // Liveness: the process answers.
        router.get("/health") { _, _ in Status(status: "ok") }

        // Readiness: the database answers, within two seconds.
        router.get("/ready") { _, context -> Status in
            let database = self.database
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await database.ping() }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        throw CancellationError()
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
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
