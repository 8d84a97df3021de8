import FleetTelemetry
import FleetTestSupport
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationEssentialsCompat
import Prometheus
import ServiceKit
import Testing
@testable import MonitoringDashboardService

/// The embedded backend over HTTP: the OTLP receiver as an exporter sees it, and the JSON API.
@Suite("Telemetry: the OTLP receiver and JSON API over HTTP")
struct TelemetryReceiverTests {
    static let json: HTTPFields = [.contentType: "application/json"]
    static let turn = "cafe0000000000000000000000000001"

    func post(_ client: some TestClientProtocol, _ signal: String, _ body: String,
              headers: HTTPFields = json) async throws -> TestResponse {
        try await client.execute(uri: "/v1/\(signal)", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// The counter's value; its labels are written in the catalog's order (signal, outcome).
    func received(_ registry: PrometheusCollectorRegistry, _ signal: String, _ outcome: String) -> Double? {
        let selector = #"otlp_received_items_total{signal="\#(signal)",outcome="\#(outcome)"} "#
        return registry.emitToString().split(separator: "\n").first { $0.hasPrefix(selector) }
            .flatMap { Double($0.dropFirst(selector.count)) }
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder.fleet.decode(T.self, from: Data(buffer: response.body))
    }

    @Test("exports of all three signals are stored and read back through the API")
    func ingestAndRead() async throws {
        try await TestMetrics.collecting { registry in
            let (app, _) = try await TelemetryFixture.app()
            try await app.test(.router) { client in
                let traces = try await post(client, "traces", TelemetryFixture.voiceTurn(traceID: Self.turn))
                #expect(traces.status == .ok)
                #expect(traces.headers[.contentType] == "application/json", "swift-otel needs the JSON content type")
                #expect(String(buffer: traces.body) == #"{"partialSuccess":{}}"#)
                #expect(try await post(client, "traces", TelemetryFixture.swiftOTelTraces).status == .ok)
                #expect(try await post(client, "logs", TelemetryFixture.logs(service: "orchestrator",
                                                                             [("reply ready", Self.turn, 0.5)])).status == .ok)
                #expect(try await post(client, "metrics", TelemetryFixture.metrics(service: "stt", requests: 2)).status == .ok)

                let list = try decode(TelemetryAPIController.TraceList.self,
                                      try await client.execute(uri: "/api/traces?limit=5", method: .get))
                #expect(list.traces.map(\.traceId) == [Self.turn, TelemetryFixture.capturedTraceID])
                #expect(list.traces.first?.services.count == 5)
                let filtered = try decode(TelemetryAPIController.TraceList.self,
                                          try await client.execute(uri: "/api/traces?service=tts-bark", method: .get))
                #expect(filtered.traces.map(\.traceId) == [Self.turn])

                let detail = try await client.execute(uri: "/api/traces/\(Self.turn.uppercased())", method: .get)
                #expect(detail.status == .ok)
                let trace = try decode(TraceDetail.self, detail)
                #expect(trace.spans.count == 9 && trace.orphans.isEmpty)
                #expect(trace.logs.map(\.body) == ["reply ready"])
                #expect(String(buffer: detail.body).contains(#""parent_span_id":null"#), "snake_case, nulls written")

                let logs = try decode(TelemetryAPIController.LogList.self,
                                      try await client.execute(uri: "/api/logs?trace_id=\(Self.turn)&limit=10", method: .get))
                #expect(logs.logs.map(\.service) == ["orchestrator"])

                let map = try decode(TelemetryAPIController.ServiceMap.self,
                                     try await client.execute(uri: "/api/service-map?minutes=5", method: .get))
                #expect(map.minutes == 5)
                #expect(map.edges.map { "\($0.caller)>\($0.callee)" }
                        == ["discord>orchestrator", "orchestrator>guardrails", "orchestrator>llm-flan", "orchestrator>tts-bark"])

                let metrics = try decode(TelemetryAPIController.MetricList.self,
                                         try await client.execute(uri: "/api/metrics?service=stt", method: .get))
                #expect(metrics.metrics.first { $0.name == "http_requests_total" }?.value == 6)

                let status = try decode(TelemetryStoreStatus.self,
                                        try await client.execute(uri: "/api/telemetry/status", method: .get))
                #expect(status.spans == 11 && status.logs == 1 && status.metricPoints == 4)
                #expect(status.lastError == nil && status.maxBytes == 64 << 20 && status.maxAgeSeconds == 3600)
                #expect(status.path.hasSuffix("/telemetry.sqlite"))
            }
            #expect(received(registry, "traces", "accepted") == 11)
            #expect(received(registry, "logs", "accepted") == 1)
            #expect(received(registry, "metrics", "accepted") == 4)
        }
    }

    @Test("spans with bad ids are refused in partialSuccess, the others kept and counted")
    func partialSuccess() async throws {
        try await TestMetrics.collecting { registry in
            let (app, _) = try await TelemetryFixture.app()
            try await app.test(.router) { client in
                let body = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\#(Self.turn)","spanId":"00000000000000a1","name":"ok"},{"traceId":"nope","spanId":"00000000000000a2","name":"bad"}]}]}]}"#
                let response = try await post(client, "traces", body)
                #expect(response.status == .ok)
                let reply = String(buffer: response.body)
                #expect(reply.contains(#""rejectedSpans":"1""#) && reply.contains("errorMessage"), "\(reply)")
            }
            #expect(received(registry, "traces", "rejected") == 1)
            #expect(received(registry, "traces", "accepted") == 1)
        }
    }

    @Test("what the receiver cannot read is a 4xx that says what to change")
    func badInput() async throws {
        let (app, _) = try await TelemetryFixture.app(["MONITOR_TELEMETRY_STORE": "memory"])
        try await app.test(.router) { client in
            let protobuf = try await post(client, "traces", "\u{0A}\u{02}", headers: [.contentType: "application/x-protobuf"])
            #expect(protobuf.status == .unsupportedMediaType)
            #expect(String(buffer: protobuf.body).contains("FLEET_OTLP_EMBEDDED_BACKEND=true"))
            #expect(protobuf.headers[.contentType] == "application/json")

            let gzip = try await post(client, "metrics", "{}", headers: [.contentType: "application/json", .contentEncoding: "gzip"])
            #expect(gzip.status == .unsupportedMediaType)
            #expect(String(buffer: gzip.body).contains("Content-Encoding gzip"))

            let text = try await post(client, "logs", "{}", headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)

            let big = try await post(client, "traces", String(repeating: " ", count: TelemetryStoreConfig.maxBodyBytes + 1))
            #expect(big.status == .contentTooLarge)

            for body in ["", "{", #"{"resourceSpans":"x"}"#, "[1]"] {
                let response = try await post(client, "traces", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(String(buffer: response.body).contains("bad_request"))
            }
            #expect(try await post(client, "traces", "{}").status == .ok, "an empty export is fine")
        }
    }

    @Test("query parameters are checked: a bad one is a 400 naming it; an unknown trace a 404")
    func badParameters() async throws {
        let (app, _) = try await TelemetryFixture.app(["MONITOR_TELEMETRY_STORE": "memory"])
        try await app.test(.router) { client in
            for (uri, words) in [("/api/traces?limit=0", "limit"), ("/api/traces?limit=abc", "limit"),
                                 ("/api/traces?limit=1001", "limit"), ("/api/traces?service=", "service"),
                                 ("/api/traces/xyz", "32 hex digits"), ("/api/traces/\(Self.turn)0", "32 hex digits"),
                                 ("/api/logs?trace_id=12", "trace_id"), ("/api/logs?limit=-1", "limit"),
                                 ("/api/service-map?minutes=0", "minutes"), ("/api/service-map?minutes=1441", "minutes"),
                                 ("/api/service-map?minutes=1.5", "minutes")] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(String(buffer: response.body).contains(words), "\(uri): \(String(buffer: response.body))")
            }
            let unknown = try await client.execute(uri: "/api/traces/\(Self.turn)", method: .get)
            #expect(unknown.status == .notFound)
            #expect(String(buffer: unknown.body).contains("No trace \(Self.turn)"))
        }
    }

    @Test("a full store answers 507 with words that say so, counts the refusal, and recovers after pruning")
    func fullStore() async throws {
        try await TestMetrics.collecting { registry in
            let (app, store) = try await TelemetryFixture.app()
            try await app.test(.router) { client in
                #expect(try await post(client, "traces", TelemetryFixture.voiceTurn(traceID: Self.turn)).status == .ok)
                try await store.database.writeWithoutTransaction { db in
                    let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                    try db.execute(sql: "PRAGMA max_page_count = \(pages)")
                }
                var refused: TestResponse?
                for turn in 0..<50 where refused == nil {
                    let id = String(format: "%08x", turn) + "222222222222222222222222"
                    let response = try await post(client, "traces", TelemetryFixture.voiceTurn(traceID: id))
                    if response.status != .ok { refused = response }
                }
                let response = try #require(refused)
                #expect(response.status.code == 507)
                let body = String(buffer: response.body)
                #expect(body.contains("the telemetry store is full") && body.contains("SQLITE_FULL"), "\(body)")
                let status = try decode(TelemetryStoreStatus.self,
                                        try await client.execute(uri: "/api/telemetry/status", method: .get))
                #expect(status.lastError?.contains("SQLITE_FULL") == true)
                #expect(try await client.execute(uri: "/api/traces", method: .get).status == .ok, "reads keep working")

                _ = try await store.prune()
                #expect(try await post(client, "traces", TelemetryFixture.swiftOTelTraces).status == .ok)
            }
            #expect(received(registry, "traces", "rejected") == 9)
        }
    }

    @Test("settings: bounds read from the environment, a bad value refused naming its variable")
    func settings() throws {
        let config = try TelemetryStoreConfig(settings: DashboardFixture.runtime([
            "MONITOR_TELEMETRY_MAX_AGE": "600", "MONITOR_TELEMETRY_MAX_BYTES": "1048576", "DATA_DIR": "/x",
            "MONITOR_TELEMETRY_PRUNE_INTERVAL": "2.5"]).settings)
        #expect(config == TelemetryStoreConfig(directory: "/x", maxAgeSeconds: 600, maxBytes: 1 << 20,
                                               pruneInterval: .milliseconds(2500)))
        #expect(config.path == "/x/telemetry.sqlite")
        for (variable, value) in [("MONITOR_TELEMETRY_MAX_AGE", "0"), ("MONITOR_TELEMETRY_MAX_BYTES", "10"),
                                  ("MONITOR_TELEMETRY_STORE", "postgres")] {
            #expect(throws: SettingsError.self, "\(variable)=\(value)") {
                try TelemetryStoreConfig(settings: DashboardFixture.runtime([variable: value]).settings)
            }
        }
    }
}
