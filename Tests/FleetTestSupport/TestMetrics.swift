import CoreMetrics
import FleetTelemetry
public import Prometheus

/// Metrics in tests, one registry per test.
///
/// swift-metrics takes one global backend per process, and tests run in parallel in one process,
/// so a process-wide registry would mix every test's counts. Instead each test binds its own
/// registry with swift-metrics' task-local factory (`withMetricsFactory`), which every task the
/// test starts inherits — the in-process router's and a live server's included. Nothing in the
/// test process bootstraps the global backend, so what is recorded outside `collecting` is dropped.
///
///     try await TestMetrics.collecting { registry in
///         let built = try await testApplication(STTService.self, peers: ...)  // its /metrics shows `registry`
///         ...
///     }
public enum TestMetrics {
    /// The registry of the test running in this task; nil outside `collecting`.
    @TaskLocal public static var registry: PrometheusCollectorRegistry?

    /// Runs `body` with a fresh registry that receives every catalogued metric recorded by it and
    /// by the tasks it starts. `testApplication` built inside serves this registry on `/metrics`.
    public static func collecting<T>(_ body: (PrometheusCollectorRegistry) async throws -> T) async throws -> T {
        let registry = PrometheusCollectorRegistry()
        return try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await $registry.withValue(registry) { try await body(registry) }
        }
    }
}
