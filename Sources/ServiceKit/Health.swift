import FleetTelemetry
import Foundation

/// Readiness in the original's JSON shape:
/// `{status: ready|degraded|not_ready, service, components, dependencies, health_details}`.
///
/// A service is `not_ready` (HTTP 503) when one of its own components fails or a required peer is
/// down, `degraded` when only an optional peer is down. Peers are asked for `/health/live`, not
/// `/health/ready`, so one slow service cannot cascade through the fleet, and answers are cached
/// briefly so frequent probes do not multiply traffic.
public actor HealthMonitor {
    public struct Report: Codable, Sendable, Equatable {
        public let status: String
        public let service: String
        public let components: [String: Bool]
        public let dependencies: [String: DependencyState]
        public let healthDetails: Details

        enum CodingKeys: String, CodingKey {
            case status, service, components, dependencies
            case healthDetails = "health_details"
        }

        public var isReady: Bool { status != "not_ready" }
    }

    public struct DependencyState: Codable, Sendable, Equatable {
        public let status: String
        public let required: Bool
        public let url: String
    }

    public struct Details: Codable, Sendable, Equatable {
        public let uptimeSeconds: Double
        public let version: String
        public let checkDurationMs: Double

        enum CodingKeys: String, CodingKey {
            case uptimeSeconds = "uptime_seconds"
            case version
            case checkDurationMs = "check_duration_ms"
        }
    }

    /// A named check of something the service owns (its database, its simulation loop).
    public typealias ComponentCheck = @Sendable () async -> Bool

    let service: String
    let started = ContinuousClock.now
    var components: [String: ComponentCheck] = [:]
    var peers: [(client: DownstreamClient, required: Bool)] = []
    var cached: (report: Report, at: ContinuousClock.Instant)?
    let cacheFor: Duration = .seconds(2)

    public init(service: String) {
        self.service = service
    }

    public func addComponent(_ name: String, check: @escaping ComponentCheck) {
        components[name] = check
    }

    public func addDependency(_ client: DownstreamClient, required: Bool = true) {
        peers.append((client, required))
    }

    public func liveness() -> [String: String] {
        ["status": "alive", "service": service]
    }

    public func readiness() async -> Report {
        if let cached, ContinuousClock.now - cached.at < cacheFor { return cached.report }
        let start = ContinuousClock.now
        var componentStates: [String: Bool] = [:]
        for (name, check) in components { componentStates[name] = await check() }
        let peerStates = await withTaskGroup(of: (String, DependencyState).self) { group in
            for (client, required) in peers {
                group.addTask {
                    let live = await client.isLive()
                    return (client.peer, DependencyState(status: live ? "healthy" : "unreachable", required: required,
                                                         url: client.baseURL))
                }
            }
            var states: [String: DependencyState] = [:]
            for await (peer, state) in group { states[peer] = state }
            return states
        }

        let ownOK = componentStates.values.allSatisfy { $0 }
        let requiredOK = peerStates.values.allSatisfy { !$0.required || $0.status == "healthy" }
        let optionalOK = peerStates.values.allSatisfy { $0.status == "healthy" }
        let status = !(ownOK && requiredOK) ? "not_ready" : optionalOK ? "ready" : "degraded"
        let elapsed = (ContinuousClock.now - start).seconds

        MetricCatalog.healthCheckDuration.observe(elapsed)
        MetricCatalog.healthStatus.set(status == "ready" ? 1 : status == "degraded" ? 0.5 : 0)
        for (peer, state) in peerStates {
            MetricCatalog.dependencyHealth.set(state.status == "healthy" ? 1 : 0, ["dependency": peer])
        }
        for (name, ok) in componentStates where MetricCatalog.serviceNames.contains(name) || name == "sqlite" {
            MetricCatalog.dependencyHealth.set(ok ? 1 : 0, ["dependency": name])
        }
        let report = Report(status: status, service: service, components: componentStates, dependencies: peerStates,
                            healthDetails: .init(uptimeSeconds: (ContinuousClock.now - started).seconds,
                                                 version: TelemetryConfiguration.version,
                                                 checkDurationMs: elapsed * 1000))
        cached = (report, .now)
        return report
    }
}
