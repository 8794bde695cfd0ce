import Metrics
import Prometheus

/// The process-wide metrics registry, exposed at `/metrics` in Prometheus text format.
///
/// swift-metrics allows one bootstrap per process, so the registry is created and bootstrapped once, on first use,
/// and shared by every application built in the process (tests build several).
public enum AppMetrics {
    /// The registry every metric of the process is recorded in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Touches the registry so that the metrics system is bootstrapped before the first request.
    static func bootstrap(version: String) {
        _ = registry
        Gauge(label: "cartera_build_info", dimensions: [("version", version)]).record(1)
    }

    /// The Prometheus text exposition of every metric.
    static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
