import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// POST /v1/traces, /v1/metrics, /v1/logs: the OTLP/HTTP receiver, JSON encoding only.
///
/// Answers as the spec asks, so an exporter counts a success as one: 200 with
/// `Content-Type: application/json` and an ExportServiceResponse body (swift-otel treats a 200
/// without a content type it can parse as a failed export). Protobuf would need generated
/// swift-protobuf types (swift-otel keeps its own package-internal), so it is refused with a 415
/// that says which variable to set. These routes are not traced (FleetTracingMiddleware).
struct OTLPReceiverController: Sendable {
    let store: TelemetryStore

    enum Signal: String, Sendable, CaseIterable {
        case traces, metrics, logs

        /// The response's partialSuccess field counting what was refused.
        var rejectedField: String {
            switch self {
            case .traces: "rejectedSpans"
            case .metrics: "rejectedDataPoints"
            case .logs: "rejectedLogRecords"
            }
        }
    }

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        for signal in Signal.allCases {
            group.post(RouterPath("/v1/\(signal.rawValue)")) { request, _ in
                try await receive(signal, request: request)
            }
        }
    }

    func receive(_ signal: Signal, request: Request) async throws -> Response {
        try Self.checkEncoding(request)
        let body = try await request.collectBody(limit: TelemetryStoreConfig.maxBodyBytes)
        let (accepted, rejected) = try await store(signal, body: Data(body))
        if accepted > 0 {
            MetricCatalog.otlpReceivedItems.increment(by: Double(accepted), ["signal": signal.rawValue, "outcome": "accepted"])
        }
        if rejected > 0 {
            MetricCatalog.otlpReceivedItems.increment(by: Double(rejected), ["signal": signal.rawValue, "outcome": "rejected"])
        }
        let reply = rejected == 0 ? #"{"partialSuccess":{}}"#
            : #"{"partialSuccess":{"\#(signal.rejectedField)":"\#(rejected)","errorMessage":"\#(rejected) items had no valid trace or span id (32 and 16 hex digits, or their base64)"}}"#
        return Response(status: .ok, headers: [.contentType: MediaType.json],
                        body: .init(byteBuffer: ByteBuffer(string: reply)))
    }

    /// JSON only, uncompressed: anything else is a 415 naming what to change.
    static func checkEncoding(_ request: Request) throws {
        if let encoding = request.headers[.contentEncoding]?.lowercased(), !["", "identity"].contains(encoding) {
            throw FleetError.unsupportedMediaType(
                "Content-Encoding \(encoding) is not supported by the embedded OTLP backend: send uncompressed "
                    + "OTLP/JSON (OTEL_EXPORTER_OTLP_COMPRESSION=none).")
        }
        switch request.mediaType {
        case "application/json", nil:
            return
        case "application/x-protobuf":
            throw FleetError.unsupportedMediaType(
                "The embedded OTLP backend reads swift-otel's OTLP/JSON only, not protobuf: set FLEET_OTLP_EMBEDDED_BACKEND=true "
                    + "(what audio-fleet up does), or send protobuf to a collector.")
        case let other?:
            throw FleetError.unsupportedMediaType(
                "Content-Type \(other) is not OTLP/JSON: send application/json (FLEET_OTLP_EMBEDDED_BACKEND=true).")
        }
    }

    /// Decodes and stores one export; returns how many items were stored and refused.
    private func store(_ signal: Signal, body: Data) async throws -> (accepted: Int, rejected: Int) {
        guard !body.isEmpty else { throw FleetError.badRequest("The export has no body; expected OTLP/JSON.") }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        do {
            switch signal {
            case .traces:
                let (spans, rejected) = try Self.decode(OTLPTraceRequest.self, body).storedSpans()
                try await store.insert(spans: spans)
                return (spans.count, rejected)
            case .metrics:
                let points = try Self.decode(OTLPMetricsRequest.self, body).storedPoints(now: now)
                try await store.insert(points: points)
                return (points.count, 0)
            case .logs:
                let logs = try Self.decode(OTLPLogsRequest.self, body).storedLogs(now: now)
                try await store.insert(logs: logs)
                return (logs.count, 0)
            }
        } catch let error as TelemetryStoreError {
            MetricCatalog.otlpReceivedItems.increment(by: Double(error.items), ["signal": signal.rawValue, "outcome": "rejected"])
            throw error.fleetError
        }
    }

    /// Reads both spellings of field names (`traceId`, `trace_id`), as proto3 JSON parsers must.
    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            throw FleetError.badRequest("The body is not OTLP/JSON: \(error.otlpDescription)")
        }
    }
}

extension TelemetryStoreError {
    /// 507 for a full store (not retried: the data is dropped, as it would be anyway once
    /// pruned), 500 otherwise; both in the fleet's error shape.
    var fleetError: FleetError {
        switch kind {
        case .full: FleetError(status: .init(code: 507, reasonPhrase: "Insufficient Storage"), code: .unavailable,
                               message: message)
        case .corrupt, .failed: .internalError(message)
        }
    }
}

extension DecodingError {
    /// The OTLP field path (`resourceSpans.0.scopeSpans.0.spans.3.startTimeUnixNano`) and what was wrong.
    var otlpDescription: String {
        let (path, what): ([any CodingKey], String) = switch self {
        case .keyNotFound(let key, let context): (context.codingPath + [key], "missing")
        case .typeMismatch(_, let context): (context.codingPath, "wrong type")
        case .valueNotFound(_, let context): (context.codingPath, "null")
        case .dataCorrupted(let context): (context.codingPath, context.codingPath.isEmpty ? "not valid JSON"
                                                : context.debugDescription)
        @unknown default: ([], "invalid")
        }
        let names = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return names.isEmpty ? what : "\(what) at \(names)"
    }
}
