import Foundation
import GRDB

/// Keeping the store inside its bounds: age first, then the oldest until the data fits in
/// MONITOR_TELEMETRY_MAX_BYTES, then the freed pages given back so the file really shrinks.
///
/// Every statement is a cached prepared statement: a pass runs every 15 s, and compiling its dozen
/// statements each time ran SQLite's parser and GRDB's authorizer callbacks on every pass.
extension TelemetryStore {
    /// What one pruning pass did.
    struct PruneReport: Sendable, Equatable {
        var traces = 0
        var logs = 0
        var metricPoints = 0
        /// Bytes of data (pages in use) before and after.
        var usedBytesBefore: Int64 = 0
        var usedBytesAfter: Int64 = 0
    }

    /// Data is pruned to this share of the bound, so the next exports do not push it straight
    /// back over.
    static let pruneTarget = 0.8

    /// One pass: drops whole traces (so a kept trace keeps its root), logs and points older than
    /// the age bound, then the oldest share of each until the pages in use fit under the size
    /// bound, then vacuums the freed pages and truncates the WAL.
    func prune(now: Date = Date()) async throws -> PruneReport {
        recoverIfNeeded()
        let cutoff = Int64((now.timeIntervalSince1970 - config.maxAgeSeconds) * 1e9)
        let maxBytes = config.maxBytes
        // After SQLITE_FULL the disk, not the bound, may be what is full: make room anyway.
        let wasFull = lastError?.hasPrefix(TelemetryStoreError.fullPrefix) == true
        let report = try await write("pruning") { db -> PruneReport in
            var report = PruneReport()
            report.usedBytesBefore = try Self.usedBytes(db)
            report.traces += try Self.deleteTraces(db, where: "start_ns < ?", [cutoff])
            try db.cachedStatement(sql: "DELETE FROM logs WHERE time_ns < ?").execute(arguments: [cutoff])
            report.logs += db.changesCount
            try db.cachedStatement(sql: "DELETE FROM metric_points WHERE time_ns < ?").execute(arguments: [cutoff])
            report.metricPoints += db.changesCount

            // Each round drops the oldest share that should bring the data under the target.
            var used = try Self.usedBytes(db)
            var rounds = 0
            while used > maxBytes || (wasFull && rounds == 0), rounds < 8 {
                let share = used > maxBytes
                    ? min(0.9, max(0.05, 1 - Double(maxBytes) * Self.pruneTarget / Double(used))) : 0.25
                report.traces += try Self.deleteOldestShare(db, table: "traces", time: "start_ns", share: share)
                report.logs += try Self.deleteOldestShare(db, table: "logs", time: "time_ns", share: share)
                report.metricPoints += try Self.deleteOldestShare(db, table: "metric_points", time: "time_ns",
                                                                  share: share)
                // Freed pages only leave the count once vacuumed; measure what the data uses.
                used = try Self.usedBytes(db)
                rounds += 1
            }
            return report
        }
        var final = report
        final.usedBytesAfter = try await database.writeWithoutTransaction { db in
            // Gives the freed pages back (auto_vacuum = INCREMENTAL), then folds the WAL into
            // the file and truncates it, so the file system sees the store shrink.
            try db.cachedStatement(sql: "PRAGMA incremental_vacuum").execute()
            _ = try? Row.fetchOne(db.cachedStatement(sql: "PRAGMA wal_checkpoint(TRUNCATE)"))
            return try Self.usedBytes(db)
        }
        return final
    }

    /// Pages in use (not on the free list) times the page size: the data, wherever it lives.
    static func usedBytes(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT (page_count - freelist_count) * page_size
            FROM pragma_page_count, pragma_freelist_count, pragma_page_size
            """)) ?? 0
    }

    private static func deleteTraces(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE \(condition))")
            .execute(arguments: arguments)
        try db.cachedStatement(sql: "DELETE FROM traces WHERE \(condition)").execute(arguments: arguments)
        return db.changesCount
    }

    /// Deletes the oldest `share` of a table's rows (at least one, when it has any).
    private static func deleteOldestShare(_ db: Database, table: String, time: String, share: Double) throws -> Int {
        let rows = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM \(table)")) ?? 0
        guard rows > 0 else { return 0 }
        let count = max(1, Int((Double(rows) * share).rounded(.up)))
        guard let boundary = try Int64.fetchOne(db.cachedStatement(sql: "SELECT \(time) FROM \(table) ORDER BY \(time) LIMIT 1 OFFSET ?"),
                                                arguments: [count - 1]) else { return 0 }
        if table == "traces" {
            return try deleteTraces(db, where: "start_ns <= ?", [boundary])
        }
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(time) <= ?").execute(arguments: [boundary])
        return db.changesCount
    }
}
