import Foundation
import HTTPTypes
import ServiceKit
import Testing
@testable import MonitoringDashboardService

/// OTLP/JSON as real senders write it: swift-otel's (base64 ids, int64 strings, enum numbers)
/// and the spec's / a collector's (hex ids, enum names), into the store's rows.
@Suite("Telemetry: OTLP/JSON decoding")
struct TelemetryDecodingTests {
    func decodeTraces(_ json: String) throws -> (spans: [StoredSpan], rejected: Int) {
        try OTLPReceiverController.decode(OTLPTraceRequest.self, Data(json.utf8)).storedSpans()
    }

    @Test("swift-otel 1.6's real http/json export: base64 ids become hex, strings become numbers")
    func swiftOTelCapture() throws {
        let (spans, rejected) = try decodeTraces(TelemetryFixture.swiftOTelTraces)
        #expect(rejected == 0)
        #expect(spans.count == 2)
        let server = try #require(spans.first { $0.name == "/validate/input" })
        let inner = try #require(spans.first { $0.name == "guardrails.validate_input" })
        #expect(server.traceId == TelemetryFixture.capturedTraceID)
        #expect(server.spanId == TelemetryFixture.capturedServerSpanID)
        #expect(server.parentSpanId == nil)
        #expect(server.kind == "server")
        #expect(server.service == "guardrails")
        #expect(server.startTimeUnixNano == 1_796_577_905_786_372_555)
        #expect(server.endTimeUnixNano == 1_796_577_905_792_164_544)
        #expect(server.statusCode == "unset")
        #expect(server.attributes["http.response.status_code"] == "200")
        #expect(server.attributes["http.route"] == "/validate/input")
        #expect(inner.parentSpanId == TelemetryFixture.capturedServerSpanID)
        #expect(inner.spanId == TelemetryFixture.capturedInternalSpanID)
        #expect(inner.kind == "internal")
        #expect(inner.attributes["guardrails.toxicity_score"] == "0")
        #expect(inner.attributes["guardrails.characters"] == "11")
    }

    @Test("the spec's form: hex ids in any case, int64s as numbers, enums by name")
    func specForm() throws {
        let json = #"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"stt"}}]},
         "scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
           "parentSpanId":"","name":"/asr","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":1544712660000000000,
           "endTimeUnixNano":"1544712661000000000","status":{"code":"STATUS_CODE_ERROR","message":"timeout"},
           "events":[{"timeUnixNano":"1544712660500000000","name":"exception",
                      "attributes":[{"key":"exception.type","value":{"stringValue":"Timeout"}}]}],
           "attributes":[{"key":"b","value":{"boolValue":true}},{"key":"d","value":{"doubleValue":"NaN"}},
                         {"key":"a","value":{"arrayValue":{"values":[{"intValue":1},{"stringValue":"x"}]}}},
                         {"key":"k","value":{"kvlistValue":{"values":[{"key":"n","value":{"doubleValue":1.5}}]}}},
                         {"key":"y","value":{"bytesValue":"AQI="}},{"key":"e","value":{}}]}]}]}]}
        """#
        let (spans, rejected) = try decodeTraces(json)
        #expect(rejected == 0)
        let span = try #require(spans.first)
        #expect(span.traceId == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanId == "eee19b7ec3c1b174")
        #expect(span.parentSpanId == nil, "an empty parent id means a root span")
        #expect(span.kind == "client")
        #expect(span.statusCode == "error")
        #expect(span.statusMessage == "timeout")
        #expect(span.startTimeUnixNano == 1_544_712_660_000_000_000)
        #expect(span.durationSeconds == 1)
        #expect(span.events == [StoredSpanEvent(name: "exception", timeUnixNano: 1_544_712_660_500_000_000,
                                                attributes: ["exception.type": "Timeout"])])
        #expect(span.attributes == ["b": "true", "d": "\"nan\"", "a": #"[1,"x"]"#, "k": #"{"n":1.5}"#,
                                    "y": #""AQI=""#, "e": "null"])
    }

    @Test("snake_case field names (proto3 JSON's other spelling) are read too")
    func snakeCaseNames() throws {
        let json = #"{"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","name":"x","start_time_unix_nano":"5","end_time_unix_nano":"9"}]}]}]}"#
        let span = try #require(try decodeTraces(json).spans.first)
        #expect(span.spanId == "eee19b7ec3c1b174")
        #expect(span.service == "unknown_service")
        #expect(span.endTimeUnixNano == 9)
    }

    @Test("spans without a valid trace or span id are refused one by one, the rest kept")
    func invalidIDs() throws {
        let spans = [
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"ok"}"#,
            #"{"traceId":"not-an-id","spanId":"eee19b7ec3c1b174","name":"bad trace"}"#,
            #"{"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174","name":"zero trace"}"#,
            #"{"traceId":"5b8efff798038103d269b633813fc60c","name":"no span id"}"#,
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"zz","name":"bad parent"}"#,
        ]
        let (kept, rejected) = try decodeTraces(#"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#)
        #expect(kept.map(\.name) == ["ok"])
        #expect(rejected == 4)
    }

    @Test("malformed JSON and wrong types are a 400 naming the field")
    func malformed() throws {
        for (json, words) in [("{nope", "not valid JSON"),
                              (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}"#,
                               "resourceSpans.0.scopeSpans.0.spans.0.startTimeUnixNano"),
                              (#"{"resourceSpans":{"a":1}}"#, "resourceSpans")] {
            do {
                _ = try decodeTraces(json)
                Issue.record("\(json) was accepted")
            } catch let error as FleetError {
                #expect(error.status == .badRequest)
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }

    @Test("log records: severity from text or number, body as text, base64 or hex trace ids")
    func logs() throws {
        let json = #"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"orchestrator"}}]},
          "scopeLogs":[{"logRecords":[
            {"timeUnixNano":"1796577901972338311","severityNumber":9,"severityText":"info","body":{"stringValue":"turn done"},
             "traceId":"5NbimGtuaGAwH3U4hJLjVw==","spanId":"vgzVOqfTKEQ=","attributes":[{"key":"turn","value":{"intValue":"3"}}]},
            {"observedTimeUnixNano":"1796577901972338999","severityNumber":"SEVERITY_NUMBER_WARN","body":{"kvlistValue":{"values":[]}}},
            {"timeUnixNano":0,"severityNumber":17,"traceId":"E4D6E2986B6E6860301F75388492E357"},
            {"timeUnixNano":"5","severityText":"ERROR","traceId":"bogus","spanId":"vgzVOqfTKEQ="}]}]}]}
        """#
        let logs = try OTLPReceiverController.decode(OTLPLogsRequest.self, Data(json.utf8)).storedLogs(now: 42)
        #expect(logs.count == 4)
        #expect(logs[0] == StoredLog(timeUnixNano: 1_796_577_901_972_338_311, service: "orchestrator", severity: "info",
                                     body: "turn done", traceId: TelemetryFixture.capturedTraceID,
                                     spanId: TelemetryFixture.capturedServerSpanID, attributes: ["turn": "3"]))
        #expect(logs[1].timeUnixNano == 1_796_577_901_972_338_999)
        #expect(logs[1].severity == "warn")
        #expect(logs[1].body == "{}")
        #expect(logs[1].traceId == nil)
        #expect(logs[2].timeUnixNano == 42, "no time at all: the time it arrived")
        #expect(logs[2].severity == "error")
        #expect(logs[2].body == "")
        #expect(logs[2].traceId == TelemetryFixture.capturedTraceID)
        #expect(logs[3].traceId == nil && logs[3].spanId == nil, "a malformed id is dropped, the record kept")
        #expect(logs[3].severity == "error")
    }

    @Test("metrics: gauge and sum values (double or int, string or number), histogram count and sum")
    func metrics() throws {
        let json = TelemetryFixture.metrics(service: "stt", requests: 4)
        let points = try OTLPReceiverController.decode(OTLPMetricsRequest.self, Data(json.utf8)).storedPoints(now: 1)
        #expect(points.map(\.name) == ["service_health_status", "http_requests_total", "http_requests_total",
                                       "latency_seconds"])
        #expect(points.map(\.kind) == ["gauge", "sum", "sum", "histogram"])
        #expect(points.map(\.value) == [1, 4, 8, 2])
        #expect(points.map(\.count) == [nil, nil, nil, 4])
        #expect(points[1].attributes == ["route": "/a"])
        #expect(Set(points.map(\.service)) == ["stt"])
        #expect(points[1].series != points[2].series, "two label sets are two series")
        #expect(points[1].series == points[1].series && points[0].series != points[3].series)
    }

    @Test("ids: hex of either case, base64 (standard or URL-safe), absent when empty or all zeros")
    func ids() {
        #expect(OTLPID.parse("5NbimGtuaGAwH3U4hJLjVw==").hex == TelemetryFixture.capturedTraceID)
        #expect(OTLPID.parse("E4D6E2986B6E6860301F75388492E357").hex == TelemetryFixture.capturedTraceID)
        #expect(OTLPID.parse("Ac_8AIQjWH4=").hex == TelemetryFixture.capturedInternalSpanID)
        #expect(OTLPID.parse("").hex == nil && OTLPID.parse("").invalid == nil)
        #expect(OTLPID.parse("AAAAAAAAAAA=").hex == nil && OTLPID.parse("AAAAAAAAAAA=").invalid == nil)
        #expect(OTLPID.parse("abc").invalid == "abc")
        #expect(OTLPID.parse("AQI=").invalid != nil, "two bytes is no id")
    }
}
