import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// A real OTLP/HTTP receiver (JSON encoding) for the end-to-end test: the fleet exports to it
/// exactly as it would to a collector, and the test reads what arrived.
actor OTLPStore {
    private(set) var spans: [ExportedSpan] = []
    private(set) var metricServices: Set<String> = []
    private(set) var logRecords: [ExportedLogRecord] = []

    enum Signal: String, CaseIterable { case traces, metrics, logs }

    /// Takes one OTLP/JSON export body as it arrived on /v1/<signal>.
    func add(_ signal: Signal, body: Data) {
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return }
        switch signal {
        case .traces: addTraces(json)
        case .metrics: addMetrics(json)
        case .logs: addLogs(json)
        }
    }

    private func addTraces(_ json: [String: Any]) {
        for resourceSpans in json.array("resourceSpans") {
            let service = resourceSpans.dict("resource").attributes["service.name"] ?? "?"
            for scope in resourceSpans.array("scopeSpans") {
                for span in scope.array("spans") {
                    spans.append(ExportedSpan(
                        service: service,
                        traceID: span["traceId"] as? String ?? "",
                        spanID: span["spanId"] as? String ?? "",
                        parentSpanID: (span["parentSpanId"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                        name: span["name"] as? String ?? "",
                        attributes: span.attributes,
                        events: span.array("events").compactMap { $0["name"] as? String },
                        statusCode: span.dict("status")["code"].map { "\($0)" }))
                }
            }
        }
    }

    private func addMetrics(_ json: [String: Any]) {
        for resourceMetrics in json.array("resourceMetrics") {
            if let service = resourceMetrics.dict("resource").attributes["service.name"] { metricServices.insert(service) }
        }
    }

    private func addLogs(_ json: [String: Any]) {
        for resourceLogs in json.array("resourceLogs") {
            let service = resourceLogs.dict("resource").attributes["service.name"] ?? "?"
            for scope in resourceLogs.array("scopeLogs") {
                for record in scope.array("logRecords") {
                    let body = record.dict("body")["stringValue"] as? String ?? ""
                    logRecords.append(ExportedLogRecord(service: service, traceID: record["traceId"] as? String ?? "",
                                                        spanID: record["spanId"] as? String ?? "", body: body))
                }
            }
        }
    }
}

struct ExportedSpan: Sendable {
    let service: String
    let traceID: String
    let spanID: String
    let parentSpanID: String?
    let name: String
    let attributes: [String: String]
    let events: [String]
    let statusCode: String?
}

struct ExportedLogRecord: Sendable {
    let service: String
    /// Empty when the line was logged outside any span.
    let traceID: String
    let spanID: String
    let body: String
}

enum OTLPReceiver {
    /// Starts the receiver on a free loopback port; returns its port and a task to cancel when done.
    static func start(store: OTLPStore) async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        for signal in OTLPStore.Signal.allCases {
            router.post(RouterPath("/v1/\(signal.rawValue)")) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 64 << 20)
                await store.add(signal, body: Data(body.readableBytesView))
                // swift-otel counts an export as failed unless the reply has the matching content type.
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await value in stream { port = value; break }
        return (port, task)
    }
}

extension [String: Any] {
    func array(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func dict(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }

    /// OTLP's `attributes: [{key, value: {stringValue|intValue|doubleValue|boolValue}}]` as strings.
    var attributes: [String: String] {
        var result: [String: String] = [:]
        for attribute in array("attributes") {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any],
                  let first = value.values.first else { continue }
            result[key] = "\(first)"
        }
        return result
    }
}
