import CoreMetrics
import FleetTelemetry
import Prometheus
import Testing

@Suite("Prometheus output of the catalog")
struct CatalogPrometheusFactoryTests {
    @Test("catalogued metrics get help text and buckets; others are dropped")
    func exposition() {
        let registry = PrometheusCollectorRegistry()
        let factory = CatalogPrometheusFactory(registry: registry)
        factory.makeFloatingPointCounter(label: "stt_requests_total", dimensions: [("status", "success")]).increment(by: 2)
        factory.makeRecorder(label: "stt_latency_seconds", dimensions: [], aggregate: true).record(0.3)
        factory.makeCounter(label: "some_library_metric", dimensions: []).increment(by: 1)
        let text = registry.emitToString()
        #expect(text.contains("# HELP stt_requests_total "))
        #expect(text.contains("# TYPE stt_requests_total counter"))
        #expect(text.contains(#"stt_requests_total{status="success"} 2"#))
        #expect(text.contains(#"stt_latency_seconds_bucket{le="0.25"} 0"#))
        #expect(text.contains(#"stt_latency_seconds_bucket{le="0.5"} 1"#))
        #expect(!text.contains("some_library_metric"))
    }
}
