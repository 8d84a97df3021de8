import FleetTelemetry
import Foundation
import Hummingbird
import Logging
import ServiceKit
@testable import MonitoringDashboardService

/// OTLP/JSON bodies and stores for the embedded backend's tests.
enum TelemetryFixture {
    /// A real export: what swift-otel 1.6 sent (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) for one
    /// POST /validate/input to guardrails, captured from `audio-fleet serve guardrails`. Ids are
    /// base64, kinds ints, 64-bit ints strings.
    static let swiftOTelTraces = #"""
    {"resourceSpans":[{"resource":{"attributes":[{"key":"deployment.environment","value":{"stringValue":"development"}},{"key":"service.instance.id","value":{"stringValue":"guardrails-vm-28146"}},{"key":"service.namespace","value":{"stringValue":"audio-orchestrator"}},{"key":"service.version","value":{"stringValue":"1.0.0"}},{"key":"deployment.environment.name","value":{"stringValue":"development"}},{"key":"service.name","value":{"stringValue":"guardrails"}}]},"scopeSpans":[{"scope":{"name":"swift-otel","version":"1.0.0"},"spans":[{"traceId":"5NbimGtuaGAwH3U4hJLjVw==","spanId":"Ac/8AIQjWH4=","parentSpanId":"vgzVOqfTKEQ=","name":"guardrails.validate_input","kind":1,"startTimeUnixNano":"1796577905787393771","endTimeUnixNano":"1796577905790729103","attributes":[{"key":"guardrails.verdict","value":{"stringValue":"safe"}},{"key":"guardrails.direction","value":{"stringValue":"input"}},{"key":"guardrails.toxicity_score","value":{"doubleValue":0.0}},{"key":"guardrails.characters","value":{"intValue":"11"}},{"key":"guardrails.reason","value":{"stringValue":"none"}}]},{"traceId":"5NbimGtuaGAwH3U4hJLjVw==","spanId":"vgzVOqfTKEQ=","name":"/validate/input","kind":2,"startTimeUnixNano":"1796577905786372555","endTimeUnixNano":"1796577905792164544","attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"user_agent.original","value":{"stringValue":"curl/7.88.1"}},{"key":"http.response.status_code","value":{"intValue":"200"}},{"key":"http.route","value":{"stringValue":"/validate/input"}},{"key":"url.path","value":{"stringValue":"/validate/input"}},{"key":"http.request.body.size","value":{"intValue":"22"}},{"key":"http.response.body.size","value":{"intValue":"91"}}]}]}]}]}
    """#
    /// The ids of `swiftOTelTraces` in hex.
    static let capturedTraceID = "e4d6e2986b6e6860301f75388492e357"
    static let capturedServerSpanID = "be0cd53aa7d32844"
    static let capturedInternalSpanID = "01cffc008423587e"

    /// Nanoseconds since 1970, `secondsAgo` before now.
    static func nanos(secondsAgo: Double = 0) -> Int64 {
        Int64((Date().timeIntervalSince1970 - secondsAgo) * 1e9)
    }

    /// One span in the spec's JSON (hex ids, numbers as numbers).
    struct Span {
        var traceID: String
        var spanID: String
        var parentID: String?
        var name: String
        var kind = 2
        var start: Int64
        var durationNanos: Int64 = 5_000_000
        var error = false

        var json: String {
            let parent = parentID.map { #","parentSpanId":"\#($0)""# } ?? ""
            let status = error ? #","status":{"code":2,"message":"boom"}"# : ""
            return #"{"traceId":"\#(traceID)","spanId":"\#(spanID)"\#(parent),"name":"\#(name)","kind":\#(kind),"startTimeUnixNano":\#(start),"endTimeUnixNano":\#(start + durationNanos)\#(status)}"#
        }
    }

    /// An ExportTraceServiceRequest with `spans` grouped by service.
    static func traces(_ byService: [(service: String, spans: [Span])]) -> String {
        let resources = byService.map { entry in
            #"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(entry.service)"}}]},"scopeSpans":[{"spans":[\#(entry.spans.map(\.json).joined(separator: ","))]}]}"#
        }
        return #"{"resourceSpans":[\#(resources.joined(separator: ","))]}"#
    }

    /// A voice turn's shape: discord -> orchestrator -> (guardrails, llm-flan, tts-bark), with
    /// an error on tts-bark, `secondsAgo` old.
    static func voiceTurn(traceID: String, secondsAgo: Double = 1) -> String {
        let start = nanos(secondsAgo: secondsAgo)
        let id = { (n: Int) in String(traceID.prefix(12)) + String(format: "%04x", n) }
        return traces([
            ("discord", [Span(traceID: traceID, spanID: id(1), parentID: nil, name: "voice.turn", kind: 1, start: start,
                              durationNanos: 900_000_000),
                         Span(traceID: traceID, spanID: id(2), parentID: id(1), name: "POST", kind: 3, start: start + 1)]),
            ("orchestrator", [Span(traceID: traceID, spanID: id(3), parentID: id(2), name: "/mcp/transcript",
                                   start: start + 2),
                              Span(traceID: traceID, spanID: id(4), parentID: id(3), name: "POST", kind: 3, start: start + 3),
                              Span(traceID: traceID, spanID: id(5), parentID: id(3), name: "POST", kind: 3, start: start + 4),
                              Span(traceID: traceID, spanID: id(6), parentID: id(3), name: "POST", kind: 3, start: start + 5)]),
            ("guardrails", [Span(traceID: traceID, spanID: id(7), parentID: id(4), name: "/validate/input", start: start + 6)]),
            ("llm-flan", [Span(traceID: traceID, spanID: id(8), parentID: id(5), name: "/v1/chat/completions",
                               start: start + 7)]),
            ("tts-bark", [Span(traceID: traceID, spanID: id(9), parentID: id(6), name: "/synthesize", start: start + 8,
                               error: true)]),
        ])
    }

    /// An ExportLogsServiceRequest of one record per entry.
    static func logs(service: String, _ records: [(body: String, traceID: String?, secondsAgo: Double)]) -> String {
        let json = records.map { record in
            let trace = record.traceID.map { #","traceId":"\#($0)","spanId":"00000000000000aa""# } ?? ""
            return #"{"timeUnixNano":"\#(nanos(secondsAgo: record.secondsAgo))","severityNumber":9,"severityText":"info","body":{"stringValue":"\#(record.body)"}\#(trace)}"#
        }
        return #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeLogs":[{"logRecords":[\#(json.joined(separator: ","))]}]}]}"#
    }

    /// An ExportMetricsServiceRequest with a gauge, a sum of two series and a histogram.
    static func metrics(service: String, requests: Int, secondsAgo: Double = 1) -> String {
        let time = nanos(secondsAgo: secondsAgo)
        return #"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeMetrics":[{"metrics":[
          {"name":"service_health_status","gauge":{"dataPoints":[{"timeUnixNano":"\#(time)","asDouble":1.0}]}},
          {"name":"http_requests_total","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
            {"timeUnixNano":"\#(time)","asInt":"\#(requests)","attributes":[{"key":"route","value":{"stringValue":"/a"}}]},
            {"timeUnixNano":"\#(time + 1)","asInt":\#(requests * 2),"attributes":[{"key":"route","value":{"stringValue":"/b"}}]}]}},
          {"name":"latency_seconds","histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"\#(time)","count":"\#(requests)","sum":\#(Double(requests) * 0.5),"bucketCounts":["0","\#(requests)"],"explicitBounds":[0.1]}]}}
        ]}]}]}
        """#
    }

    /// A fresh directory under the system's temporary one.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func store(directory: String? = nil, maxAgeSeconds: Double = 3600, maxBytes: Int64 = 64 << 20) throws -> TelemetryStore {
        TelemetryStore(config: TelemetryStoreConfig(directory: try directory ?? Self.directory(), maxAgeSeconds: maxAgeSeconds,
                                                    maxBytes: maxBytes),
                       logger: Logger(label: "telemetry-test"))
    }

    /// The backend's routes alone, behind the fleet's error middleware, over a store in a fresh
    /// DATA_DIR; `store` is the one the routes use, for a test to reach into.
    static func app(_ environment: [String: String] = [:]) async throws -> (app: some ApplicationProtocol, store: TelemetryStore) {
        let runtime = try DashboardFixture.runtime(["DATA_DIR": try directory()].merging(environment) { $1 })
        let router = Router(context: FleetRequestContext.self)
        let routes = router.group().add(middleware: FleetHTTPMiddleware(service: "monitoring-dashboard"))
        let backend = try await EmbeddedBackend.install(routes: routes, runtime: runtime)
        return (Application(router: router), backend.queries as! TelemetryStore)
    }
}
