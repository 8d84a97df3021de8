public import Configuration
public import FleetTelemetry
import Foundation
import SystemPackage

/// Settings every service reads, from the environment and an optional `.env` file.
///
/// Keys are swift-configuration keys; the environment provider maps `fleet.seed` to FLEET_SEED.
/// A value that is present but malformed stops start-up with a message naming the variable,
/// rather than silently falling back to a default.
public struct ServiceSettings: Sendable {
    public var host: String
    public var port: Int
    /// FLEET_SEED: every stub's randomness derives from it, so runs replay.
    public var seed: UInt64
    /// LATENCY_SCALE: multiplies every simulated model latency (0.1 makes the fleet 10x faster).
    public var latencyScale: Double
    /// LATENCY_PROFILE: the set of latency-model defaults every stage starts from (LatencyProfile:
    /// default, original, realtime); each stage's own variable still overrides its value.
    public var latencyProfile: LatencyProfile
    /// DATA_DIR: where a service keeps state (the orchestrator's SQLite database).
    public var dataDirectory: String
    /// Base URLs of the other services (AUDIO_PROCESSOR_URL, STT_URL, ...).
    public var peerURLs: [FleetMember: String]
    /// HTTP_IDLE_TIMEOUT, HTTP_REQUEST_READ_TIMEOUT, HTTP_MAX_CONNECTIONS: what the server gives a client.
    public var httpServer: HTTPServerLimits
    /// The reader, for service-specific keys.
    public let reader: ConfigReader

    public init(member: FleetMember, reader: ConfigReader) throws {
        self.reader = reader
        host = reader.string(forKey: "host", default: "127.0.0.1")
        port = try reader.parsed("port", default: member.hostPort) { Int($0).flatMap { (1...65535).contains($0) ? $0 : nil } }
        seed = try reader.parsed("fleet.seed", default: 42) { UInt64($0) }
        latencyScale = try reader.parsed("latency.scale", default: 1.0) { Double($0).flatMap { $0 >= 0 ? $0 : nil } }
        latencyProfile = try Self.latencyProfile(reader)
        dataDirectory = reader.string(forKey: "data.dir", default: "var/data")
        var urls: [FleetMember: String] = [:]
        for peer in FleetMember.allCases {
            let url = reader.string(forKey: ConfigKey(peer.urlKey), default: peer.defaultURL)
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw SettingsError(variable: peer.urlVariable, value: url, expected: "an http:// or https:// URL")
            }
            urls[peer] = url
        }
        peerURLs = urls
        httpServer = try HTTPServerLimits(reader: reader)
    }

    /// LATENCY_PROFILE, case-insensitive; unset or empty is `default`. An unknown name stops
    /// start-up with the valid ones in the message, rather than running some other stack.
    static func latencyProfile(_ reader: ConfigReader) throws -> LatencyProfile {
        guard let raw = reader.string(forKey: "latency.profile"),
              !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return .default }
        guard let profile = LatencyProfile.named(raw.trimmingCharacters(in: .whitespaces)) else {
            throw SettingsError(variable: "LATENCY_PROFILE", value: raw, expected: LatencyProfile.expected)
        }
        return profile
    }

    /// Settings from the process environment, a `.env` file in the working directory if present,
    /// and `overrides` (command-line options) on top.
    public static func load(member: FleetMember, overrides: [String: String] = [:]) async throws -> ServiceSettings {
        var providers: [any ConfigProvider] = []
        if !overrides.isEmpty {
            providers.append(InMemoryProvider(values: Dictionary(uniqueKeysWithValues: overrides.map {
                (AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)), ConfigValue(.string($0.value), isSecret: false))
            })))
        }
        providers.append(contentsOf: try await environmentProviders())
        return try ServiceSettings(member: member, reader: ConfigReader(providers: providers))
    }

    /// The process environment above a `.env` file in the working directory: what every service
    /// reads, and what `audio-fleet up` reads to decide for its children.
    public static func environmentReader() async throws -> ConfigReader {
        ConfigReader(providers: try await environmentProviders())
    }

    private static func environmentProviders() async throws -> [any ConfigProvider] {
        [EnvironmentVariablesProvider(),
         try await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true)]
    }

    /// Settings from a dictionary of environment variables only; what tests use.
    public static func forTesting(member: FleetMember, environment: [String: String] = [:]) throws -> ServiceSettings {
        try ServiceSettings(member: member, reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }
}

/// A setting with a value that cannot be used; start-up stops with this message.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String
    public var description: String { "\(variable)=\"\(value)\" is not valid: expected \(expected)." }

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }
}

extension ConfigReader {
    /// Reads `key` as a string and parses it, throwing a `SettingsError` that names the environment
    /// variable when the value is there but unusable.
    public func parsed<T>(_ key: String, default fallback: T, _ parse: (String) -> T?) throws -> T {
        guard let raw = string(forKey: ConfigKey(key)) else { return fallback }
        guard let value = parse(raw.trimmingCharacters(in: .whitespaces)) else {
            throw SettingsError(variable: key.uppercased().split(separator: ".").joined(separator: "_"), value: raw,
                                expected: "a valid \(T.self)")
        }
        return value
    }
}
