import FleetTelemetry
import Logging
import Synchronization

/// The `otlpBlackhole` scenario in one process: opens and closes the black hole of the relays its
/// OTLP exporters send through (`Telemetry.otlpRelays`), and says so in the log when it switches —
/// or, where the exports do not go through a relay (https endpoints, export off), that it cannot.
final class OTLPBlackhole: Sendable {
    private let relays: [OTLPRelay]
    private let unavailable: String?
    private let logger: Logger
    private let isOn = Atomic<Bool>(false)

    private init(relays: [OTLPRelay], unavailable: String?, logger: Logger) {
        self.relays = relays
        self.unavailable = unavailable
        self.logger = logger
    }

    /// Follows `scenarios` from now on: the runner calls this once, before the service starts.
    @discardableResult
    static func follow(_ scenarios: ScenarioBoard, relays: [OTLPRelay], unavailable: String?,
                              logger: Logger) -> OTLPBlackhole {
        let blackhole = OTLPBlackhole(relays: relays, unavailable: unavailable, logger: logger)
        scenarios.observe { values in
            let scenario = Scenario.otlpBlackhole
            blackhole.apply(scenario.isActive(values[scenario.key] ?? scenario.offValue))
        }
        return blackhole
    }

    private func apply(_ on: Bool) {
        for relay in relays { relay.setBlackholed(on) }
        guard isOn.exchange(on, ordering: .relaxed) != on else { return }
        if on, let unavailable {
            logger.warning("otlpBlackhole is on but cannot black-hole every export", metadata: ["reason": "\(unavailable)"])
        }
        if !relays.isEmpty {
            logger.notice(on ? "OTLP black hole opened: the relay swallows every export" : "OTLP black hole closed: exports are forwarded again",
                          metadata: ["collector": "\(relays.map(\.upstream.description).joined(separator: ", "))"])
        }
    }
}
