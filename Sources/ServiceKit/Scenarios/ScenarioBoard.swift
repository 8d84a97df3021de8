public import FleetTelemetry
import Synchronization

/// The scenarios in effect in this process, as the flag source last said. Services read it on every
/// request or frame, so a read is one lock and a dictionary lookup; a flag source (the watched flag
/// file, or flagd over OFREP) replaces the whole state when its flags change.
///
/// Tests set scenarios directly with `set(_:to:)`.
public final class ScenarioBoard: Sendable {
    private struct State {
        var values: [String: FlagValue] = [:]
        var draws = SeededGenerator(seed: 0, stream: "scenarios")
        var observers: [@Sendable ([String: FlagValue]) -> Void] = []
    }

    private let state: Mutex<State>
    private let service: String

    /// - Parameters:
    ///   - service: the `service.name` whose gauges this board sets.
    ///   - seed: seeds the draws behind percentage scenarios, so a run replays.
    public init(service: String, seed: UInt64 = 42) {
        self.service = service
        state = Mutex(State(draws: SeededGenerator(seed: seed, stream: "\(service)/scenarios")))
        for scenario in Scenario.all { Self.publish(scenario, .none) }
    }

    // MARK: Reading

    /// The scenario's value while it is on; nil while it is off.
    public func value(_ scenario: Scenario) -> FlagValue? {
        let value = state.withLock { $0.values[scenario.key] }
        guard let value, scenario.isActive(value) else { return nil }
        return value
    }

    public func isOn(_ scenario: Scenario) -> Bool { value(scenario) != nil }

    /// A numeric scenario's severity while it is on (a factor, seconds, dB, ...); nil while off.
    public func severity(_ scenario: Scenario) -> Double? {
        guard case .number(let number)? = value(scenario) else { return nil }
        return number
    }

    /// A factor scenario's multiplier: its severity while on, 1 while off.
    public func factor(_ scenario: Scenario) -> Double { severity(scenario) ?? 1 }

    /// For a percentage scenario: whether this call is one of the affected share. Draws from the
    /// board's seeded stream, so the same sequence of calls is affected on every run.
    public func strikes(_ scenario: Scenario) -> Bool {
        guard let percent = severity(scenario), percent > 0 else { return false }
        return state.withLock { Double($0.draws.next() % 10_000) / 100 < percent }
    }

    /// The peer a `downstreamUnreachable`-style scenario names while on.
    public func peer(_ scenario: Scenario) -> String? {
        guard case .string(let name)? = value(scenario) else { return nil }
        return name
    }

    /// Every scenario with its current value (the off value when off).
    public var snapshot: [(scenario: Scenario, value: FlagValue)] {
        let values = state.withLock { $0.values }
        return Scenario.all.map { ($0, values[$0.key] ?? $0.offValue) }
    }

    // MARK: Changing

    /// Replaces the whole state with validated values (a flag missing here is off).
    public func replace(with values: [String: FlagValue]) {
        let observers = state.withLock { state -> [@Sendable ([String: FlagValue]) -> Void] in
            state.values = values
            return state.observers
        }
        for scenario in Scenario.all { Self.publish(scenario, values[scenario.key]) }
        for observer in observers { observer(values) }
    }

    /// Sets one scenario (a test, or a service applying a single flag).
    public func set(_ scenario: Scenario, to value: FlagValue?) {
        var values = state.withLock { $0.values }
        values[scenario.key] = value
        replace(with: values)
    }

    /// Calls `observer` now and after every change: for effects that are state rather than a
    /// per-call decision (a leak that grows and is freed, an exporter that is cut off).
    public func observe(_ observer: @escaping @Sendable ([String: FlagValue]) -> Void) {
        let values = state.withLock { state in
            state.observers.append(observer)
            return state.values
        }
        observer(values)
    }

    private static func publish(_ scenario: Scenario, _ value: FlagValue?) {
        let value = value ?? scenario.offValue
        let active = scenario.isActive(value)
        MetricCatalog.scenarioActive.set(active ? 1 : 0, ["scenario": scenario.key])
        MetricCatalog.scenarioSeverity.set(active ? value.magnitude : 0, ["scenario": scenario.key])
    }
}
