import Foundation

/// A fault or load condition of a voice pipeline that can be switched on while the fleet runs.
///
/// Each scenario is one flag in `config/flagd/scenarios.flagd.json`, in flagd's flag-definition
/// format, so the real flagd can serve the same file. A flag has two variants: `off`, whose value is
/// the scenario's neutral value, and `on`, whose value is its severity (a percentage, a factor, a
/// number of seconds, ...). The catalog is data only and lives here, beside `FleetMember`, because
/// the metric catalog names its keys as a closed label set.
public struct Scenario: Sendable, Hashable, Identifiable, CustomStringConvertible {
    /// What a scenario's value means, and the values it accepts.
    public enum Scale: Sendable, Hashable {
        /// A number in `range`, in `unit`; `neutral` is the value that means "off".
        case number(unit: String, range: ClosedRange<Double>, neutral: Double)
        /// The name of a fleet member (the one made unreachable); "none" means off.
        case peer(allowed: [String])
        /// On or off.
        case toggle
    }

    /// The flag key, camelCase as in the OpenTelemetry demo's flagd file; also the metric label.
    public let key: String
    /// What it does, in a sentence, for `audio-fleet scenario list` and the pages.
    public let summary: String
    /// The services that read it (where its effect starts).
    public let services: [FleetMember]
    public let scale: Scale
    /// The `on` variant's value in the committed flag file: a severity that shows plainly.
    public let onValue: FlagValue

    /// The span attribute naming the scenario that changed a span's work, so a trace says why a
    /// stage was slow, failed, blocked or was cut.
    public static let spanAttribute = "fleet.scenario"

    public var id: String { key }
    public var description: String { key }

    /// The `off` variant's value.
    public var offValue: FlagValue {
        switch scale {
        case .number(_, _, let neutral): .number(neutral)
        case .peer: .string("none")
        case .toggle: .bool(false)
        }
    }

    /// True when `value` means the scenario is in effect.
    public func isActive(_ value: FlagValue) -> Bool { value != offValue }

    /// Why `value` is not one this scenario accepts; nil when it is.
    public func problem(with value: FlagValue) -> String? {
        switch (scale, value) {
        case (.number(let unit, let range, _), .number(let number)):
            return range.contains(number) ? nil
                : "\(Self.format(number)) is outside \(Self.format(range.lowerBound))...\(Self.format(range.upperBound)) \(unit)"
        case (.peer(let allowed), .string(let name)):
            return name == "none" || allowed.contains(name) ? nil
                : "'\(name)' is not a service it can cut off (\((["none"] + allowed).joined(separator: ", ")))"
        case (.toggle, .bool):
            return nil
        case (.number(let unit, _, _), _):
            return "expected a number of \(unit), got \(value)"
        case (.peer, _):
            return "expected a service name, got \(value)"
        case (.toggle, _):
            return "expected true or false, got \(value)"
        }
    }

    /// The value `text` spells for this scenario (from a command line or a form), or nil.
    public func parse(_ text: String) -> FlagValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch scale {
        case .number:
            let digits = trimmed.hasSuffix("%") ? String(trimmed.dropLast()) : trimmed
            return Double(digits).map(FlagValue.number)
        case .peer:
            return trimmed.isEmpty ? nil : .string(trimmed)
        case .toggle:
            switch trimmed.lowercased() {
            case "true", "on", "1", "yes": return .bool(true)
            case "false", "off", "0", "no": return .bool(false)
            default: return nil
            }
        }
    }

    /// The unit a value is shown in ("%", "x", "s", ...); empty for a peer or a toggle.
    public var unit: String {
        if case .number(let unit, _, _) = scale { return unit }
        return ""
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

extension Scenario {
    public static func named(_ key: String) -> Scenario? { all.first { $0.key == key } }

    public static var keys: [String] { all.map(\.key) }
}

/// A flag's value, as flagd's variants and OFREP's answers carry it: a JSON boolean, number or string.
public enum FlagValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case bool(Bool)
    case number(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a flag value must be a boolean, a number or a string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let bool): try container.encode(bool)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? try container.encode(Int(number)) : try container.encode(number)
        case .string(let string): try container.encode(string)
        }
    }

    /// The value as a number: a number as is, a toggle as 1 or 0, a service name as 1 unless "none".
    public var magnitude: Double {
        switch self {
        case .number(let number): number
        case .bool(let bool): bool ? 1 : 0
        case .string(let name): name == "none" ? 0 : 1
        }
    }

    public var description: String {
        switch self {
        case .bool(let bool): String(bool)
        case .number(let number): Scenario.format(number)
        case .string(let string): "'\(string)'"
        }
    }
}
