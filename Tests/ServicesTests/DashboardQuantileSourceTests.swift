import FleetTelemetry
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("Dashboard quantiles from Prometheus")
struct DashboardQuantileSourceTests {
    /// The queries the dashboard must send, as Grafana's panels write them.
    static let endToEndMedian =
        "histogram_quantile(0.5, sum by (le) (rate(audio_orchestrator_end_to_end_response_duration_seconds_bucket[5m])))"
    static let endToEndP95 =
        "histogram_quantile(0.95, sum by (le) (rate(audio_orchestrator_end_to_end_response_duration_seconds_bucket[5m])))"
    static func stageTtfb(_ stage: String) -> String {
        "histogram_quantile(0.5, sum by (le) (rate(audio_orchestrator_voice_stage_ttfb_seconds_bucket{stage=\"\(stage)\"}[5m])))"
    }
    static let audioQuality =
        "histogram_quantile(0.5, sum by (le) (rate(audio_orchestrator_audio_quality_score_bucket{stage=\"processed\"}[5m])))"

    static let answering = FakePrometheus(values: [
        endToEndMedian: "0.42", endToEndP95: "1.9", stageTtfb("stt"): "0.31", stageTtfb("llm"): "0.2",
        stageTtfb("tts"): "0.55", audioQuality: "0.81",
    ])

    @Test("with Prometheus answering, every quantile is its histogram_quantile; the rest still comes from the scrapes")
    func fromPrometheus() async {
        let (poller, store) = DashboardFixture.poller(prometheus: Self.answering)
        await poller.pollOnce()
        let status = await store.latest()
        #expect(status.prometheus == PrometheusStatus(url: "http://prom.test", reachable: true))
        let metrics = status.metrics
        #expect(metrics.quantileSource == .prometheus)
        // The turn count is discord's counter since it started, whichever source the quantiles had.
        #expect(metrics.endToEndSeconds == LatencySummary(p50: 0.42, p95: 1.9, count: 8))
        #expect(metrics.stageTtfbMedianSeconds == ["stt": 0.31, "llm": 0.2, "tts": 0.55])
        #expect(metrics.audioQualityMedian == 0.81)
        #expect(metrics.turnsByOutcome == ["replied": 8, "no_wake_phrase": 3])
        #expect(metrics.errorsTotal["discord"] == 2)
    }

    @Test("a quantile with no series or NaN in the window is null, and still Prometheus's answer")
    func emptyWindow() async {
        var prometheus = Self.answering
        prometheus.values[Self.endToEndP95] = "NaN"
        prometheus.values[Self.stageTtfb("tts")] = nil
        prometheus.values[Self.audioQuality] = "+Inf"
        let (poller, store) = DashboardFixture.poller(prometheus: prometheus)
        await poller.pollOnce()
        let metrics = await store.latest().metrics
        #expect(metrics.quantileSource == .prometheus)
        #expect(metrics.endToEndSeconds == LatencySummary(p50: 0.42, p95: nil, count: 8))
        #expect(metrics.stageTtfbMedianSeconds == ["stt": 0.31, "llm": 0.2])
        #expect(metrics.audioQualityMedian == nil)
    }

    @Test("a Prometheus that answers 500, or not at all, leaves the quantiles estimated from the scrapes")
    func fallback() async throws {
        let failing: [any ScrapeTransport] = [FakePrometheus(queryStatus: 500), CannedTransport()]
        for prometheus in failing {
            let (poller, store) = DashboardFixture.poller(prometheus: prometheus)
            await poller.pollOnce()
            let metrics = await store.latest().metrics
            #expect(metrics.quantileSource == .scraped)
            // The same numbers as with no Prometheus at all (DashboardAggregationTests.headlineNumbers).
            #expect(metrics.endToEndSeconds.p50 == 1.5)
            let p95 = try #require(metrics.endToEndSeconds.p95)
            #expect(abs(p95 - 2.8) < 1e-9)
            #expect(metrics.stageTtfbMedianSeconds == ["stt": 0.75, "llm": 0.25, "tts": 0.75])
            #expect(metrics.audioQualityMedian == 0.75)
        }
    }

    @Test("a failed query is the fleet's downstream error naming Prometheus")
    func queryErrors() async {
        let broken = PrometheusAPI(url: "http://prom.test", transport: FakePrometheus(queryStatus: 500))
        let error = await #expect(throws: FleetError.self) { try await broken.query(Self.endToEndMedian) }
        #expect(error?.code == .badResponse)
        #expect(error?.message.hasPrefix("prometheus:") == true)

        let notJSON = PrometheusAPI(url: "http://prom.test",
                                    transport: CannedTransport(replies: ["http://prom.test/api/v1/query?query=up": (200, "<html>")]))
        let unreadable = await #expect(throws: FleetError.self) { try await notJSON.query("up") }
        #expect(unreadable?.code == .badResponse)

        let down = PrometheusAPI(url: "http://prom.test", transport: CannedTransport())
        let refused = await #expect(throws: FleetError.self) { try await down.query("up") }
        #expect(refused?.code == .unavailable)
    }

    @Test("over HTTP: /api/status says where the quantiles came from, under the same keys")
    func statusJSON() async throws {
        let built = try await DashboardFixture.app(["PROMETHEUS_URL": "http://prom.test"], prometheus: Self.answering)
        let poller = try #require(built.background.first as? FleetPoller)
        try await built.application.test(.router) { client in
            let before = try await Self.metrics(client)
            #expect(before["quantile_source"] as? String == "scraped")

            await poller.pollOnce()
            let metrics = try await Self.metrics(client)
            #expect(metrics["quantile_source"] as? String == "prometheus")
            let endToEnd = try #require(metrics["end_to_end_seconds"] as? [String: Any])
            #expect(endToEnd["p50"] as? Double == 0.42)
            #expect(endToEnd["p95"] as? Double == 1.9)
            #expect(metrics["stage_ttfb_median_seconds"] as? [String: Double] == ["stt": 0.31, "llm": 0.2, "tts": 0.55])
            #expect(metrics["audio_quality_median"] as? Double == 0.81)
        }
    }

    static func metrics(_ client: some TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/api/status", method: .get) { response in
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            return try #require(json?["metrics"] as? [String: Any])
        }
    }
}
