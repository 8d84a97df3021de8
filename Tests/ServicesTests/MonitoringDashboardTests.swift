import FleetContracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ServiceKit
import Testing
@testable import MonitoringDashboardService

// MARK: Prometheus text format

@Suite("Prometheus text parser")
struct PrometheusTextTests {
    @Test("counters, gauges, HELP/TYPE lines, timestamps and special values")
    func samplesAndComments() {
        let text = """
        # HELP http_server_errors_total HTTP requests answered with an error.
        # TYPE http_server_errors_total counter
        http_server_errors_total{http_route="/asr",error_type="bad_request"} 3
        http_server_errors_total{http_route="/transcribe",error_type="timeout"} 2.5 1700000000000
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes 3.5e+07
        up_down{v="x"} -Inf
        not_a_number NaN

        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.types["http_server_errors_total"] == "counter")
        #expect(exposition.types["process_resident_memory_bytes"] == "gauge")
        #expect(exposition.samples.count == 5)
        #expect(exposition.samples[0] == MetricSample(name: "http_server_errors_total",
                                                      labels: ["http_route": "/asr", "error_type": "bad_request"], value: 3))
        #expect(exposition.sum("http_server_errors_total") == 5.5)
        #expect(exposition.sum("http_server_errors_total", matching: ["error_type": "timeout"]) == 2.5)
        #expect(exposition.sum("http_server_errors_total", by: "http_route") == ["/asr": 3, "/transcribe": 2.5])
        #expect(exposition.sum("process_resident_memory_bytes") == 35_000_000)
        #expect(exposition.sum("up_down") == -.infinity)
        #expect(exposition.samples(named: "not_a_number").first?.value.isNaN == true)
        #expect(exposition.sum("missing_metric") == nil)
        #expect(exposition.skippedLines.isEmpty)
    }

    @Test("label values with escaped quotes, backslashes, newlines, commas and braces")
    func escapedLabels() throws {
        let text = #"""
        voice_turns_total{outcome="replied",transcript="she said \"hi\", then {left}",path="C:\\temp",note="two\nlines"} 7
        """#
        let sample = try #require(PrometheusText.parse(text).samples.first)
        #expect(sample.value == 7)
        #expect(sample.labels["outcome"] == "replied")
        #expect(sample.labels["transcript"] == #"she said "hi", then {left}"#)
        #expect(sample.labels["path"] == #"C:\temp"#)
        #expect(sample.labels["note"] == "two\nlines")
    }

    @Test("malformed lines are skipped and reported by line number, the rest still read")
    func malformedLines() {
        let text = """
        good_total 1
        bad name 2
        unterminated{a="x} 3
        no_value{a="x"}
        1starts_with_digit 4
        trailing_garbage 5 6 7
        also_good{a="y",} 8
        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.samples.map(\.name) == ["good_total", "also_good"])
        #expect(exposition.samples.last?.labels == ["a": "y"])
        #expect(exposition.skippedLines == [2, 3, 4, 5, 6])
    }

    @Test("histogram buckets are read, summed across series and sorted with +Inf last")
    func histogramBuckets() {
        let text = """
        voice_stage_ttfb_seconds_bucket{stage="llm",le="0.5"} 1
        voice_stage_ttfb_seconds_bucket{stage="llm",le="1.0"} 3
        voice_stage_ttfb_seconds_bucket{stage="llm",le="+Inf"} 4
        voice_stage_ttfb_seconds_sum{stage="llm"} 3.2
        voice_stage_ttfb_seconds_count{stage="llm"} 4
        voice_stage_ttfb_seconds_bucket{stage="tts",le="0.5"} 2
        voice_stage_ttfb_seconds_bucket{stage="tts",le="1.0"} 2
        voice_stage_ttfb_seconds_bucket{stage="tts",le="+Inf"} 5
        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.histogramBuckets("voice_stage_ttfb_seconds", matching: ["stage": "llm"]) == [
            HistogramBucket(upperBound: 0.5, cumulativeCount: 1),
            HistogramBucket(upperBound: 1, cumulativeCount: 3),
            HistogramBucket(upperBound: .infinity, cumulativeCount: 4),
        ])
        #expect(exposition.histogramBuckets("voice_stage_ttfb_seconds").map(\.cumulativeCount) == [3, 5, 9])
        #expect(exposition.sum("voice_stage_ttfb_seconds_count") == 4)
    }
}

// MARK: histogram_quantile

@Suite("Histogram quantile estimation")
struct HistogramQuantileTests {
    /// 10 observations: 2 in (0, 0.1], 4 in (0.1, 0.5], 2 in (0.5, 1], 2 above 1.
    static let buckets = [
        HistogramBucket(upperBound: 0.1, cumulativeCount: 2),
        HistogramBucket(upperBound: 0.5, cumulativeCount: 6),
        HistogramBucket(upperBound: 1, cumulativeCount: 8),
        HistogramBucket(upperBound: .infinity, cumulativeCount: 10),
    ]

    @Test("interpolates inside the bucket holding the rank, as PromQL does", arguments: [
        // q, expected: rank = q * 10, then linear inside the bucket.
        (0.1, 0.05),   // rank 1 of 2 in (0, 0.1]
        (0.2, 0.1),    // rank 2: the top of the first bucket
        (0.5, 0.4),    // rank 5: 0.1 + 0.4 * (3 / 4)
        (0.7, 0.75),   // rank 7: 0.5 + 0.5 * (1 / 2)
        (0.8, 1.0),    // rank 8: the top of (0.5, 1]
    ])
    func interpolation(q: Double, expected: Double) throws {
        let estimate = try #require(HistogramQuantile.estimate(q, buckets: Self.buckets))
        #expect(abs(estimate - expected) < 1e-12, "q=\(q) gave \(estimate)")
    }

    @Test("a rank in the +Inf bucket answers the highest finite bound")
    func infiniteBucket() {
        #expect(HistogramQuantile.estimate(0.95, buckets: Self.buckets) == 1)
        #expect(HistogramQuantile.estimate(1, buckets: Self.buckets) == 1)
    }

    @Test("bucket order does not matter and decreasing counts are made monotonic")
    func orderAndMonotonicity() {
        #expect(HistogramQuantile.estimate(0.5, buckets: Self.buckets.reversed()) == HistogramQuantile.estimate(0.5, buckets: Self.buckets))
        let racing = [
            HistogramBucket(upperBound: 1, cumulativeCount: 4),
            HistogramBucket(upperBound: 2, cumulativeCount: 3),  // scraped mid-update
            HistogramBucket(upperBound: 4, cumulativeCount: 8),
            HistogramBucket(upperBound: .infinity, cumulativeCount: 8),
        ]
        // Counts become 4, 4, 8, 8: rank 6 lies in (2, 4] -> 2 + 2 * (2 / 4) = 3.
        #expect(HistogramQuantile.estimate(0.75, buckets: racing) == 3)
    }

    @Test("nothing to estimate: no observations, no +Inf bucket, q outside 0...1")
    func undefined() {
        let empty = Self.buckets.map { HistogramBucket(upperBound: $0.upperBound, cumulativeCount: 0) }
        #expect(HistogramQuantile.estimate(0.5, buckets: empty) == nil)
        #expect(HistogramQuantile.estimate(0.5, buckets: Array(Self.buckets.dropLast())) == nil)
        #expect(HistogramQuantile.estimate(0.5, buckets: []) == nil)
        #expect(HistogramQuantile.estimate(1.5, buckets: Self.buckets) == nil)
        #expect(HistogramQuantile.estimate(-0.1, buckets: Self.buckets) == nil)
    }
}

// MARK: Polling and aggregation

/// Answers GETs from a table of canned replies; URLs not in it fail as if nothing listened.
private struct FakeTransport: ScrapeTransport {
    struct Refused: Error, CustomStringConvertible {
        let url: String
        var description: String { "connection refused: \(url)" }
    }

    var replies: [String: (Int, String)]

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        guard let (status, body) = replies[url] else { throw Refused(url: url) }
        return (status, Array(body.utf8))
    }
}

private func readinessReport(_ service: String, status: String, dependencies: [String: String] = [:]) -> String {
    let deps = dependencies.map { #""\#($0.key)":{"status":"\#($0.value)","required":true,"url":"http://x"}"# }
    return #"{"status":"\#(status)","service":"\#(service)","components":{},"dependencies":{\#(deps.joined(separator: ","))},"health_details":{"uptime_seconds":1,"version":"1.0.0","check_duration_ms":0.5}}"#
}

/// /metrics of a service that answered `api` requests on /asr and `probes` probe requests.
private func requestCounts(api: Int, probes: Int, errors: Int = 0) -> String {
    """
    http_server_request_duration_seconds_count{http_request_method="POST",http_route="/asr",http_response_status_code="200"} \(api)
    http_server_request_duration_seconds_count{http_request_method="GET",http_route="/health/ready",http_response_status_code="200"} \(probes)
    http_server_request_duration_seconds_count{http_request_method="GET",http_route="/metrics",http_response_status_code="200"} \(probes)
    http_server_errors_total{http_route="/asr",error_type="bad_request"} \(errors)

    """
}

private let discordMetrics = """
voice_turns_total{outcome="replied"} 8
voice_turns_total{outcome="no_wake_phrase"} 3
end_to_end_response_duration_seconds_bucket{le="1.0"} 2
end_to_end_response_duration_seconds_bucket{le="2.0"} 6
end_to_end_response_duration_seconds_bucket{le="3.0"} 8
end_to_end_response_duration_seconds_bucket{le="+Inf"} 8
voice_stage_ttfb_seconds_bucket{stage="stt",le="0.5"} 0
voice_stage_ttfb_seconds_bucket{stage="stt",le="1.0"} 4
voice_stage_ttfb_seconds_bucket{stage="stt",le="+Inf"} 4

"""

private let orchestratorMetrics = """
voice_stage_ttfb_seconds_bucket{stage="llm",le="0.5"} 4
voice_stage_ttfb_seconds_bucket{stage="llm",le="1.0"} 4
voice_stage_ttfb_seconds_bucket{stage="llm",le="+Inf"} 4
voice_stage_ttfb_seconds_bucket{stage="tts",le="0.5"} 1
voice_stage_ttfb_seconds_bucket{stage="tts",le="1.0"} 3
voice_stage_ttfb_seconds_bucket{stage="tts",le="+Inf"} 4

"""

private let audioMetrics = """
audio_quality_score_bucket{stage="input",le="0.5"} 9
audio_quality_score_bucket{stage="input",le="1.0"} 10
audio_quality_score_bucket{stage="input",le="+Inf"} 10
audio_quality_score_bucket{stage="processed",le="0.5"} 0
audio_quality_score_bucket{stage="processed",le="1.0"} 10
audio_quality_score_bucket{stage="processed",le="+Inf"} 10

"""

@Suite("Dashboard status aggregation")
struct DashboardAggregationTests {
    static let targets = ["discord", "orchestrator", "audio-processor", "stt", "guardrails"].map {
        ScrapeTarget(name: $0, baseURL: "http://\($0).test")
    }

    /// discord, orchestrator and audio-processor up; guardrails up but not ready; stt not listening.
    fileprivate static func fleet(api: Int, probes: Int) -> FakeTransport {
        FakeTransport(replies: [
            "http://discord.test/health/ready": (200, readinessReport("discord", status: "ready",
                                                                dependencies: ["stt": "healthy", "orchestrator": "healthy"])),
            "http://discord.test/metrics": (200, requestCounts(api: api, probes: probes, errors: 2) + discordMetrics),
            "http://orchestrator.test/health/ready": (200, readinessReport("orchestrator", status: "degraded",
                                                                     dependencies: ["tts-bark": "unreachable"])),
            "http://orchestrator.test/metrics": (200, requestCounts(api: 1, probes: probes) + orchestratorMetrics),
            "http://audio-processor.test/health/ready": (200, readinessReport("audio-processor", status: "ready")),
            "http://audio-processor.test/metrics": (200, requestCounts(api: 1, probes: probes) + audioMetrics),
            "http://guardrails.test/health/ready": (503, readinessReport("guardrails", status: "not_ready",
                                                                   dependencies: ["llm-flan": "unreachable"])),
            "http://guardrails.test/metrics": (200, requestCounts(api: 0, probes: probes)),
            "http://prom.test/-/ready": (200, "Prometheus Server is Ready."),
        ])
    }

    @Test("readiness of each service, read even from a 503, and unreachable services shown as such")
    func readinessOfEachService() async throws {
        let scraper = FleetScraper(targets: Self.targets, prometheusURL: nil)
        let (scrapes, prometheus) = await scraper.scrape(using: Self.fleet(api: 10, probes: 5))
        #expect(prometheus == nil)
        #expect(scrapes.map(\.target.name) == Self.targets.map(\.name))
        let byName = Dictionary(uniqueKeysWithValues: scrapes.map { ($0.target.name, $0.readiness) })

        let discord = try #require(byName["discord"])
        #expect(discord.ready && discord.status == "ready")
        #expect(discord.dependencies == ["stt": "healthy", "orchestrator": "healthy"])
        #expect(discord.latencyMs != nil && discord.error == nil)
        #expect(byName["orchestrator"]?.ready == true)
        #expect(byName["orchestrator"]?.status == "degraded")

        let guardrails = try #require(byName["guardrails"])
        #expect(!guardrails.ready && guardrails.status == "not_ready")
        #expect(guardrails.dependencies == ["llm-flan": "unreachable"])

        let stt = try #require(byName["stt"])
        #expect(!stt.ready && stt.status == "unreachable" && stt.latencyMs == nil)
        #expect(stt.error?.contains("connection refused") == true)
        #expect(scrapes.first { $0.target.name == "stt" }?.metrics == nil)
    }

    @Test("a readiness answer that is not a report is an error, not a ready service")
    func unreadableReadiness() async {
        let transport = FakeTransport(replies: ["http://x.test/health/ready": (404, "not found"),
                                                "http://x.test/metrics": (200, "")])
        let scrapes = await FleetScraper(targets: [ScrapeTarget(name: "x", baseURL: "http://x.test/")], prometheusURL: nil)
            .scrape(using: transport).targets
        #expect(scrapes.first?.readiness.status == "error")
        #expect(scrapes.first?.readiness.ready == false)
        #expect(scrapes.first?.readiness.error?.contains("404") == true)
    }

    @Test("headline numbers: turns, end-to-end quantiles, stage TTFB across services, audio quality, errors")
    func headlineNumbers() async throws {
        let store = StatusStore(targets: Self.targets, prometheusURL: nil, pollInterval: .seconds(5))
        let poller = FleetPoller(scraper: FleetScraper(targets: Self.targets, prometheusURL: nil), store: store,
                                 timeout: .seconds(1), logger: .init(label: "test"))
        await poller.pollOnce(using: Self.fleet(api: 10, probes: 5))
        let metrics = await store.latest().metrics

        #expect(metrics.turnsByOutcome == ["replied": 8, "no_wake_phrase": 3])
        // 8 turns: rank 4 in (1, 2] holding 4 -> 1 + 1 * (2 / 4); rank 7.6 in (2, 3] holding 2 -> 2 + 1 * (1.6 / 2).
        #expect(metrics.endToEnd.count == 8)
        #expect(metrics.endToEnd.p50 == 1.5)
        let p95 = try #require(metrics.endToEnd.p95)
        #expect(abs(p95 - 2.8) < 1e-9)
        // stt from discord: rank 2 in (0.5, 1] holding 4 -> 0.75. llm: rank 2 in (0, 0.5] holding 4 -> 0.25.
        // tts: rank 2 in (0.5, 1] holding 2 -> 0.5 + 0.5 * (1 / 2) = 0.75.
        #expect(metrics.stageTTFBMedianSeconds == ["stt": 0.75, "llm": 0.25, "tts": 0.75])
        // Only processed audio counts: rank 5 of 10, all in (0.5, 1] -> 0.75 (the input stage would give 0.28).
        #expect(metrics.audioQualityMedian == 0.75)
        #expect(metrics.errorsTotal["discord"] == 2)
        #expect(metrics.errorsTotal["guardrails"] == 0)
        #expect(metrics.errorsTotal["stt"] == nil)
        // One poll gives no rate yet.
        #expect(metrics.requestsPerSecond.isEmpty)
    }

    @Test("requests per second come from counter deltas between polls, leaving out probes")
    func requestRate() {
        var aggregator = StatusAggregator()
        let start = ContinuousClock.now
        let target = ScrapeTarget(name: "stt", baseURL: "http://stt.test")
        func scrape(api: Int, probes: Int) -> TargetScrape {
            TargetScrape(target: target,
                         readiness: ServiceStatus(name: "stt", url: target.baseURL, ready: true, status: "ready",
                                                  latencyMs: 1, dependencies: [:], error: nil),
                         metrics: PrometheusText.parse(requestCounts(api: api, probes: probes)))
        }
        #expect(aggregator.aggregate([scrape(api: 10, probes: 100)], at: start).requestsPerSecond["stt"] == nil)
        // 20 API requests in 5 s; the 50 extra probe requests do not count.
        #expect(aggregator.aggregate([scrape(api: 30, probes: 150)], at: start + .seconds(5)).requestsPerSecond["stt"] == 4)
        // The service restarted: its counter starts again from zero, so 6 requests in 2 s.
        #expect(aggregator.aggregate([scrape(api: 6, probes: 1)], at: start + .seconds(7)).requestsPerSecond["stt"] == 3)
        // A failed scrape forgets the service, so the next one starts over instead of spanning the gap.
        let down = TargetScrape(target: target, readiness: scrape(api: 0, probes: 0).readiness, metrics: nil)
        #expect(aggregator.aggregate([down], at: start + .seconds(12)).requestsPerSecond.isEmpty)
        #expect(aggregator.aggregate([scrape(api: 50, probes: 1)], at: start + .seconds(17)).requestsPerSecond["stt"] == nil)
    }

    @Test("Prometheus is shown as reachable or not, when configured")
    func prometheus() async {
        let up = await FleetScraper(targets: [], prometheusURL: "http://prom.test/").scrape(using: Self.fleet(api: 0, probes: 0))
        #expect(up.prometheus == PrometheusStatus(url: "http://prom.test", reachable: true))
        let down = await FleetScraper(targets: [], prometheusURL: "http://elsewhere.test").scrape(using: Self.fleet(api: 0, probes: 0))
        #expect(down.prometheus == PrometheusStatus(url: "http://elsewhere.test", reachable: false))
    }

    @Test("the turn feed keeps the newest reports first and at most its length")
    func turnFeed() async {
        let store = StatusStore(targets: [], prometheusURL: nil, pollInterval: .seconds(5))
        for id in 1...(StatusStore.turnFeedLength + 5) {
            await store.add(TurnReport(turnId: id, speaker: "alice", sessionId: "s", outcome: "replied",
                                       transcript: "hey atlas", response: "hi", endToEndSeconds: 1.2,
                                       traceId: nil, finishedAt: Double(id)))
        }
        let turns = await store.latest().recentTurns
        #expect(turns.count == StatusStore.turnFeedLength)
        #expect(turns.first?.turnId == StatusStore.turnFeedLength + 5)
        #expect(turns.last?.turnId == 6)
    }
}

// MARK: HTTP surface

@Suite("monitoring-dashboard over HTTP")
struct MonitoringDashboardHTTPTests {
    static func build(_ environment: [String: String] = [:]) async throws -> FleetApplication.Built {
        let settings = try ServiceSettings.forTesting(member: .monitoringDashboard,
                                                      environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        let runtime = ServiceRuntime(member: .monitoringDashboard, settings: settings)
        return try await FleetApplication.build(MonitoringDashboardService.self, runtime: runtime,
                                                registry: PrometheusCollectorRegistry())
    }

    @Test("GET / is a self-contained page that refreshes from api/status")
    func page() async throws {
        try await Self.build().application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                for element in ["<table", "id=\"services\"", "id=\"e2e-p50\"", "id=\"ttfb-llm\"", "id=\"quality\"",
                                "id=\"turns-feed\"", "fetch(\"api/status\"", "setTimeout(refresh"] {
                    #expect(html.contains(element), "the page lacks \(element)")
                }
                for external in ["src=\"http", "href=\"http", "<link", "@import"] {
                    #expect(!html.contains(external), "the page loads something external: \(external)")
                }
            }
        }
    }

    @Test("GET /api/status lists every other service before the first poll, with nulls for what is unknown")
    func statusBeforePolling() async throws {
        try await Self.build(["PROMETHEUS_URL": "http://127.0.0.1:9090"]).application.test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(json["updated_at"] is NSNull)
                let services = try #require(json["services"] as? [[String: Any]])
                #expect(services.compactMap { $0["name"] as? String }.sorted()
                    == FleetMember.allCases.filter { $0 != .monitoringDashboard }.map(\.name).sorted())
                #expect(services.allSatisfy { $0["ready"] as? Bool == false && $0["latency_ms"] is NSNull })
                let metrics = try #require(json["metrics"] as? [String: Any])
                for key in ["requests_per_second", "errors_total", "turns_by_outcome", "end_to_end_seconds",
                            "stage_ttfb_median_seconds", "audio_quality_median"] {
                    #expect(metrics[key] != nil, "metrics lacks \(key)")
                }
                let prometheus = try #require(json["prometheus"] as? [String: Any])
                #expect(prometheus["url"] as? String == "http://127.0.0.1:9090")
            }
        }
    }

    @Test("POST /api/turns adds to the feed; a report without speaker or outcome is a 400")
    func turnReports() async throws {
        try await Self.build().application.test(.router) { client in
            let report = #"{"turn_id":7,"speaker":"alice","session_id":"s1","outcome":"replied","transcript":"hey atlas","response":"Hello!","end_to_end_seconds":1.4,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","finished_at":1700000000}"#
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: report)) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"turn_id":8,"speaker":"","session_id":"s1","outcome":"replied","finished_at":1}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("bad_request"))
            }
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"speaker":"bob"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/status", method: .get) { response in
                let status = try JSONDecoder().decode(FleetStatus.self, from: Data(response.body.readableBytesView))
                #expect(status.recentTurns.map(\.turnId) == [7])
                #expect(status.recentTurns.first?.traceId == "4bf92f3577b34da6a3ce929d0e0e4736")
            }
        }
    }

    @Test("ready with every other service down: the dashboard depends on none of them")
    func readyAlone() async throws {
        try await Self.build().application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthMonitor.Report.self, from: Data(response.body.readableBytesView))
                #expect(report.status == "ready")
                #expect(report.dependencies.isEmpty)
                #expect(report.components == ["poller": true])
            }
        }
    }

    @Test("malformed settings stop start-up naming the variable", arguments: [
        ("MONITOR_POLL_INTERVAL", "soon"), ("MONITOR_POLL_INTERVAL", "0"), ("MONITOR_SCRAPE_TIMEOUT", "-1"),
        ("PROMETHEUS_URL", "prometheus:9090"),
    ])
    func badSettings(variable: String, value: String) async throws {
        let error = await #expect(throws: SettingsError.self) { try await Self.build([variable: value]) }
        #expect(error?.variable == variable)
    }
}
