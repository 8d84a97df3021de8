import FleetTelemetry

/// The order `up` stops the fleet in, one tier after another.
///
/// Stopping all nine at once failed every turn in flight: the back ends went away while the front
/// doors still took work and the orchestrator was mid-turn. So the doors that start turns close
/// first and drain what they started while everything behind them still answers; then the
/// orchestrator drains the turns others sent it; then the back ends. The monitoring dashboard goes
/// last, although it is a page too: natively it is the embedded OTLP backend, and every other
/// service's final export on shutdown (the spans of the turns it just drained) goes to it.
extension FleetDirectory {
    static let stopTiers: [(name: String, members: [FleetMember])] = [
        ("front doors", [.discord, .testingUI]),
        ("orchestrator", [.orchestrator]),
        ("back ends", [.audioProcessor, .stt, .guardrails, .llm, .tts]),
        ("telemetry backend", [.monitoringDashboard]),
    ]
}
