public import Configuration
import Foundation

/// Where a process's scenario flags come from, read through the service's one ConfigReader.
///
/// FLAGD_HOST (and FLAGD_OFREP_PORT, 8016 by default) are the OpenTelemetry demo's variable
/// names: when set, flags are evaluated by flagd over OFREP. Otherwise the flag file at
/// SCENARIO_FLAGS_FILE is watched (relative to the working directory, like DATA_DIR).
public struct ScenarioSettings: Sendable, Equatable {
    public static let defaultFlagsFile = "var/flags/scenarios.flagd.json"
    public static let defaultOFREPPort = 8016

    /// FLAGD_HOST: flagd's host name; nil means the file source.
    public var flagdHost: String?
    /// FLAGD_OFREP_PORT: flagd's OFREP port.
    public var ofrepPort: Int
    /// SCENARIO_FLAGS_FILE: the flag file the controls write (and the file source watches).
    public var flagsFile: String

    public init(reader: ConfigReader) throws {
        let host = reader.string(forKey: "flagd.host")?.trimmingCharacters(in: .whitespaces)
        flagdHost = host?.isEmpty == false ? host : nil
        ofrepPort = try reader.parsed("flagd.ofrep.port", default: Self.defaultOFREPPort) {
            Int($0).flatMap { (1...65535).contains($0) ? $0 : nil }
        }
        flagsFile = Self.flagsFile(in: reader)
    }

    /// SCENARIO_FLAGS_FILE alone, which cannot be malformed: for `ServiceRuntime.flagFile`.
    public static func flagsFile(in reader: ConfigReader) -> String {
        reader.string(forKey: "scenario.flags.file", default: defaultFlagsFile)
    }

    /// flagd's OFREP base URL, when flags come from flagd.
    public var ofrepBaseURL: String? {
        flagdHost.map { "http://\($0):\(ofrepPort)" }
    }
}
