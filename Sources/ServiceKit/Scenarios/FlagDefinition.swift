public import FleetTelemetry

/// One flag of a flagd file: its state, its variants and the variant in effect.
public struct FlagDefinition: Codable, Sendable, Equatable {
    /// flagd's two flag states. A DISABLED flag evaluates to the code default (off, here).
    public enum State: String, Codable, Sendable, CaseIterable {
        case enabled = "ENABLED"
        case disabled = "DISABLED"
    }

    public static let offVariant = "off"
    public static let onVariant = "on"

    public var state: State
    public var variants: [String: FlagValue]
    public var defaultVariant: String
    /// flagd's per-flag metadata (returned with each evaluation): strings, numbers, booleans.
    public var metadata: [String: FlagValue]?

    public init(state: State = .enabled, variants: [String: FlagValue], defaultVariant: String,
                metadata: [String: FlagValue]? = nil) {
        self.state = state
        self.variants = variants
        self.defaultVariant = defaultVariant
        self.metadata = metadata
    }

    /// A scenario's flag, switched off.
    public static func defaults(for scenario: Scenario) -> FlagDefinition {
        FlagDefinition(variants: [offVariant: scenario.offValue, onVariant: scenario.onValue], defaultVariant: offVariant)
    }

    // flagd's member names, as they are in its schema.
    enum CodingKeys: String, CodingKey {
        case state, variants, defaultVariant, targeting, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rawState = try container.decode(String.self, forKey: .state)
        guard let state = State(rawValue: rawState) else {
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription: "'\(rawState)' is not ENABLED or DISABLED")
        }
        self.state = state
        variants = try container.decode([String: FlagValue].self, forKey: .variants)
        defaultVariant = try container.decode(String.self, forKey: .defaultVariant)
        metadata = try container.decodeIfPresent([String: FlagValue].self, forKey: .metadata)
        // `"targeting": {}` is flagd's "no rules"; anything else is refused (see FlagDefinitions).
        if container.contains(.targeting),
           try container.nestedContainer(keyedBy: FlagKey.self, forKey: .targeting).allKeys.isEmpty == false {
            throw DecodingError.dataCorruptedError(
                forKey: .targeting, in: container,
                debugDescription: "targeting rules are not supported: a scenario applies to the whole fleet, so set defaultVariant instead")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(variants, forKey: .variants)
        try container.encode(defaultVariant, forKey: .defaultVariant)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }

    /// The value this flag gives `scenario`, after checking its definition and every variant.
    func value(for scenario: Scenario) throws(FlagError) -> FlagValue {
        let key = scenario.key
        guard let selected = variants[defaultVariant] else {
            throw FlagError(flag: key, reason: "invalid_definition",
                            message: "flag '\(key)': defaultVariant '\(defaultVariant)' is not one of its variants (\(variants.keys.sorted().joined(separator: ", ")))")
        }
        for (name, value) in variants.sorted(by: { $0.key < $1.key }) {
            if let problem = scenario.problem(with: value) {
                throw FlagError(flag: key, reason: "invalid_value", message: "flag '\(key)': variant '\(name)': \(problem)")
            }
        }
        return state == .enabled ? selected : scenario.offValue
    }
}
