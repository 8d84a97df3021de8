import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Mustache
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard over HTTP")
struct MonitoringDashboardHTTPTests {
    static let otherServices = FleetMember.allCases.filter { $0 != .monitoringDashboard }

    @Test("GET / is a server-rendered page in the shared frame, its live parts refreshed every poll interval")
    func page() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.cacheControl] == "no-cache")
                let html = String(buffer: response.body)
                for element in ["<title>Monitoring · AudioFleet</title>", #"<a href="http://localhost:8501" aria-current="page">Monitoring</a>"#,
                                #"<section class="card" id="health" data-live>"#, #"<tbody id="services">"#,
                                #"id="e2e-p50""#, #"id="ttfb-llm""#, #"id="quality""#, #"<tbody id="turns-feed">"#,
                                #"<section class="card" id="service-map" data-live>"#, #"<svg class="service-map""#,
                                #"<tbody id="recent-traces">"#, "const every = 5000;", "No turns reported yet.", "No traces yet."] {
                    #expect(html.contains(element), "the page lacks \(element)")
                }
                // Before the first poll every one of the nine has its row, not yet polled.
                for member in FleetMember.allCases {
                    #expect(html.contains(#"<tr data-service="\#(member.name)" data-status="unknown">"#), "no row for \(member.name)")
                }
                #expect(!html.contains("api/status\", {"), "the page still draws itself from api/status")
                for external in ["src=\"http", "rel=\"stylesheet", "@import", "<script src"] {
                    #expect(!html.contains(external), "the page loads something external: \(external)")
                }
                #expect(!html.contains("{{"), "a template tag was left in the page")
            }
        }
    }

    @Test("after polls the matrix shows each service's status, latency, dependencies and charts")
    func matrixAfterPolls() async throws {
        let built = try await DashboardFixture.app(["MONITOR_POLL_INTERVAL": "60"])
        let poller = try #require(built.background.first as? FleetPoller)
        await poller.pollOnce()
        try await built.application.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            // The settings' targets all refuse (canned transport): unreachable; the dashboard itself is ready.
            #expect(html.contains(#"<tr data-service="stt" data-status="unreachable">"#))
            #expect(html.contains(#"<tr data-service="monitoring-dashboard" data-status="ready">"#))
            #expect(html.contains(#"<span class="badge unreachable">unreachable</span>"#))
            #expect(html.contains("connection refused: http://127.0.0.1:8011/health/ready"))
            #expect(html.components(separatedBy: #"<svg class="spark "#).count - 1 == 27, "three charts for each of the nine")
            #expect(html.contains("s ago"))
        }
    }

    @Test("the page's template parses")
    func template() throws {
        _ = try MustacheTemplate(string: DashboardPage.templateText)
    }

    @Test("the page says where the quantiles come from: the scraped buckets, or Prometheus when configured")
    func quantileNote() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Quantiles are estimated from each service's histogram buckets since it started"))
                #expect(!html.contains("Quantiles come from Prometheus"))
            }
        }
        try await DashboardFixture.app(["PROMETHEUS_URL": "http://prom.test"]).application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Quantiles come from Prometheus (histogram_quantile over the last 5 minutes)"))
                #expect(!html.contains("Quantiles are estimated"))
                #expect(!html.contains("{{"), "a template tag was left in the page")
            }
        }
    }

    @Test("GET /api/status lists all nine before the first poll, with nulls for what is unknown")
    func statusBeforePolling() async throws {
        try await DashboardFixture.app(["PROMETHEUS_URL": "http://127.0.0.1:9090"]).application.test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(json["updated_at"] is NSNull)
                #expect(json["poll_interval_seconds"] as? Double == 5)
                #expect((json["recent_turns"] as? [Any])?.isEmpty == true)
                let services = try #require(json["services"] as? [[String: Any]])
                // The other eight, polled over HTTP, and the dashboard itself, read in-process.
                #expect(services.compactMap { $0["name"] as? String } == FleetMember.allCases.map(\.name))
                #expect(services.allSatisfy { $0["ready"] as? Bool == false && $0["latency_ms"] is NSNull })
                let metrics = try #require(json["metrics"] as? [String: Any])
                for key in ["requests_per_second", "errors_total", "errors_per_second", "mean_duration_seconds",
                            "turns_by_outcome", "end_to_end_seconds",
                            "stage_ttfb_median_seconds", "audio_quality_median"] {
                    #expect(metrics[key] != nil, "metrics lacks \(key)")
                }
                let prometheus = try #require(json["prometheus"] as? [String: Any])
                #expect(prometheus["url"] as? String == "http://127.0.0.1:9090")
            }
        }
    }

    @Test("peers: every other service at its configured URL, Prometheus when PROMETHEUS_URL is set")
    func peers() throws {
        let plain = try MonitoringDashboardService.peers(runtime: DashboardFixture.runtime())
        #expect(plain.targets.map(\.name) == Self.otherServices.map(\.name))
        #expect(plain.targets.first { $0.name == "stt" }?.baseURL == FleetMember.stt.defaultURL)
        #expect(plain.prometheus == nil)
        let configured = try MonitoringDashboardService.peers(runtime: DashboardFixture.runtime(
            ["PROMETHEUS_URL": "http://prometheus:9090/", "STT_URL": "http://stt.internal:9000"]))
        #expect(configured.prometheus?.url == "http://prometheus:9090")
        #expect(configured.targets.first { $0.name == "stt" }?.baseURL == "http://stt.internal:9000")
    }

    @Test("POST /api/turns adds to the feed; a report without speaker or outcome is a 400")
    func turnReports() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            let report = #"{"turn_id":7,"speaker":"alice","session_id":"s1","outcome":"replied","transcript":"hey atlas","response":"Hello!","end_to_end_seconds":1.4,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","finished_at":1700000000}"#
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: report)) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body) == #"{"accepted":true}"#)
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
                let status = try JSONDecoder.fleet.decode(FleetStatus.self, from: Data(response.body.readableBytesView))
                #expect(status.recentTurns.map(\.turnId) == [7])
                #expect(status.recentTurns.first?.traceId == "4bf92f3577b34da6a3ce929d0e0e4736")
            }
        }
    }

    @Test("ready with every other service down: the dashboard depends on none of them")
    func readyAlone() async throws {
        // The poller does not run under the router test, so "polling" rests on the store's start
        // (3 intervals and 5 s of grace); a 60 s interval keeps that true however long a loaded
        // 2-core test run takes to get to the request.
        try await DashboardFixture.app(["MONITOR_POLL_INTERVAL": "60"]).application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(response.body.readableBytesView))
                #expect(report.status == "ready")
                #expect(report.dependencies.isEmpty)
                #expect(report.components == ["poller": true])
            }
        }
    }

    @Test("malformed settings stop start-up naming the variable", arguments: [
        ("MONITOR_POLL_INTERVAL", "soon"), ("MONITOR_POLL_INTERVAL", "0"), ("MONITOR_SCRAPE_TIMEOUT", "-1"),
        ("PROMETHEUS_URL", "prometheus:9090"), ("JAEGER_UI_URL", "jaeger:16686"), ("GRAFANA_URL", "ftp://grafana"),
    ])
    func badSettings(variable: String, value: String) async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await testApplication(MonitoringDashboardService.self, environment: [variable: value])
        }
        #expect(error?.variable == variable)
    }
}
