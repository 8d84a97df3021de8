public import CoreMetrics
import Prometheus
import Synchronization

/// The swift-metrics handlers the catalog records through, made once per series and kept.
///
/// Why: a `FloatingPointCounter(label:dimensions:)` or `Recorder(...)` made for every increment
/// asks the backend for its handler each time: the global factory's lock, then in a service the
/// multiplexer's two backends, each looking the series up under a lock of its own, plus the
/// allocations of the wrapper and its dimensions. A voice turn records dozens of observations.
/// Here the catalog asks once per (metric, bounded label values) and then goes straight to the
/// handler, behind one lock. The backends never destroy a catalogued series (a scrape must not
/// lose one), so keeping its handler changes nothing they see.
///
/// Only the factory the process bootstrapped through ``MetricHandles/bootstrap(_:)`` is cached:
/// unit tests bind a task-local factory per test (`withMetricsFactory`), which a process-wide
/// cache would bypass, so without a bootstrap every record asks `MetricsSystem.factory` as before.
public enum MetricHandles {
    /// Bootstraps swift-metrics with `factory` and caches the catalog's handlers made by it.
    /// Like `MetricsSystem.bootstrap`, once per process.
    public static func bootstrap(_ factory: any MetricsFactory) {
        MetricsSystem.bootstrap(factory)
        processCache.withLock { $0 = MetricHandleCache(factory: factory) }
    }

    /// Bootstraps the backend an export-off service has (the catalog's Prometheus registry alone),
    /// with or without the handle cache; returns what its `/metrics` would show. For benchmarks.
    public static func bootstrapPrometheus(cached: Bool) -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        let factory = CatalogPrometheusFactory(registry: registry)
        if cached { bootstrap(factory) } else { MetricsSystem.bootstrap(factory) }
        return { registry.emitToString() }
    }

    static let processCache = Mutex<MetricHandleCache?>(nil)

    /// The process's cache, or nil before (or without) a bootstrap.
    static var cache: MetricHandleCache? { processCache.withLock { $0 } }
}

/// One factory's handlers, by metric name and label values (already bounded by the catalog).
final class MetricHandleCache: Sendable {
    struct Series: Hashable {
        let name: String
        let values: [String]
    }

    private struct Handlers {
        var counters: [Series: any FloatingPointCounterHandler] = [:]
        var recorders: [Series: any RecorderHandler] = [:]
        var meters: [Series: any MeterHandler] = [:]
    }

    let factory: any MetricsFactory
    private let handlers = Mutex(Handlers())

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Series made so far, all kinds together (tests check that repetition adds none).
    var seriesCount: Int { handlers.withLock { $0.counters.count + $0.recorders.count + $0.meters.count } }

    func counter(_ name: String, _ dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let series = Series(name: name, values: dimensions.map(\.1))
        return handlers.withLock { handlers in
            if let known = handlers.counters[series] { return known }
            let made = factory.makeFloatingPointCounter(label: name, dimensions: dimensions)
            handlers.counters[series] = made
            return made
        }
    }

    func recorder(_ name: String, _ dimensions: [(String, String)]) -> any RecorderHandler {
        let series = Series(name: name, values: dimensions.map(\.1))
        return handlers.withLock { handlers in
            if let known = handlers.recorders[series] { return known }
            let made = factory.makeRecorder(label: name, dimensions: dimensions, aggregate: true)
            handlers.recorders[series] = made
            return made
        }
    }

    func meter(_ name: String, _ dimensions: [(String, String)]) -> any MeterHandler {
        let series = Series(name: name, values: dimensions.map(\.1))
        return handlers.withLock { handlers in
            if let known = handlers.meters[series] { return known }
            let made = factory.makeMeter(label: name, dimensions: dimensions)
            handlers.meters[series] = made
            return made
        }
    }
}
