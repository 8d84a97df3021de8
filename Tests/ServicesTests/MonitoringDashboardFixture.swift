import FleetTelemetry
import FleetTestSupport
import Foundation
import Logging
import ServiceKit
@testable import MonitoringDashboardService

/// Answers GETs from a table of canned replies; URLs not in it fail as if nothing listened.
struct CannedTransport: ScrapeTransport {
    struct Refused: Error, CustomStringConvertible {
        let url: String
        var description: String { "connection refused: \(url)" }
    }

    var replies: [String: (Int, String)] = [:]

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        guard let (status, body) = replies[url] else { throw Refused(url: url) }
        return (status, Array(body.utf8))
    }
}

/// A fake Prometheus: ready, and answering each instant query of `values` (PromQL -> the sample
/// value as Prometheus writes it) with a one-sample vector, and any other with no series. With a
/// `queryStatus` other than 200 every query fails with it, as a broken Prometheus does.
struct FakePrometheus: ScrapeTransport {
    var values: [String: String] = [:]
    var queryStatus = 200

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        let components = URLComponents(string: url)
        switch components?.path {
        case "/-/ready":
            return (200, Array("Prometheus Server is Ready.".utf8))
        case "/api/v1/query" where queryStatus != 200:
            return (queryStatus, Array(#"{"status":"error","errorType":"internal","error":"query failed"}"#.utf8))
        case "/api/v1/query":
            let promQL = components?.queryItems?.first { $0.name == "query" }?.value ?? ""
            let result = values[promQL].map { #"[{"metric":{},"value":[1700000000.123,"\#($0)"]}]"# } ?? "[]"
            return (200, Array(#"{"status":"success","data":{"resultType":"vector","result":\#(result)}}"#.utf8))
        default:
            return (404, Array("404 page not found".utf8))
        }
    }
}

/// A fleet of canned /health/ready and /metrics answers, and the dashboard built over it.
enum DashboardFixture {
    static let targets = ["discord", "orchestrator", "audio-processor", "stt", "guardrails"].map {
        ScrapeTarget(name: $0, baseURL: "http://\($0).test")
    }

    /// discord, orchestrator and audio-processor up; guardrails up but not ready; stt not listening.
    static func fleet(api: Int, probes: Int) -> CannedTransport {
        CannedTransport(replies: [
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

    /// A poller over `fleet(api: 10, probes: 5)` and the store it fills, asking `prometheus` (at
    /// http://prom.test) for the quantiles when given one.
    static func poller(prometheus: (any ScrapeTransport)? = nil) -> (FleetPoller, StatusStore) {
        let api = prometheus.map { PrometheusAPI(url: "http://prom.test", transport: $0) }
        let store = StatusStore(targets: targets, prometheusURL: api?.url, pollInterval: .seconds(5))
        let poller = FleetPoller(scraper: FleetScraper(targets: targets, transport: fleet(api: 10, probes: 5)),
                                 prometheus: api, store: store, logger: Logger(label: "test"))
        return (poller, store)
    }

    static func runtime(_ environment: [String: String] = [:]) throws -> ServiceRuntime {
        let settings = try ServiceSettings.forTesting(member: .monitoringDashboard,
                                                      environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        return ServiceRuntime(member: .monitoringDashboard, settings: settings)
    }

    /// The dashboard with the targets and Prometheus its settings give, read through fakes: every
    /// service refuses, Prometheus is `prometheus`, the telemetry store is `telemetry` (empty).
    static func app(_ environment: [String: String] = [:],
                    prometheus: any ScrapeTransport = FakePrometheus(),
                    telemetry: FakeTelemetry = FakeTelemetry()) async throws -> FleetApplication.Built {
        let configured = try MonitoringDashboardService.peers(runtime: runtime(environment))
        let peers = MonitoringDashboardService.Peers(
            targets: configured.targets, transport: CannedTransport(),
            prometheus: configured.prometheus.map { PrometheusAPI(url: $0.url, transport: prometheus) },
            telemetry: telemetry)
        return try await testApplication(MonitoringDashboardService.self, environment: environment, peers: peers)
    }

    static func readinessReport(_ service: String, status: String, dependencies: [String: String] = [:]) -> String {
        let deps = dependencies.map { #""\#($0.key)":{"status":"\#($0.value)","required":true,"url":"http://x"}"# }
        return #"{"status":"\#(status)","service":"\#(service)","components":{},"dependencies":{\#(deps.joined(separator: ","))},"health_details":{"uptime_seconds":1,"version":"1.0.0","check_duration_ms":0.5}}"#
    }

    /// /metrics of a service that answered `api` requests on /asr and `probes` probe requests.
    static func requestCounts(api: Int, probes: Int, errors: Int = 0) -> String {
        """
        http_server_request_duration_seconds_count{http_request_method="POST",http_route="/asr",http_response_status_code="200"} \(api)
        http_server_request_duration_seconds_count{http_request_method="GET",http_route="/health/ready",http_response_status_code="200"} \(probes)
        http_server_request_duration_seconds_count{http_request_method="GET",http_route="/metrics",http_response_status_code="200"} \(probes)
        http_server_errors_total{http_route="/asr",error_type="bad_request"} \(errors)

        """
    }

    static let discordMetrics = """
    voice_turns_total{outcome="replied"} 8
    voice_turns_total{outcome="no_wake_phrase"} 3
    end_to_end_response_duration_seconds_bucket{le="1.0"} 2
    end_to_end_response_duration_seconds_bucket{le="2.0"} 6
    end_to_end_response_duration_seconds_bucket{le="3.0"} 8
    end_to_end_response_duration_seconds_bucket{le="+Inf"} 8
    voice_stage_ttfb_seconds_bucket{stage="stt",le="0.5"} 0
    voice_stage_ttfb_seconds_bucket{stage="stt",le="1.0"} 4
    voice_stage_ttfb_seconds_bucket{stage="stt",le="+Inf"} 4
    voice_active_speakers 12
    voice_channels 2

    """

    static let orchestratorMetrics = """
    voice_stage_ttfb_seconds_bucket{stage="llm",le="0.5"} 4
    voice_stage_ttfb_seconds_bucket{stage="llm",le="1.0"} 4
    voice_stage_ttfb_seconds_bucket{stage="llm",le="+Inf"} 4
    voice_stage_ttfb_seconds_bucket{stage="tts",le="0.5"} 1
    voice_stage_ttfb_seconds_bucket{stage="tts",le="1.0"} 3
    voice_stage_ttfb_seconds_bucket{stage="tts",le="+Inf"} 4

    """

    static let audioMetrics = """
    audio_quality_score_bucket{stage="input",le="0.5"} 9
    audio_quality_score_bucket{stage="input",le="1.0"} 10
    audio_quality_score_bucket{stage="input",le="+Inf"} 10
    audio_quality_score_bucket{stage="processed",le="0.5"} 0
    audio_quality_score_bucket{stage="processed",le="1.0"} 10
    audio_quality_score_bucket{stage="processed",le="+Inf"} 10

    """
}
