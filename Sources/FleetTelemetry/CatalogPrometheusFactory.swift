public import CoreMetrics
public import Prometheus

/// A swift-metrics backend that writes catalogued metrics to a Prometheus registry with their help
/// text and buckets, and drops everything else.
///
/// swift-prometheus' own factory registers every metric with empty help, which `promtool check
/// metrics` flags, and the registry refuses to mix help texts for one name. Looking each name up
/// in `MetricCatalog` gives `/metrics` exactly the catalog, documented, and nothing a library emits
/// on its own.
public struct CatalogPrometheusFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private func descriptor(_ definition: MetricDefinition) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: definition.name, unitName: "", helpText: definition.help)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let definition = MetricCatalog.definition(named: label), definition.kind == .counter else {
            return NOOPMetricsHandler.instance
        }
        return registry.makeCounter(descriptor: descriptor(definition), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let definition = MetricCatalog.definition(named: label), definition.kind == .counter else {
            return NOOPMetricsHandler.instance
        }
        return registry.makeCounter(descriptor: descriptor(definition), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let definition = MetricCatalog.definition(named: label) else { return NOOPMetricsHandler.instance }
        switch (definition.kind, aggregate) {
        case (.histogram, true):
            return registry.makeValueHistogram(descriptor: descriptor(definition), labels: dimensions,
                                               buckets: definition.buckets)
        case (.gauge, false):
            return registry.makeGauge(descriptor: descriptor(definition), labels: dimensions)
        default:
            return NOOPMetricsHandler.instance
        }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let definition = MetricCatalog.definition(named: label), definition.kind == .gauge else {
            return NOOPMetricsHandler.instance
        }
        return registry.makeGauge(descriptor: descriptor(definition), labels: dimensions)
    }

    /// The catalog records durations as seconds through histograms, never through `Timer`.
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance
    }

    // Catalogued series live as long as the process: a scrape must never lose one.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
