import CoreMetrics
@testable import FleetTelemetry
import Prometheus
import Synchronization
import Testing

/// The catalog's handle cache: repeated records reach one series, made once, with the label
/// bounding and the exposition exactly as without the cache.
@Suite("Metric handle cache")
struct MetricHandleCacheTests {
    /// A factory that counts what it is asked to make, over a real catalog registry.
    final class CountingFactory: MetricsFactory {
        let inner: CatalogPrometheusFactory
        let made = Mutex(0)

        init(registry: PrometheusCollectorRegistry) { inner = CatalogPrometheusFactory(registry: registry) }

        func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
            made.withLock { $0 += 1 }
            return inner.makeCounter(label: label, dimensions: dimensions)
        }
        func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
            made.withLock { $0 += 1 }
            return inner.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
            made.withLock { $0 += 1 }
            return inner.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
            made.withLock { $0 += 1 }
            return inner.makeMeter(label: label, dimensions: dimensions)
        }
        func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
            inner.makeTimer(label: label, dimensions: dimensions)
        }
        func destroyCounter(_ handler: any CounterHandler) {}
        func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
        func destroyRecorder(_ handler: any RecorderHandler) {}
        func destroyMeter(_ handler: any MeterHandler) {}
        func destroyTimer(_ handler: any TimerHandler) {}
    }

    @Test("repeated observations reach the same series, made once")
    func repeatedObservations() {
        let registry = PrometheusCollectorRegistry()
        let factory = CountingFactory(registry: registry)
        let cache = MetricHandleCache(factory: factory)
        for value in [0.1, 0.2, 0.3] {
            MetricCatalog.sttLatency.observe(value, [:], through: cache)
            MetricCatalog.audioProcessingDuration.observe(value, ["operation": "segment"], through: cache)
        }
        #expect(factory.made.withLock { $0 } == 2)
        #expect(cache.seriesCount == 2)
        let text = registry.emitToString()
        #expect(text.contains("stt_latency_seconds_count 3"))
        #expect(text.contains(#"audio_processing_duration_seconds_count{operation="segment"} 3"#))
    }

    @Test("values outside a label's allowed set share the `other` series, as without the cache")
    func boundedLabels() {
        let registry = PrometheusCollectorRegistry()
        let factory = CountingFactory(registry: registry)
        let cache = MetricHandleCache(factory: factory)
        MetricCatalog.sttRequests.record(["status": "success"], through: cache)
        MetricCatalog.sttRequests.record(["status": "made-up"], by: 2, through: cache)
        MetricCatalog.sttRequests.record(["status": "another-one"], through: cache)
        MetricCatalog.sttRequests.record(["status": "success"], through: cache)
        #expect(cache.seriesCount == 2)
        let text = registry.emitToString()
        #expect(text.contains(#"stt_requests_total{status="success"} 2"#))
        #expect(text.contains(#"stt_requests_total{status="other"} 3"#))

        // The same records without a cache give the same exposition.
        let plain = PrometheusCollectorRegistry()
        withMetricsFactory(CatalogPrometheusFactory(registry: plain)) {
            MetricCatalog.sttRequests.record(["status": "success"], through: nil)
            MetricCatalog.sttRequests.record(["status": "made-up"], by: 2, through: nil)
            MetricCatalog.sttRequests.record(["status": "another-one"], through: nil)
            MetricCatalog.sttRequests.record(["status": "success"], through: nil)
        }
        // (The registry's series order is a hash order: compare the lines as a set.)
        #expect(Set(plain.emitToString().split(separator: "\n")) == Set(text.split(separator: "\n")))
    }

    @Test("distinct label values are distinct series")
    func distinctSeries() {
        let registry = PrometheusCollectorRegistry()
        let cache = MetricHandleCache(factory: CatalogPrometheusFactory(registry: registry))
        for operation in ["segment", "enhance", "segment", "denoise", "enhance"] {
            MetricCatalog.audioProcessingDuration.observe(0.01, ["operation": operation], through: cache)
        }
        #expect(cache.seriesCount == 3)
        let text = registry.emitToString()
        #expect(text.contains(#"audio_processing_duration_seconds_count{operation="segment"} 2"#))
        #expect(text.contains(#"audio_processing_duration_seconds_count{operation="enhance"} 2"#))
        #expect(text.contains(#"audio_processing_duration_seconds_count{operation="denoise"} 1"#))
    }
}
