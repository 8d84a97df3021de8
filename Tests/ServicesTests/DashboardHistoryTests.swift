import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard's traffic history and charts")
struct DashboardHistoryTests {
    static let target = ScrapeTarget(name: "stt", baseURL: "http://stt.test")

    /// stt's /metrics after `api` requests taking `seconds` in all, `errors` of them failed, and
    /// `probes` probe requests taking a second each (which must count for nothing).
    static func scrape(api: Int, seconds: Double, errors: Int, probes: Int = 0) -> TargetScrape {
        let text = """
        http_server_request_duration_seconds_count{http_route="/asr"} \(api)
        http_server_request_duration_seconds_sum{http_route="/asr"} \(seconds)
        http_server_request_duration_seconds_count{http_route="/health/ready"} \(probes)
        http_server_request_duration_seconds_sum{http_route="/health/ready"} \(probes)
        http_server_errors_total{http_route="/asr",error_type="timeout"} \(errors)
        http_server_errors_total{http_route="/health/ready",error_type="not_ready"} \(probes)

        """
        return TargetScrape(target: target,
                            readiness: ServiceStatus(name: "stt", url: target.baseURL, ready: true, status: "ready",
                                                     latencyMs: 1, dependencies: [:], error: nil),
                            metrics: PrometheusText.parse(text))
    }

    @Test("requests/s, errors/s and mean duration come from counter deltas between polls, probes left out")
    func rates() {
        var aggregator = StatusAggregator()
        let start = ContinuousClock.now
        let first = aggregator.aggregate([Self.scrape(api: 10, seconds: 2, errors: 1, probes: 100)], at: start)
        #expect(first.requestsPerSecond["stt"] == nil && first.errorsPerSecond["stt"] == nil)
        // 20 requests in 5 s taking 4 s in all (0.2 s each); 5 errors; the 50 probes count for nothing.
        let second = aggregator.aggregate([Self.scrape(api: 30, seconds: 6, errors: 6, probes: 150)], at: start + .seconds(5))
        #expect(second.requestsPerSecond["stt"] == 4)
        #expect(second.errorsPerSecond["stt"] == 1)
        #expect(abs((second.meanDurationSeconds["stt"] ?? 0) - 0.2) < 1e-9)
        // No request in between: no mean duration, rates of zero.
        let idle = aggregator.aggregate([Self.scrape(api: 30, seconds: 6, errors: 6, probes: 200)], at: start + .seconds(10))
        #expect(idle.requestsPerSecond["stt"] == 0 && idle.errorsPerSecond["stt"] == 0)
        #expect(idle.meanDurationSeconds["stt"] == nil)
        // A restart (counters went back): counted from zero.
        let restarted = aggregator.aggregate([Self.scrape(api: 4, seconds: 2, errors: 0)], at: start + .seconds(12))
        #expect(restarted.requestsPerSecond["stt"] == 2)
        #expect(restarted.meanDurationSeconds["stt"] == 0.5)
    }

    @Test("each poll adds a point per service; a service not read adds a gap")
    func points() async {
        let store = StatusStore(targets: [Self.target], prometheusURL: nil, pollInterval: .seconds(5))
        let start = ContinuousClock.now
        let now = Date()
        await store.record([Self.scrape(api: 10, seconds: 1, errors: 0)], prometheus: nil, at: start, date: now)
        await store.record([Self.scrape(api: 20, seconds: 3, errors: 1)], prometheus: nil, at: start + .seconds(5),
                           date: now + 5)
        let down = TargetScrape(target: Self.target, readiness: Self.scrape(api: 0, seconds: 0, errors: 0).readiness, metrics: nil)
        await store.record([down], prometheus: nil, at: start + .seconds(10), date: now + 10)
        let points = await store.history(at: now + 10).points(of: "stt")
        #expect(points.count == 3)
        #expect(points[0].requestsPerSecond == nil, "the first poll has no rate yet")
        #expect(points[1] == TrafficPoint(at: (now + 5).timeIntervalSince1970, requestsPerSecond: 2, errorsPerSecond: 0.2,
                                          meanDurationSeconds: 0.2))
        #expect(points[2].requestsPerSecond == nil && points[2].meanDurationSeconds == nil, "a failed read is a gap")
    }

    @Test("the history keeps only the last 15 minutes")
    func window() async {
        let store = StatusStore(targets: [Self.target], prometheusURL: nil, pollInterval: .seconds(5))
        let start = ContinuousClock.now
        let now = Date()
        // 20 minutes of polls every 5 s.
        for poll in 0...240 {
            await store.record([Self.scrape(api: poll * 10, seconds: Double(poll), errors: 0)], prometheus: nil,
                               at: start + .seconds(poll * 5), date: now + Double(poll * 5))
        }
        let end = now + 1200
        let points = await store.history(at: end).points(of: "stt")
        #expect(points.count == 181, "15 minutes at one point per 5 s, both ends included")
        #expect(points.allSatisfy { $0.at >= end.timeIntervalSince1970 - 900 })
        #expect(points.last?.at == end.timeIntervalSince1970)
        // Read later, what has fallen out of the window is not answered either.
        #expect(await store.history(at: end + 600).points(of: "stt").count == 61)
    }

    @Test("the history is bounded in count too, however short the poll interval")
    func bounded() async {
        let store = StatusStore(targets: [Self.target], prometheusURL: nil, pollInterval: .milliseconds(100))
        let start = ContinuousClock.now
        let now = Date()
        for poll in 0..<3000 {
            await store.record([Self.scrape(api: poll, seconds: 0, errors: 0)], prometheus: nil,
                               at: start + .milliseconds(poll * 100), date: now + Double(poll) / 10)
        }
        let points = await store.history(at: now + 300).points(of: "stt")
        #expect(points.count == TrafficRecorder.maxPoints)
        #expect(points.last?.requestsPerSecond == 10)
    }

    @Test("GET /api/history answers every service's points in snake_case")
    func historyJSON() async throws {
        let built = try await DashboardFixture.app(["MONITOR_POLL_INTERVAL": "60"])
        let poller = try #require(built.background.first as? FleetPoller)
        await poller.pollOnce()
        await poller.pollOnce()
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/api/history", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(json["window_seconds"] as? Double == 900)
                #expect(json["poll_interval_seconds"] as? Double == 60)
                let services = try #require(json["services"] as? [[String: Any]])
                #expect(services.count == 9)
                let points = try #require(services.first?["points"] as? [[String: Any]])
                #expect(points.count == 2)
                #expect(Set(points[0].keys) == ["at", "requests_per_second", "errors_per_second", "mean_duration_seconds"])
            }
        }
    }

    @Test("a sparkline spans the window, breaks at a gap and bridges slots without points")
    func sparkline() {
        let empty = Sparkline.draw([], from: 0, to: 900)
        #expect(empty.isEmpty && empty.area.isEmpty)
        // Two runs of points split by a null: two segments, the higher value at the top.
        let points: [(at: Double, value: Double?)] = [(15, 1), (30, 2), (45, nil), (600, 4), (885, 2)]
        let spark = Sparkline.draw(points, from: 0, to: 900)
        #expect(spark.peak == 4)
        #expect(spark.line.components(separatedBy: "M").count - 1 == 2)
        #expect(spark.area.hasSuffix("Z"))
        #expect(spark.line.contains("2.0"), "the peak is drawn 2 px from the top: \(spark.line)")
        // Points outside the window are not drawn; all zero is a flat line at the bottom.
        let flat = Sparkline.draw([(-10, 9), (100, 0), (200, 0)], from: 0, to: 900)
        #expect(flat.peak == 0 && flat.line.contains(" 34.0"))
        // Beside the chart: the mean of the last minute's values, nulls left out.
        let chart = DashboardPage.Chart([(800, 9), (850, 1), (880, 3), (890, nil)], from: 0, to: 900, kind: "requests",
                                        format: DashboardFormat.rate)
        #expect(chart.chartLatest == "2.0/s")
        #expect(DashboardPage.Chart([(10, 9)], from: 0, to: 900, kind: "errors", format: DashboardFormat.rate).chartLatest == "–")
        // However many points, the path has at most one per slot.
        let dense = Sparkline.draw((0..<9000).map { (Double($0) / 10, Double($0 % 7)) }, from: 0, to: 900)
        #expect(dense.line.components(separatedBy: "L").count <= Sparkline.buckets)
    }
}
