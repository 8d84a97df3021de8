import GRDB

/// The store's tables. `traces` is a summary kept up to date as spans arrive, so the trace list
/// is an index read rather than a GROUP BY over every span; pruning removes whole traces, so a
/// kept trace never loses its root to pruning.
extension TelemetryStore {
    /// One registered migration per version; never edit a shipped one, add the next.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_traces_spans_logs_metric_points") { db in
            try db.create(table: "traces") { t in
                t.primaryKey("trace_id", .text)
                t.column("start_ns", .integer).notNull()
                t.column("end_ns", .integer).notNull()
                t.column("span_count", .integer).notNull()
                t.column("error_count", .integer).notNull()
                t.column("root_name", .text).notNull()
                t.column("root_service", .text).notNull()
                t.column("has_root", .boolean).notNull()
                // Sorted, comma-separated.
                t.column("services", .text).notNull()
            }
            try db.create(index: "traces_on_start", on: "traces", columns: ["start_ns"])

            try db.create(table: "spans") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("trace_id", .text).notNull()
                t.column("span_id", .text).notNull()
                t.column("parent_span_id", .text)
                t.column("service", .text).notNull()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("start_ns", .integer).notNull()
                t.column("end_ns", .integer).notNull()
                t.column("status_code", .text).notNull()
                t.column("status_message", .text)
                t.column("attributes", .text).notNull()
                t.column("events", .text).notNull()
            }
            // A trace's spans, and a parent found from its child (the service map's self-join).
            try db.create(index: "spans_on_trace_span", on: "spans", columns: ["trace_id", "span_id"])
            try db.create(index: "spans_on_start", on: "spans", columns: ["start_ns"])
            try db.create(index: "spans_on_service_start", on: "spans", columns: ["service", "start_ns"])

            try db.create(table: "logs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time_ns", .integer).notNull()
                t.column("service", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("body", .text).notNull()
                t.column("trace_id", .text)
                t.column("span_id", .text)
                t.column("attributes", .text).notNull()
            }
            try db.create(index: "logs_on_trace", on: "logs", columns: ["trace_id", "time_ns"])
            try db.create(index: "logs_on_time", on: "logs", columns: ["time_ns"])
            try db.create(index: "logs_on_service_time", on: "logs", columns: ["service", "time_ns"])

            try db.create(table: "metric_points") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time_ns", .integer).notNull()
                // A hash of service, name and attributes: one value per time series.
                t.column("series", .integer).notNull()
                t.column("service", .text).notNull()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("value", .double).notNull()
                t.column("count", .integer)
                t.column("attributes", .text).notNull()
            }
            try db.create(index: "metric_points_on_time", on: "metric_points", columns: ["time_ns"])
            try db.create(index: "metric_points_on_series", on: "metric_points", columns: ["series"])
        }
        return migrator
    }
}
