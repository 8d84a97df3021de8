import FleetTelemetry
import Foundation
@testable import MonitoringDashboardService

/// The embedded backend's queries answered from memory: the traces and edges a test sets, or,
/// with `failure`, an error from every query (a store that cannot be read).
struct FakeTelemetry: TelemetryQueries {
    /// The error a broken store throws.
    struct Broken: Error, CustomStringConvertible {
        let description: String
    }

    var traces: [TraceDetail] = []
    var edges: [ServiceEdge] = []
    var failure: String?
    var lastError: String?

    func recentTraces(limit: Int, service: String?) async throws -> [TraceSummary] {
        try check()
        return traces.filter { service == nil || $0.services.contains(service!) }
            .map(Self.summary).sorted { $0.startTimeUnixNano > $1.startTimeUnixNano }.prefix(limit).map { $0 }
    }

    func trace(id: String) async throws -> TraceDetail? {
        try check()
        return traces.first { $0.traceId == id }
    }

    func logs(traceID: String?, service: String?, limit: Int) async throws -> [StoredLog] {
        try check()
        return traces.flatMap(\.logs).filter { (traceID == nil || $0.traceId == traceID) && (service == nil || $0.service == service) }
            .sorted { $0.timeUnixNano > $1.timeUnixNano }.prefix(limit).map { $0 }
    }

    func serviceMap(since: Date) async throws -> [ServiceEdge] {
        try check()
        return edges
    }

    func status() async -> TelemetryStoreStatus {
        TelemetryStoreStatus(path: "memory", spans: traces.map(\.spans.count).reduce(0, +), logs: traces.map(\.logs.count).reduce(0, +),
                             metricPoints: 0, bytes: 0, maxBytes: 64 << 20, maxAgeSeconds: 3600,
                             oldestTimeUnixNano: nil, lastError: lastError ?? failure)
    }

    private func check() throws {
        if let failure { throw Broken(description: failure) }
    }

    static func summary(_ trace: TraceDetail) -> TraceSummary {
        let root = trace.spans.first { $0.parentSpanId == nil } ?? trace.spans.min { $0.startTimeUnixNano < $1.startTimeUnixNano }
        let start = trace.spans.map(\.startTimeUnixNano).min() ?? 0
        let end = trace.spans.map(\.endTimeUnixNano).max() ?? start
        return TraceSummary(traceId: trace.traceId, rootName: root?.name ?? "", rootService: root?.service ?? "",
                            startTimeUnixNano: start, durationSeconds: Double(end - start) / 1e9,
                            spanCount: trace.spans.count, errorCount: trace.spans.filter { $0.statusCode == "error" }.count,
                            services: trace.services)
    }
}

/// Traces to draw: spans built by hand, and a voice turn of many spans.
enum TraceFixture {
    static let traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let start: Int64 = 1_700_000_000_000_000_000

    static func span(_ id: String, parent: String?, service: String, name: String, from: Double, to: Double,
                     error: Bool = false, attributes: [String: String] = [:], events: [StoredSpanEvent] = [],
                     trace: String = traceId) -> StoredSpan {
        StoredSpan(traceId: trace, spanId: id, parentSpanId: parent, service: service, name: name,
                   kind: parent == nil ? "server" : "internal",
                   startTimeUnixNano: start + Int64(from * 1e9), endTimeUnixNano: start + Int64(to * 1e9),
                   statusCode: error ? "error" : "unset", statusMessage: error ? "boom" : nil,
                   attributes: attributes, events: events)
    }

    static func log(_ body: String, service: String, at seconds: Double, span: String?, trace: String = traceId) -> StoredLog {
        StoredLog(timeUnixNano: start + Int64(seconds * 1e9), service: service, severity: "info", body: body,
                  traceId: trace, spanId: span, attributes: [:])
    }

    /// A voice turn across the pipeline: the bridge's root, its three stages, the orchestrator's
    /// three calls, and `extra` more internal spans spread under them — `spans` in all.
    static func voiceTurn(traceId: String = traceId, spans count: Int = 60) -> TraceDetail {
        var spans = [
            span("a000000000000001", parent: nil, service: "discord", name: "voice turn", from: 0, to: 3, trace: traceId),
            span("a000000000000002", parent: "a000000000000001", service: "audio-processor", name: "/process", from: 0.01, to: 0.2, trace: traceId),
            span("a000000000000003", parent: "a000000000000001", service: "stt", name: "/asr", from: 0.2, to: 0.9, trace: traceId),
            span("a000000000000004", parent: "a000000000000001", service: "orchestrator", name: "/process", from: 0.9, to: 2.9, trace: traceId),
            span("a000000000000005", parent: "a000000000000004", service: "guardrails", name: "/validate", from: 0.95, to: 1.1, trace: traceId),
            span("a000000000000006", parent: "a000000000000004", service: "llm-flan", name: "/generate", from: 1.1, to: 2.0, trace: traceId),
            span("a000000000000007", parent: "a000000000000004", service: "tts-bark", name: "/synthesize", from: 2.0, to: 2.8, trace: traceId),
            span("a000000000000008", parent: "a000000000000001", service: "monitoring-dashboard", name: "/api/turns", from: 2.95, to: 2.99, trace: traceId),
        ]
        let parents = spans.map { ($0.spanId, $0.service, $0.startTimeUnixNano, $0.endTimeUnixNano) }
        for index in spans.count..<count {
            let (parent, service, from, to) = parents[1 + index % (parents.count - 1)]
            let length = Double(to - from) / 1e9
            let offset = Double(from - start) / 1e9 + length * Double(index % 5) / 6
            spans.append(span(String(format: "b%015x", index), parent: parent, service: service, name: "step \(index)",
                              from: offset, to: offset + length / 8, attributes: ["index": "\(index)", "stage": service],
                              trace: traceId))
        }
        let logs = [log("turn started", service: "discord", at: 0.001, span: "a000000000000001", trace: traceId),
                    log("reply ready", service: "orchestrator", at: 2.9, span: "a000000000000004", trace: traceId)]
        return TraceDetail(traceId: traceId, spans: spans.sorted { $0.startTimeUnixNano < $1.startTimeUnixNano }, logs: logs)
    }

    /// The edges of one voice turn.
    static let turnEdges = [
        ServiceEdge(caller: "discord", callee: "audio-processor", calls: 3, errors: 0),
        ServiceEdge(caller: "discord", callee: "stt", calls: 3, errors: 0),
        ServiceEdge(caller: "discord", callee: "orchestrator", calls: 3, errors: 1),
        ServiceEdge(caller: "orchestrator", callee: "guardrails", calls: 6, errors: 0),
        ServiceEdge(caller: "orchestrator", callee: "llm-flan", calls: 3, errors: 0),
        ServiceEdge(caller: "orchestrator", callee: "tts-bark", calls: 3, errors: 0),
    ]
}
