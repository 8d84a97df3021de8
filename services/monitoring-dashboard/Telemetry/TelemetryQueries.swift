public import Foundation
public import Hummingbird
public import ServiceKit

/// What the embedded OTLP backend answers about the telemetry it keeps: the pages and the JSON
/// API read through this protocol, so they do not care whether it is SQLite (a process) or an
/// in-memory fake (a test).
public protocol TelemetryQueries: Sendable {
    /// The newest traces first, optionally only those with a span from `service`.
    func recentTraces(limit: Int, service: String?) async throws -> [TraceSummary]
    /// Every span and log record of one trace (ids are 32 lowercase hex digits); nil when unknown.
    func trace(id: String) async throws -> TraceDetail?
    /// Log records, newest first, optionally of one trace or one service.
    func logs(traceID: String?, service: String?, limit: Int) async throws -> [StoredLog]
    /// Calls between services since `since`: an edge for each pair (caller, callee) where a span of
    /// the callee's has a parent span of the caller's.
    func serviceMap(since: Date) async throws -> [ServiceEdge]
    /// How full the store is, and the last error it hit (a full disk, a corrupt file).
    func status() async -> TelemetryStoreStatus
    /// Each metric's latest value per service (GET /api/metrics), optionally of one service.
    func latestMetrics(service: String?) async throws -> [MetricLatest]
}

extension TelemetryQueries {
    /// A fake that keeps no metrics need not write this.
    public func latestMetrics(service: String?) async throws -> [MetricLatest] { [] }
}

/// A metric's value now, from one service: the latest point of each of its series (label sets),
/// summed (a histogram's count and sum too): enough to say "it is there, and about this much".
public struct MetricLatest: Codable, Sendable, Equatable {
    public var name: String
    public var service: String
    /// gauge, sum, histogram, exponential_histogram or summary.
    public var kind: String
    /// The newest of those points.
    public var timeUnixNano: Int64
    /// A gauge's or a sum's value; a histogram's sum.
    public var value: Double
    /// A histogram's count; nil for gauges and sums.
    @NullWhenAbsent public var count: Int64?
    /// How many label sets the value is summed over.
    public var series: Int

    public init(name: String, service: String, kind: String, timeUnixNano: Int64, value: Double, count: Int64?,
                series: Int) {
        self.name = name
        self.service = service
        self.kind = kind
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.count = count
        self.series = series
    }
}

/// One span as kept: ids in lowercase hex, times in nanoseconds since 1970, attribute values as
/// text (a number or a bool written as JSON writes it).
public struct StoredSpan: Codable, Sendable, Equatable {
    public var traceId: String
    public var spanId: String
    @NullWhenAbsent public var parentSpanId: String?
    public var service: String
    public var name: String
    /// server, client, internal, producer, consumer or unspecified.
    public var kind: String
    public var startTimeUnixNano: Int64
    public var endTimeUnixNano: Int64
    /// unset, ok or error.
    public var statusCode: String
    @NullWhenAbsent public var statusMessage: String?
    public var attributes: [String: String]
    public var events: [StoredSpanEvent]

    public init(traceId: String, spanId: String, parentSpanId: String?, service: String, name: String, kind: String,
                startTimeUnixNano: Int64, endTimeUnixNano: Int64, statusCode: String, statusMessage: String?,
                attributes: [String: String], events: [StoredSpanEvent]) {
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.service = service
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.attributes = attributes
        self.events = events
    }

    public var durationSeconds: Double { Double(endTimeUnixNano - startTimeUnixNano) / 1e9 }
}

public struct StoredSpanEvent: Codable, Sendable, Equatable {
    public var name: String
    public var timeUnixNano: Int64
    public var attributes: [String: String]

    public init(name: String, timeUnixNano: Int64, attributes: [String: String]) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

/// One log record as kept.
public struct StoredLog: Codable, Sendable, Equatable {
    public var timeUnixNano: Int64
    public var service: String
    /// The severity text (`info`, `error`...), or the number's name when only a number was sent.
    public var severity: String
    public var body: String
    @NullWhenAbsent public var traceId: String?
    @NullWhenAbsent public var spanId: String?
    public var attributes: [String: String]

    public init(timeUnixNano: Int64, service: String, severity: String, body: String, traceId: String?,
                spanId: String?, attributes: [String: String]) {
        self.timeUnixNano = timeUnixNano
        self.service = service
        self.severity = severity
        self.body = body
        self.traceId = traceId
        self.spanId = spanId
        self.attributes = attributes
    }
}

/// A line of the trace list.
public struct TraceSummary: Codable, Sendable, Equatable {
    public var traceId: String
    /// The root span's name and service; the earliest span's when the root has not arrived.
    public var rootName: String
    public var rootService: String
    public var startTimeUnixNano: Int64
    public var durationSeconds: Double
    public var spanCount: Int
    public var errorCount: Int
    /// Every service with a span in the trace, sorted.
    public var services: [String]

    public init(traceId: String, rootName: String, rootService: String, startTimeUnixNano: Int64,
                durationSeconds: Double, spanCount: Int, errorCount: Int, services: [String]) {
        self.traceId = traceId
        self.rootName = rootName
        self.rootService = rootService
        self.startTimeUnixNano = startTimeUnixNano
        self.durationSeconds = durationSeconds
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.services = services
    }
}

/// GET /api/traces/{id}: a whole trace and the logs that carry its id.
public struct TraceDetail: Codable, Sendable, Equatable, ResponseEncodable {
    public var traceId: String
    /// Sorted by start time.
    public var spans: [StoredSpan]
    /// Sorted by time.
    public var logs: [StoredLog]

    public init(traceId: String, spans: [StoredSpan], logs: [StoredLog]) {
        self.traceId = traceId
        self.spans = spans
        self.logs = logs
    }

    /// Spans whose parent is named but not in the trace (a broken propagation, or a part that
    /// has not arrived yet).
    public var orphans: [StoredSpan] {
        let ids = Set(spans.map(\.spanId))
        return spans.filter { span in span.parentSpanId.map { !ids.contains($0) } ?? false }
    }

    public var services: [String] { Array(Set(spans.map(\.service))).sorted() }
}

/// One arrow of the service map.
public struct ServiceEdge: Codable, Sendable, Equatable {
    public var caller: String
    public var callee: String
    public var calls: Int
    public var errors: Int

    public init(caller: String, callee: String, calls: Int, errors: Int) {
        self.caller = caller
        self.callee = callee
        self.calls = calls
        self.errors = errors
    }
}

/// GET /api/telemetry/status.
public struct TelemetryStoreStatus: Codable, Sendable, Equatable, ResponseEncodable {
    public var path: String
    public var spans: Int
    public var logs: Int
    public var metricPoints: Int
    public var bytes: Int64
    public var maxBytes: Int64
    public var maxAgeSeconds: Double
    /// Oldest kept item, nanoseconds since 1970; nil when empty.
    @NullWhenAbsent public var oldestTimeUnixNano: Int64?
    /// The last write or open error, in words; nil while everything works.
    @NullWhenAbsent public var lastError: String?

    public init(path: String, spans: Int, logs: Int, metricPoints: Int, bytes: Int64, maxBytes: Int64,
                maxAgeSeconds: Double, oldestTimeUnixNano: Int64?, lastError: String?) {
        self.path = path
        self.spans = spans
        self.logs = logs
        self.metricPoints = metricPoints
        self.bytes = bytes
        self.maxBytes = maxBytes
        self.maxAgeSeconds = maxAgeSeconds
        self.oldestTimeUnixNano = oldestTimeUnixNano
        self.lastError = lastError
    }
}
