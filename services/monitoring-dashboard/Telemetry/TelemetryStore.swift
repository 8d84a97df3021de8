import Foundation
import GRDB
import Logging
import Synchronization

/// The embedded backend's SQLite store, at `<DATA_DIR>/telemetry.sqlite`: spans, logs and metric
/// points from every service, bounded by age and size.
///
/// WAL (a `DatabasePool`) lets the pages read while an export writes; each export is one
/// transaction, so a trace is never half stored. The store is built never to stop the dashboard:
/// a file that is not a database is moved aside and a fresh one made; a full disk fails the
/// export with a clear error until pruning frees room; a directory that cannot be written falls
/// back to memory. `status().lastError` says which happened.
final class TelemetryStore: Sendable {
    let config: TelemetryStoreConfig
    let logger: Logger
    let state: Mutex<State>
    /// The last stored value of each metric series (by `StoredMetricPoint.series`), so a value
    /// that did not change is not stored again: see `insert(points:)`. Only the numbers are kept,
    /// not whole points with their names and attribute dictionaries, for each of the fleet's
    /// 1,300 series.
    let lastPoints = Mutex<[Int64: StoredValue]>([:])

    struct StoredValue: Sendable {
        var timeUnixNano: Int64
        var value: Double
        var count: Int64?

        init(_ point: StoredMetricPoint) {
            (timeUnixNano, value, count) = (point.timeUnixNano, point.value, point.count)
        }
    }

    struct State: Sendable {
        var database: any DatabaseWriter
        /// Where the data really is: the file, or ":memory:" after a fall-back.
        var path: String
        var lastError: String?
        /// A read or write found the file corrupt; the next pruning pass moves it aside.
        var needsRecovery = false
    }

    /// Opens the store the settings describe. It does not throw: a store that cannot be opened
    /// becomes an in-memory one, and says so in `status().lastError`.
    init(config: TelemetryStoreConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        state = Mutex(Self.open(config: config, logger: logger))
    }

    var database: any DatabaseWriter { state.withLock { $0.database } }
    var path: String { state.withLock { $0.path } }
    var lastError: String? { state.withLock { $0.lastError } }

    // MARK: Opening

    private static func open(config: TelemetryStoreConfig, logger: Logger) -> State {
        guard config.kind == .sqlite else {
            return State(database: memoryDatabase(config), path: ":memory:")
        }
        let path = config.path
        do {
            return State(database: try openFile(path, config: config), path: path)
        } catch let error as DatabaseError where error.meansCorrupt {
            let aside = moveAside(path)
            let message = "\(path) is not a usable SQLite database (\(error.resultCode)): moved aside to \(aside); "
                + "started a fresh telemetry store"
            logger.error("telemetry store was corrupt", metadata: ["path": "\(path)", "moved_to": "\(aside)",
                                                                    "error": "\(error)"])
            do {
                return State(database: try openFile(path, config: config), path: path, lastError: message)
            } catch {
                return fallBack(path: path, error: error, config: config, logger: logger)
            }
        } catch {
            return fallBack(path: path, error: error, config: config, logger: logger)
        }
    }

    private static func fallBack(path: String, error: any Error, config: TelemetryStoreConfig,
                                 logger: Logger) -> State {
        let message = "could not open \(path) (\(error)): telemetry kept in memory only"
        logger.error("telemetry store in memory only", metadata: ["path": "\(path)", "error": "\(error)"])
        return State(database: memoryDatabase(config), path: ":memory:", lastError: message)
    }

    private static func openFile(_ path: String, config: TelemetryStoreConfig) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: configuration(config))
        do {
            try migrator.migrate(pool)
        } catch {
            try? pool.close()
            throw error
        }
        return pool
    }

    private static func memoryDatabase(_ config: TelemetryStoreConfig) -> DatabaseQueue {
        // An in-memory database cannot fail to open or migrate short of running out of memory.
        let queue = try! DatabaseQueue(configuration: configuration(config))
        try! migrator.migrate(queue)
        return queue
    }

    /// Incremental auto-vacuum (set before the first table exists) lets pruning give pages back
    /// to the file system; `max_page_count` caps the file at twice the bound, so even if pruning
    /// falls behind an export fails with SQLITE_FULL rather than filling the disk.
    private static func configuration(_ config: TelemetryStoreConfig) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "telemetry"
        let maxPages = max(2 * config.maxBytes, config.maxBytes + (8 << 20)) / 4096
        configuration.prepareDatabase { db in
            guard !db.configuration.readonly else { return }
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "PRAGMA max_page_count = \(maxPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(8 << 20)")
        }
        return configuration
    }

    /// Renames the file (and its -wal and -shm) to `<file>.corrupt-<timestamp>`; returns the new name.
    static func moveAside(_ path: String) -> String {
        let stamp = Date().formatted(.iso8601).replacingOccurrences(of: ":", with: "")
        let aside = "\(path).corrupt-\(stamp)"
        let files = FileManager.default
        try? files.moveItem(atPath: path, toPath: aside)
        for suffix in ["-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
            try? files.moveItem(atPath: path + suffix, toPath: aside + suffix)
        }
        return aside
    }

    // MARK: Errors

    /// Runs a write; a failure is recorded as `lastError` and thrown as a `TelemetryStoreError`
    /// that says what the exporter should be told.
    func write<T: Sendable>(_ what: String, items: Int = 0, _ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (database, path) = state.withLock { ($0.database, $0.path) }
        do {
            let result = try await database.write(updates)
            state.withLock { state in
                if state.lastError?.hasPrefix(TelemetryStoreError.fullPrefix) == true { state.lastError = nil }
            }
            return result
        } catch let error as DatabaseError {
            let failure = TelemetryStoreError(error, path: path, what: what, items: items)
            state.withLock { state in
                state.lastError = failure.message
                if error.meansCorrupt { state.needsRecovery = true }
            }
            throw failure
        }
    }

    /// Runs a read; a corrupt file found by it is recorded, as by a write, for the next pruning
    /// pass to replace.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (database, path) = state.withLock { ($0.database, $0.path) }
        do {
            return try await database.read(value)
        } catch let error as DatabaseError where error.meansCorrupt {
            let failure = TelemetryStoreError(error, path: path, what: "a query", items: 0)
            state.withLock { state in
                state.lastError = failure.message
                state.needsRecovery = true
            }
            throw failure
        }
    }

    /// After a write found the file corrupt: closes it, moves it aside and starts afresh.
    func recoverIfNeeded() {
        let broken: (any DatabaseWriter, String)? = state.withLock { state in
            state.needsRecovery ? (state.database, state.path) : nil
        }
        guard let (database, path) = broken, path != ":memory:" else { return }
        try? database.close()
        let aside = Self.moveAside(path)
        logger.error("telemetry store was corrupt", metadata: ["path": "\(path)", "moved_to": "\(aside)"])
        var fresh = Self.open(config: config, logger: logger)
        fresh.lastError = fresh.lastError ?? "\(path) became corrupt: moved aside to \(aside); "
            + "started a fresh telemetry store"
        state.withLock { $0 = fresh }
        lastPoints.withLock { $0 = [:] }
    }
}

/// A write the store refused, with the words and the status its exporter is answered with.
struct TelemetryStoreError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable { case full, corrupt, failed }

    static let fullPrefix = "the telemetry store is full"

    let kind: Kind
    let message: String
    /// How many items (spans, points, records) the write would have stored.
    let items: Int

    init(_ error: DatabaseError, path: String, what: String, items: Int) {
        self.items = items
        if error.resultCode == .SQLITE_FULL {
            kind = .full
            message = "\(Self.fullPrefix) (SQLITE_FULL at \(path)): \(what) dropped; pruning frees room every few seconds"
        } else if error.meansCorrupt {
            kind = .corrupt
            message = "the telemetry store at \(path) is corrupt (\(error.resultCode)): \(what) failed; "
                + "it is moved aside and replaced at the next pruning pass"
        } else {
            kind = .failed
            message = "the telemetry store at \(path) could not store \(what): \(error.message ?? "\(error.resultCode)")"
        }
    }

    var description: String { message }
}

extension DatabaseError {
    var meansCorrupt: Bool { resultCode == .SQLITE_NOTADB || resultCode == .SQLITE_CORRUPT }
}
