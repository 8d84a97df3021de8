import Foundation
import GRDB
import Synchronization

/// Writing one export: one transaction each, with cached prepared statements, so a batch of 512
/// spans costs one commit, not 512.
extension TelemetryStore {
    func insert(spans: [StoredSpan]) async throws {
        guard !spans.isEmpty else { return }
        try await write("\(spans.count) spans", items: spans.count) { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns,
                                   status_code, status_message, attributes, events)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for span in spans {
                try insert.execute(arguments: [
                    span.traceId, span.spanId, span.parentSpanId, span.service, span.name, span.kind,
                    span.startTimeUnixNano, span.endTimeUnixNano, span.statusCode, span.statusMessage,
                    Self.json(span.attributes), Self.json(span.events),
                ])
            }
            for (traceID, traceSpans) in Dictionary(grouping: spans, by: \.traceId) {
                try Self.updateSummary(db, traceID: traceID, adding: traceSpans)
            }
        }
    }

    func insert(logs: [StoredLog]) async throws {
        guard !logs.isEmpty else { return }
        try await write("\(logs.count) log records", items: logs.count) { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO logs (time_ns, service, severity, body, trace_id, span_id, attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for log in logs {
                try insert.execute(arguments: [log.timeUnixNano, log.service, log.severity, log.body, log.traceId,
                                               log.spanId, Self.json(log.attributes)])
            }
        }
    }

    /// A series' point is stored when its value changed, or when the last stored one is older
    /// than this: every service exports every series (most of them counters at zero) every 10 s,
    /// and storing each would fill the size bound with copies.
    static let unchangedPointInterval: Int64 = 300 * 1_000_000_000

    /// Stores the points whose value changed (or was last stored `unchangedPointInterval` ago);
    /// returns how many were stored.
    @discardableResult
    func insert(points: [StoredMetricPoint]) async throws -> Int {
        let keyed = points.map { (series: $0.series, point: $0) }
        let changed = lastPoints.withLock { last in
            keyed.filter { series, point in
                guard let previous = last[series] else { return true }
                return previous.value != point.value || previous.count != point.count
                    || point.timeUnixNano - previous.timeUnixNano >= Self.unchangedPointInterval
            }
        }
        guard !changed.isEmpty else { return 0 }
        try await write("\(changed.count) metric points", items: changed.count) { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO metric_points (time_ns, series, service, name, kind, value, count, attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (series, point) in changed {
                // SQLite stores NaN as NULL, which the NOT NULL column refuses: keep the point at 0.
                let value = point.value.isNaN ? 0 : point.value
                try insert.execute(arguments: [point.timeUnixNano, series, point.service, point.name, point.kind,
                                               value, point.count, Self.json(point.attributes)])
            }
        }
        lastPoints.withLock { last in
            for (series, point) in changed { last[series] = StoredValue(point) }
        }
        return changed.count
    }

    /// Merges one batch's spans of a trace into its summary row: the earliest start, the latest
    /// end, the root once it arrives (the earliest span until then), the services seen.
    private static func updateSummary(_ db: Database, traceID: String, adding spans: [StoredSpan]) throws {
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM traces WHERE trace_id = ?"),
                                        arguments: [traceID])
        var start: Int64 = existing?["start_ns"] ?? .max
        var end: Int64 = existing?["end_ns"] ?? .min
        var rootName: String = existing?["root_name"] ?? ""
        var rootService: String = existing?["root_service"] ?? ""
        var hasRoot: Bool = existing?["has_root"] ?? false
        var services = Set((existing?["services"] as String?)?.split(separator: ",").map(String.init) ?? [])
        for span in spans.sorted(by: { $0.startTimeUnixNano < $1.startTimeUnixNano }) {
            if span.parentSpanId == nil, !hasRoot {
                (rootName, rootService, hasRoot) = (span.name, span.service, true)
            } else if !hasRoot, span.startTimeUnixNano < start {
                (rootName, rootService) = (span.name, span.service)
            }
            start = min(start, span.startTimeUnixNano)
            end = max(end, span.endTimeUnixNano)
            services.insert(span.service)
        }
        let errors = spans.filter { $0.statusCode == "error" }.count
        try db.cachedStatement(sql: """
            INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count, root_name, root_service,
                                has_root, services)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(trace_id) DO UPDATE SET start_ns = excluded.start_ns, end_ns = excluded.end_ns,
                span_count = span_count + excluded.span_count, error_count = error_count + excluded.error_count,
                root_name = excluded.root_name, root_service = excluded.root_service, has_root = excluded.has_root,
                services = excluded.services
            """).execute(arguments: [traceID, start, end, spans.count, errors, rootName, rootService, hasRoot,
                                     services.sorted().joined(separator: ",")])
    }

    /// Attributes and events as JSON text, keys sorted so equal values store equal bytes.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode<T: Decodable>(_ type: T.Type, json: String, fallback: T) -> T {
        (try? JSONDecoder().decode(T.self, from: Data(json.utf8))) ?? fallback
    }
}
