import FleetTelemetry
import Logging
import ServiceLifecycle

/// Prunes the store every MONITOR_TELEMETRY_PRUNE_INTERVAL (15 s) beside the server, and keeps
/// `telemetry_store_bytes` current. A failed pass is logged and retried at the next tick: pruning
/// is what gets a full store working again, so it never stops.
struct TelemetryPruner: Service {
    let store: TelemetryStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pruneOnce()
                try? await Task.sleep(for: store.config.pruneInterval)
            }
        }
    }

    func pruneOnce() async {
        do {
            let report = try await store.prune()
            if report.traces + report.logs + report.metricPoints > 0 {
                logger.debug("telemetry pruned", metadata: [
                    "traces": "\(report.traces)", "logs": "\(report.logs)", "metric_points": "\(report.metricPoints)",
                    "used_bytes_before": "\(report.usedBytesBefore)", "used_bytes_after": "\(report.usedBytesAfter)",
                ])
            }
        } catch {
            logger.warning("telemetry pruning failed; retried next tick", metadata: ["error": "\(error)"])
        }
        MetricCatalog.telemetryStoreBytes.set(Double(await store.bytesOnDisk()))
    }
}
