public import Configuration
import Foundation
public import ServiceLifecycle

/// Asks the service's own readiness on a timer, so `service_health_status` and
/// `service_dependency_health` follow a dead dependency even when nobody probes `/health/ready`.
///
/// The gauges are only set when a readiness check runs, and natively nothing has to probe a
/// service once `audio-fleet up` has seen it ready: without this a peer that died later could stay
/// "healthy" on every dashboard. Each refresh is an ordinary `HealthMonitor.readiness()` call, so
/// it shares the monitor's short cache with real probes (a probe and a refresh in the same moment
/// cost one check) and asks each peer for `/health/live` over the untraced probe client.
public struct ReadinessRefresher: Service {
    /// READINESS_REFRESH_INTERVAL's default, in seconds: longer than the monitor's cache (2 s), so
    /// every refresh really looks, and short enough that a dashboard polled every few seconds sees
    /// a dead dependency within one refresh.
    public static let defaultInterval: Duration = .seconds(5)

    let health: HealthMonitor
    /// Nil when refreshing is off (READINESS_REFRESH_INTERVAL=0).
    public let interval: Duration?

    public init(health: HealthMonitor, interval: Duration? = defaultInterval) {
        self.health = health
        self.interval = interval
    }

    /// The runner's refresher: READINESS_REFRESH_INTERVAL seconds (decimals allowed, 0 turns it
    /// off, default 5) from the service's settings.
    public init(health: HealthMonitor, reader: ConfigReader) throws {
        let seconds = try reader.parsed("readiness.refresh.interval", default: Self.defaultInterval.seconds) {
            Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
        }
        self.init(health: health, interval: seconds > 0 ? .milliseconds(Int((seconds * 1000).rounded())) : nil)
    }

    public func run() async throws {
        guard let interval else {
            // Off: stay until shutdown, since a service that returns would end the whole group.
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            _ = await health.readiness()
            // Wake early when shutdown starts, so the service group is never kept waiting.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
