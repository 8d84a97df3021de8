import Foundation
import ServiceKit

/// The embedded backend's settings: where the store lives and how much it keeps. The bounds are
/// what make it safe to leave running on a laptop: it never grows past them.
struct TelemetryStoreConfig: Sendable, Equatable {
    /// `sqlite` keeps telemetry in `<DATA_DIR>/telemetry.sqlite`; `memory` in the process only.
    enum Kind: String, Sendable, Equatable { case sqlite, memory }

    /// MONITOR_TELEMETRY_STORE (sqlite).
    var kind: Kind
    /// DATA_DIR.
    var directory: String
    /// MONITOR_TELEMETRY_MAX_AGE (seconds, default 3600): older traces, logs and points are pruned.
    var maxAgeSeconds: Double
    /// MONITOR_TELEMETRY_MAX_BYTES (default 64 MiB): past it, the oldest are pruned until under.
    var maxBytes: Int64
    /// MONITOR_TELEMETRY_PRUNE_INTERVAL (seconds, default 15).
    var pruneInterval: Duration

    static let fileName = "telemetry.sqlite"
    /// The largest export body read (the spec leaves it to the server; swift-otel batches 512 spans).
    static let maxBodyBytes = 16 * 1024 * 1024

    init(kind: Kind = .sqlite, directory: String, maxAgeSeconds: Double = 3600, maxBytes: Int64 = 64 << 20,
         pruneInterval: Duration = .seconds(15)) {
        self.kind = kind
        self.directory = directory
        self.maxAgeSeconds = maxAgeSeconds
        self.maxBytes = maxBytes
        self.pruneInterval = pruneInterval
    }

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        kind = try reader.parsed("monitor.telemetry.store", default: .sqlite) { Kind(rawValue: $0.lowercased()) }
        directory = settings.dataDirectory
        maxAgeSeconds = try reader.parsed("monitor.telemetry.max.age", default: 3600) { text in
            Double(text).flatMap { $0 >= 1 && $0 <= 30 * 86400 ? $0 : nil }
        }
        maxBytes = try reader.parsed("monitor.telemetry.max.bytes", default: 64 << 20) { text in
            Int64(text).flatMap { $0 >= 256 * 1024 ? $0 : nil }
        }
        pruneInterval = try reader.parsed("monitor.telemetry.prune.interval", default: .seconds(15)) { text in
            Double(text).flatMap { $0 >= 0.05 && $0 <= 3600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
    }

    var path: String {
        kind == .memory ? ":memory:" : URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
    }
}
