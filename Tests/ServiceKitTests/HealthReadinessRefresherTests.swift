import Configuration
import CoreMetrics
import FleetTelemetry
import Prometheus
import ServiceKit
import Synchronization
import Testing

/// A peer whose liveness the test switches.
final class SwitchablePeer: Peer, Sendable {
    let name = "llm-flan"
    let url = "memory://llm-flan"
    private let live = Atomic<Bool>(true)

    func set(live value: Bool) { live.store(value, ordering: .relaxed) }
    func isLive() async -> Bool { live.load(ordering: .relaxed) }
}

/// The readiness gauges follow a dependency on their own, with nobody calling /health/ready.
@Suite("Readiness refresher")
struct HealthReadinessRefresherTests {
    /// Longer than `effectDeadline`: twice in fresh-clone CI runs (2026-12-07) the whole parallel
    /// suite on two cores kept this test's tasks from running for about 40 s, and the first poll
    /// gave up though nothing was wrong (alone it passes in about 4 s). A real failure still fails.
    static let deadline: Duration = .seconds(120)

    @Test("a dependency that dies flips the gauges without a readiness probe, and back when it returns")
    func gaugesFollowTheDependency() async throws {
        let registry = PrometheusCollectorRegistry()
        let peer = SwitchablePeer()
        let health = HealthMonitor(service: "orchestrator")
        await health.addDependency(peer, required: true)
        func dependency() -> Double? { registry.value(of: #"service_dependency_health{dependency="llm-flan"}"#) }
        func status() -> Double? { registry.value(of: "service_health_status") }

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Shorter than the default so the test is quick; the monitor's 2 s cache still holds.
                group.addTask { try await ReadinessRefresher(health: health, interval: .milliseconds(100)).run() }
                defer { group.cancelAll() }

                let up = try await poll(within: Self.deadline) { dependency() == 1 && status() == 1 ? true : nil }
                #expect(up == true, "gauges while the peer is live: dependency \(dependency() ?? -1), status \(status() ?? -1)")

                peer.set(live: false)
                let down = try await poll(within: Self.deadline) { dependency() == 0 && status() == 0 ? true : nil }
                #expect(down == true, "gauges after the peer died: dependency \(dependency() ?? -1), status \(status() ?? -1)")

                peer.set(live: true)
                let back = try await poll(within: Self.deadline) { dependency() == 1 && status() == 1 ? true : nil }
                #expect(back == true, "gauges after the peer came back: dependency \(dependency() ?? -1), status \(status() ?? -1)")
            }
        }
    }

    @Test("READINESS_REFRESH_INTERVAL sets the period in seconds, default 5; 0 turns refreshing off",
          arguments: [("", Duration?.some(.seconds(5))), ("0.5", .milliseconds(500)), ("0", nil)])
    func interval(value: String, expected: Duration?) throws {
        let environment = value.isEmpty ? [:] : ["READINESS_REFRESH_INTERVAL": value]
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
        let refresher = try ReadinessRefresher(health: HealthMonitor(service: "stt"), reader: reader)
        #expect(refresher.interval == expected)
    }

    @Test("a malformed interval stops start-up naming the variable", arguments: ["soon", "-1"])
    func badInterval(value: String) {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: ["READINESS_REFRESH_INTERVAL": value]))
        do {
            _ = try ReadinessRefresher(health: HealthMonitor(service: "stt"), reader: reader)
            Issue.record("READINESS_REFRESH_INTERVAL=\(value) was accepted")
        } catch let error as SettingsError {
            #expect(error.variable == "READINESS_REFRESH_INTERVAL")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
