public import FleetTelemetry
public import Hummingbird
public import ServiceKit

/// testing-ui: GET /scenarios, PUT /scenarios/{key}, POST /scenarios/reset — the fault scenarios,
/// how each is set, and whether it is on. The monitoring-dashboard's GET /api/scenarios answers
/// the same shape. `audio-fleet scenario` reads and writes these.
public struct ScenarioList: Codable, Sendable, Equatable {
    /// Where the flags come from: the flag file's path, or flagd's OFREP URL.
    public var source: String
    /// `process`: as the answering service is running them now (a change reaches every service
    /// within 2 s); `file`: as the flag file defines them, just written.
    public var stateOf: String
    public var scenarios: [ScenarioState]

    public init(source: String, stateOf: String, scenarios: [ScenarioState]) {
        self.source = source
        self.stateOf = stateOf
        self.scenarios = scenarios
    }

    /// The active ones only.
    public var active: [ScenarioState] { scenarios.filter(\.active) }
}

/// One scenario: what it is, the values it accepts, and its value now.
public struct ScenarioState: Codable, Sendable, Equatable {
    public var key: String
    public var summary: String
    /// The services whose behaviour it changes.
    public var services: [String]
    /// `number`, `peer` (a service name) or `toggle`.
    public var kind: String
    /// "%", "x", "s", "ms", "dB", "MiB"; empty for a peer or a toggle.
    public var unit: String
    /// A number scenario's accepted range.
    @NullWhenAbsent public var min: Double?
    @NullWhenAbsent public var max: Double?
    /// A peer scenario's accepted service names.
    @NullWhenAbsent public var allowed: [String]?
    /// The value `on` without a value sets: the flag file's stored `on` variant.
    public var onValue: FlagValue
    /// The neutral value, which means off.
    public var offValue: FlagValue
    public var active: Bool
    /// Its value now: the off value while off.
    public var value: FlagValue
    /// The value the flag file already sets, while the running services have not caught up with
    /// it (at most 2 s after a change); null once they have, or when not known.
    @NullWhenAbsent public var pending: FlagValue?

    public init(_ scenario: Scenario, value: FlagValue, onValue: FlagValue? = nil, pending: FlagValue? = nil) {
        key = scenario.key
        summary = scenario.summary
        services = scenario.services.map(\.name)
        unit = scenario.unit
        switch scenario.scale {
        case .number(_, let range, _):
            kind = "number"
            min = range.lowerBound
            max = range.upperBound
        case .peer(let names):
            kind = "peer"
            allowed = names
        case .toggle:
            kind = "toggle"
        }
        self.onValue = onValue ?? scenario.onValue
        offValue = scenario.offValue
        active = scenario.isActive(value)
        self.value = value
        self.pending = pending == value ? nil : pending
    }

    /// The accepted values in words: "1...20 x", "stt, llm-flan, ...", "true or false".
    public var accepts: String {
        if let min, let max { return "\(FlagValue.number(min))...\(FlagValue.number(max)) \(unit)" }
        if let allowed { return allowed.joined(separator: ", ") }
        return "true or false"
    }

    /// The value with its unit, for a table or a page: "4 x", "guardrails", "on".
    public var valueText: String { Self.text(of: value, unit: unit) }

    /// Whether it will be on once the services catch up with the flag file.
    public var willBeActive: Bool { pending.map { $0 != offValue } ?? active }

    /// What switching it on without a value sets, with its unit.
    public var onValueText: String { Self.text(of: onValue, unit: unit) }

    public static func text(of value: FlagValue, unit: String) -> String {
        switch value {
        case .number: unit.isEmpty ? value.description : "\(value) \(unit)"
        case .string(let name): name
        case .bool(let on): on ? "on" : "off"
        }
    }
}

/// PUT /scenarios/{key}'s body: switch it on (at `value`, or its stored `on` value) or off.
public struct ScenarioChange: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var value: FlagValue?

    public init(enabled: Bool, value: FlagValue? = nil) {
        self.enabled = enabled
        self.value = value
    }
}

extension ScenarioList: ResponseEncodable {}
