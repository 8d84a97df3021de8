import FleetTelemetry
import Foundation
public import Hummingbird

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
    }

    /// A named check of something the service owns (its database, its simulation loop).
    public typealias ComponentCheck = @Sendable () async -> Bool

    let service: String
    let started = ContinuousClock.now
    var components: [String: ComponentCheck] = [:]
    var peers: [(peer: any Peer, required: Bool)] = []
    var cached: (report: Report, at: ContinuousClock.Instant)?
    let cacheFor: Duration = .seconds(2)

    public init(service: String) {
        self.service = service
    }

    public func addComponent(_ name: String, check: @escaping ComponentCheck) {
        components[name] = check
    }

    public func addDependency(_ peer: any Peer, required: Bool = true) {
        peers.append((peer, required))
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
            for (peer, required) in peers {
                group.addTask {
                    let live = await peer.isLive()
                    return (peer.name, DependencyState(status: live ? "healthy" : "unreachable", required: required,
                                                       url: peer.url))
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
        for (name, ok) in componentStates where MetricCatalog.serviceNames.contains(name) || MetricCatalog.storeComponents.contains(name) {
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

extension HealthMonitor.Report: ResponseEncodable {}
