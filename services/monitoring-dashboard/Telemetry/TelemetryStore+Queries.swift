import Foundation
#if canImport(Glibc)
import CDispatch  // where Swift on Linux finds struct stat's fields (its headers include sys/stat.h first)
import Glibc
#endif
import GRDB
import Synchronization

/// What the pages and the JSON API ask the store.
extension TelemetryStore: TelemetryQueries {
    func recentTraces(limit: Int, service: String?) async throws -> [TraceSummary] {
        try await read { db in
            let rows: [Row]
            if let service {
                // Walks the traces newest first and stops at `limit`, rather than reading every span
                // of the service.
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM traces WHERE instr(',' || services || ',', ',' || ? || ',') > 0
                    ORDER BY start_ns DESC LIMIT ?
                    """, arguments: [service, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM traces ORDER BY start_ns DESC LIMIT ?",
                                        arguments: [limit])
            }
            return rows.map { row in
                let start: Int64 = row["start_ns"]
                let end: Int64 = row["end_ns"]
                return TraceSummary(traceId: row["trace_id"], rootName: row["root_name"],
                                    rootService: row["root_service"], startTimeUnixNano: start,
                                    durationSeconds: Double(max(0, end - start)) / 1e9, spanCount: row["span_count"],
                                    errorCount: row["error_count"],
                                    services: (row["services"] as String).split(separator: ",").map(String.init))
            }
        }
    }

    func trace(id: String) async throws -> TraceDetail? {
        try await read { db in
            let spans = try Row.fetchAll(db, sql: "SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ns, id",
                                         arguments: [id]).map(Self.span)
            guard !spans.isEmpty else { return nil }
            let logs = try Row.fetchAll(db, sql: "SELECT * FROM logs WHERE trace_id = ? ORDER BY time_ns, id",
                                        arguments: [id]).map(Self.log)
            return TraceDetail(traceId: id, spans: spans, logs: logs)
        }
    }

    func logs(traceID: String?, service: String?, limit: Int) async throws -> [StoredLog] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let traceID {
                conditions.append("trace_id = ?")
                arguments += [traceID]
            }
            if let service {
                conditions.append("service = ?")
                arguments += [service]
            }
            arguments += [limit]
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM logs \(filter) ORDER BY time_ns DESC, id DESC LIMIT ?",
                                    arguments: arguments).map(Self.log)
        }
    }

    /// CROSS JOIN makes SQLite start from the recent children (the start index) and find each
    /// parent by (trace_id, span_id); left to itself it scanned every parent: 20x slower at 20k spans.
    func serviceMap(since: Date) async throws -> [ServiceEdge] {
        let sinceNanos = Int64(since.timeIntervalSince1970 * 1e9)
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT parent.service AS caller, child.service AS callee, COUNT(*) AS calls,
                       SUM(child.status_code = 'error') AS errors
                FROM spans AS child
                CROSS JOIN spans AS parent ON parent.trace_id = child.trace_id AND parent.span_id = child.parent_span_id
                WHERE child.start_ns >= ? AND child.parent_span_id IS NOT NULL AND parent.service <> child.service
                GROUP BY parent.service, child.service
                ORDER BY parent.service, child.service
                """, arguments: [sinceNanos]).map { row in
                ServiceEdge(caller: row["caller"], callee: row["callee"], calls: row["calls"], errors: row["errors"])
            }
        }
    }

    func latestMetrics(service: String?) async throws -> [MetricLatest] {
        try await read { db in
            // Each series' newest row (ids grow with time), then summed per metric and service.
            try Row.fetchAll(db, sql: """
                SELECT name, service, MAX(kind) AS kind, MAX(time_ns) AS time_ns, SUM(value) AS value,
                       SUM(count) AS count, COUNT(*) AS series
                FROM metric_points
                WHERE id IN (SELECT MAX(id) FROM metric_points GROUP BY series)
                \(service == nil ? "" : "AND service = ?")
                GROUP BY name, service
                ORDER BY service, name
                """, arguments: service.map { [$0] } ?? []).map { row in
                MetricLatest(name: row["name"], service: row["service"], kind: row["kind"],
                             timeUnixNano: row["time_ns"], value: row["value"], count: row["count"],
                             series: row["series"])
            }
        }
    }

    func status() async -> TelemetryStoreStatus {
        let counts = try? await read { db -> (Int, Int, Int, Int64?) in
            let spans = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spans") ?? 0
            let logs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM logs") ?? 0
            let points = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metric_points") ?? 0
            let oldest = try Int64.fetchOne(db, sql: """
                SELECT MIN(t) FROM (SELECT MIN(start_ns) AS t FROM traces UNION ALL SELECT MIN(time_ns) FROM logs
                                    UNION ALL SELECT MIN(time_ns) FROM metric_points)
                """)
            return (spans, logs, points, oldest)
        }
        // Read after the counts, so a corrupt file the counting found is in `lastError`.
        let (path, lastError) = state.withLock { ($0.path, $0.lastError) }
        return TelemetryStoreStatus(path: path, spans: counts?.0 ?? 0, logs: counts?.1 ?? 0,
                                    metricPoints: counts?.2 ?? 0, bytes: await bytesOnDisk(),
                                    maxBytes: config.maxBytes, maxAgeSeconds: config.maxAgeSeconds,
                                    oldestTimeUnixNano: counts?.3, lastError: lastError)
    }

    /// The database file and its WAL, as the file system counts them; pages in use for a store in memory.
    /// Read with stat(2): the pruner asks every few seconds, and FileManager's attribute dictionary
    /// (NSNumber, CoreFoundation) kept that much more of Foundation's code resident.
    func bytesOnDisk() async -> Int64 {
        let (database, path) = state.withLock { ($0.database, $0.path) }
        guard path != ":memory:" else {
            return (try? await database.read { db in
                try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
            } ?? 0) ?? 0
        }
        return ["", "-wal"].reduce(Int64(0)) { total, suffix in
            var info = stat()
            return total + (stat(path + suffix, &info) == 0 ? Int64(info.st_size) : 0)
        }
    }

    // MARK: Rows

    static func span(_ row: Row) -> StoredSpan {
        StoredSpan(traceId: row["trace_id"], spanId: row["span_id"], parentSpanId: row["parent_span_id"],
                   service: row["service"], name: row["name"], kind: row["kind"], startTimeUnixNano: row["start_ns"],
                   endTimeUnixNano: row["end_ns"], statusCode: row["status_code"], statusMessage: row["status_message"],
                   attributes: decode([String: String].self, json: row["attributes"], fallback: [:]),
                   events: decode([StoredSpanEvent].self, json: row["events"], fallback: []))
    }

    static func log(_ row: Row) -> StoredLog {
        StoredLog(timeUnixNano: row["time_ns"], service: row["service"], severity: row["severity"], body: row["body"],
                  traceId: row["trace_id"], spanId: row["span_id"],
                  attributes: decode([String: String].self, json: row["attributes"], fallback: [:]))
    }
}
