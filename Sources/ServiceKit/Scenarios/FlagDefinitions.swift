public import FleetTelemetry
import Foundation

/// The scenario flags as one file in flagd's flag-definition format
/// (https://flagd.dev/schema/v0/flags.json), so the real flagd serves the very file the fleet
/// watches natively. Each flag has an `off` and an `on` variant; `defaultVariant` picks the one
/// in effect.
///
/// Targeting rules are refused, not kept: a scenario is fleet-wide and the services evaluate with
/// an empty context, so a rule could only make the file source and flagd disagree about what is on.
/// Unknown top-level members (flagd's `$evaluators`, for instance) are ignored and not written back.
public struct FlagDefinitions: Codable, Sendable, Equatable {
    public static let schemaURL = "https://flagd.dev/schema/v0/flags.json"

    public var schema: String?
    public var flags: [String: FlagDefinition]
    /// flagd's flag-set metadata: string, number or boolean values.
    public var metadata: [String: FlagValue]?

    public init(schema: String? = schemaURL, flags: [String: FlagDefinition], metadata: [String: FlagValue]? = nil) {
        self.schema = schema
        self.flags = flags
        self.metadata = metadata
    }

    // flagd's own member names: `$schema` cannot be a Swift name, and the file is flagd's camelCase
    // format, not the fleet's snake_case API JSON.
    enum CodingKeys: String, CodingKey {
        case schema = "$schema", flags, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decodeIfPresent(String.self, forKey: .schema)
        metadata = try container.decodeIfPresent([String: FlagValue].self, forKey: .metadata)
        // Flag by flag, so an error names the flag it is in.
        let flagsContainer = try container.nestedContainer(keyedBy: FlagKey.self, forKey: .flags)
        var flags: [String: FlagDefinition] = [:]
        for key in flagsContainer.allKeys {
            do {
                flags[key.stringValue] = try flagsContainer.decode(FlagDefinition.self, forKey: key)
            } catch let error as DecodingError {
                throw FlagError(flag: key.stringValue, reason: "invalid_definition",
                                message: "flag '\(key.stringValue)': \(Self.describe(error, below: 2))")
            }
        }
        self.flags = flags
    }

    // MARK: Reading and writing

    /// Reads a flag file's bytes. Broken JSON or a missing `flags` object is `malformed_file`
    /// (flag "file"); a flag whose shape is wrong is `invalid_definition`, naming the flag.
    public static func parse(_ bytes: some Collection<UInt8>) throws(FlagError) -> FlagDefinitions {
        do {
            return try JSONDecoder().decode(FlagDefinitions.self, from: Data(bytes))
        } catch let error as FlagError {
            throw error
        } catch let error as DecodingError {
            throw FlagError(flag: "file", reason: "malformed_file",
                            message: "the flag file is not a flagd flag definition: \(describe(error, below: 0))")
        } catch {
            throw FlagError(flag: "file", reason: "malformed_file", message: "the flag file cannot be read: \(error)")
        }
    }

    /// Pretty-printed with sorted keys and a trailing newline, so the same definitions are always
    /// the same bytes (the committed defaults are compared byte for byte).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and booleans into dictionaries cannot fail.
        guard let data = try? encoder.encode(self) else { preconditionFailure("flag definitions always encode") }
        return Array(data) + [UInt8(ascii: "\n")]
    }

    // MARK: Validating

    /// Every scenario's value as these definitions set it, after checking every flag against the
    /// catalog: an unknown key, a broken definition or a value the scenario refuses throws an error
    /// naming the flag. A scenario missing from the file, or a DISABLED flag, is off (flagd answers
    /// a disabled flag with the code default, and the fleet's code default is off).
    public func resolved() throws(FlagError) -> [String: FlagValue] {
        var values = Dictionary(uniqueKeysWithValues: Scenario.all.map { ($0.key, $0.offValue) })
        for (key, flag) in flags.sorted(by: { $0.key < $1.key }) {
            guard let scenario = Scenario.named(key) else {
                throw FlagError(flag: key, reason: "unknown_flag",
                                message: "flag '\(key)' is not a scenario (known: \(Scenario.keys.joined(separator: ", ")))")
            }
            values[key] = try flag.value(for: scenario)
        }
        return values
    }

    // MARK: Editing

    /// Every scenario, off: variants `off` (its neutral value) and `on` (its catalogued severity).
    public static var defaults: FlagDefinitions {
        FlagDefinitions(flags: Dictionary(uniqueKeysWithValues: Scenario.all.map { ($0.key, FlagDefinition.defaults(for: $0)) }))
    }

    /// Switches a scenario on: with `value`, that becomes its `on` variant (after checking it);
    /// without, the stored `on` variant (or the catalogued one) is used.
    public mutating func switchOn(_ key: String, value: FlagValue? = nil) throws(FlagError) {
        let scenario = try Self.scenario(key)
        if let value, let problem = scenario.problem(with: value) {
            throw FlagError(flag: key, reason: "invalid_value", message: "flag '\(key)': \(problem)")
        }
        var flag = flags[key] ?? .defaults(for: scenario)
        flag.variants[FlagDefinition.onVariant] = value ?? flag.variants[FlagDefinition.onVariant] ?? scenario.onValue
        flag.variants[FlagDefinition.offVariant] = scenario.offValue
        flag.defaultVariant = FlagDefinition.onVariant
        flag.state = .enabled
        flags[key] = flag
    }

    /// Switches a scenario off (its `off` variant is reset to the neutral value, so off means off).
    public mutating func switchOff(_ key: String) throws(FlagError) {
        let scenario = try Self.scenario(key)
        var flag = flags[key] ?? .defaults(for: scenario)
        flag.variants[FlagDefinition.offVariant] = scenario.offValue
        flag.defaultVariant = FlagDefinition.offVariant
        flags[key] = flag
    }

    /// Switches every scenario off.
    public mutating func switchAllOff() {
        for scenario in Scenario.all {
            try? switchOff(scenario.key)
        }
    }

    private static func scenario(_ key: String) throws(FlagError) -> Scenario {
        guard let scenario = Scenario.named(key) else {
            throw FlagError(flag: key, reason: "unknown_flag",
                            message: "flag '\(key)' is not a scenario (known: \(Scenario.keys.joined(separator: ", ")))")
        }
        return scenario
    }

    /// A decoding error in words: where (below the first `below` path components) and what.
    static func describe(_ error: DecodingError, below depth: Int) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.dropFirst(depth).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "'\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)' is missing"
        case .valueNotFound(_, let context):
            return "'\(path(context))' is null"
        case .typeMismatch(let type, let context):
            return "'\(path(context))' is not \(type == String.self ? "a string" : "of the expected type (\(type))")"
        case .dataCorrupted(let context):
            let place = path(context)
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return (place.isEmpty ? "" : "'\(place)': ") + context.debugDescription + underlying
        @unknown default:
            return "\(error)"
        }
    }
}

/// A refused flag definition or evaluation. `flag` is the scenario key (or "file" for the file,
/// or the OFREP answer, as a whole); `reason` is one of `MetricCatalog.flagErrorReasons`, the
/// `flag_errors_total` label; `message` names the flag and says what is wrong.
public struct FlagError: Error, Sendable, Equatable, CustomStringConvertible {
    public let flag: String
    public let reason: String
    public let message: String

    public init(flag: String, reason: String, message: String) {
        self.flag = flag
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

struct FlagKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}
