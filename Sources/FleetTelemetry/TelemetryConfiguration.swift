public import Configuration
import Foundation

/// What one process's telemetry looks like, read from the standard OTEL_* variables.
///
/// Every variable is read through the same `ConfigReader` as the rest of the settings (the process
/// environment above an optional `.env` file, see ServiceSettings), so a `.env` file reaches
/// telemetry too. This type validates the values up front, because swift-otel turns an unsupported
/// value into a crash (see shared/notes/swift-stack-facts.md), and carries what the reader says
/// into swift-otel's configuration (`otelConfiguration`). Tests inject the environment through the
/// reader instead of mutating the process.
public struct TelemetryConfiguration: Sendable, Equatable {
    /// `service.name`: the fleet member's name, unless OTEL_SERVICE_NAME is set (through the reader),
    /// which then wins as the OTel spec says. Nothing sets it fleet-wide: `audio-fleet up` removes it
    /// from its children's environment and the compose files set none, so the nine services keep
    /// nine names; set it for one process to rename that process. An empty value is refused.
    public var serviceName: String
    /// `service.version`.
    public var serviceVersion: String
    /// `service.namespace`; the collector turns it into the first half of the Prometheus job label.
    public var serviceNamespace = "audio-orchestrator"
    /// `service.instance.id` — OTEL_SERVICE_INSTANCE_ID, default `<member>-<host>-<pid>`; the
    /// collector's Prometheus `instance` label.
    public var serviceInstanceID: String
    /// `deployment.environment` — DEPLOYMENT_ENVIRONMENT, default `development`.
    public var deploymentEnvironment: String
    /// False when OTEL_ENABLED=false or OTEL_SDK_DISABLED=true: nothing is exported, /metrics still works.
    public var exportEnabled: Bool
    /// How often metrics are pushed — OTEL_METRIC_EXPORT_INTERVAL (ms). We default to 10 s rather than
    /// the spec's 60 s so a demo's dashboards fill within a minute.
    public var metricExportInterval: Duration
    /// Per-export timeout — OTEL_EXPORTER_OTLP_TIMEOUT (ms). 2 s by default so that shutdown with no
    /// collector listening stays well inside the 5 s budget.
    public var exportTimeout: Duration
    /// LOG_LEVEL (trace, debug, info, notice, warning, error, critical), default info.
    public var logLevel: String
    /// FLEET_OTLP_EMBEDDED_BACKEND=true (`embeddedBackendVariable`): export swift-otel's JSON to the
    /// fleet's embedded backend, whatever OTEL_EXPORTER_OTLP_*PROTOCOL says.
    public var exportsToEmbeddedBackend: Bool

    /// What the reader says for the OTEL_* settings that `otelConfiguration` hands to swift-otel;
    /// nil (or empty) where unset, so swift-otel's default stays.
    var traces: SignalExport
    var metrics: SignalExport
    var logs: SignalExport
    /// OTEL_TRACES_SAMPLER, lowercased.
    var sampler: String?
    /// OTEL_TRACES_SAMPLER_ARG.
    var samplerArgument: Double?
    /// OTEL_RESOURCE_ATTRIBUTES, parsed as swift-otel parses it (a malformed value is ignored, as
    /// swift-otel ignores it with a warning).
    var environmentResourceAttributes: [String: String]
    /// OTEL_BSP_SCHEDULE_DELAY and OTEL_BLRP_SCHEDULE_DELAY (ms).
    var spanScheduleDelay: Duration?
    var logRecordScheduleDelay: Duration?

    /// One signal's exporter settings, as the reader gives them.
    struct SignalExport: Sendable, Equatable {
        /// OTEL_<SIGNAL>S_EXPORTER, lowercased: otlp, none or console.
        var exporter: String?
        /// OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, lowercased.
        var `protocol`: String?
        /// The URL this signal is sent to: OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as given, else
        /// OTEL_EXPORTER_OTLP_ENDPOINT — with `/v1/<signal>` appended for an HTTP protocol (the OTLP
        /// spec's rule, which swift-otel applies to a shared endpoint only), as given for gRPC.
        var endpoint: String?
        /// OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS, else OTEL_EXPORTER_OTLP_HEADERS (`key=value,...`);
        /// nil when unset or malformed (swift-otel ignores a malformed value with a warning).
        var headers: [Header]?
    }

    struct Header: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// The OTLP signals and their parts of the variable names.
    enum Signal: String, CaseIterable, Sendable {
        case traces, metrics, logs

        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_<suffix>`.
        func variable(_ suffix: String) -> String { "OTEL_EXPORTER_OTLP_\(rawValue.uppercased())_\(suffix)" }
        /// `OTEL_<SIGNAL>_EXPORTER`.
        var exporterVariable: String { "OTEL_\(rawValue.uppercased())_EXPORTER" }
    }

    public static let version = "1.0.0"

    /// The OTLP protocols this build speaks. gRPC is a build option (the `OTLPGRPC` package trait,
    /// `swift build --traits OTLPGRPC`): without it swift-otel would crash on `grpc`, so we refuse it
    /// up front with a message that says how to get it.
    ///
    /// `http/json` is not offered: swift-otel 1.6 writes trace and span ids in base64 (swift-protobuf's
    /// JSON for `bytes`) where the OTLP specification's JSON encoding requires hex, so a collector
    /// would misread every id. It is refused with a message that says so (`notOffered`).
    #if OTLPGRPC
    public static let protocols: Set<String> = ["grpc", "http/protobuf"]
    #else
    public static let protocols: Set<String> = ["http/protobuf"]
    #endif

    /// Protocols swift-otel has but the fleet refuses, and why.
    static let notOffered: [String: String] = [
        "http/json": "http/json is not offered: swift-otel 1.6 writes trace and span ids in base64 where the OTLP "
            + "specification's JSON encoding requires hex, so a collector would misread them; use http/protobuf",
    ]

    /// FLEET_OTLP_EMBEDDED_BACKEND=true: this process exports to the monitoring-dashboard's embedded
    /// backend, which `audio-fleet up` sets when nobody named a collector. That backend reads
    /// swift-otel's own JSON, base64 ids included, so the JSON export is used for it and nothing else.
    public static let embeddedBackendVariable = "FLEET_OTLP_EMBEDDED_BACKEND"

    /// The values OTEL_* variables may take here; anything else fails start-up naming the variable.
    static let allowedValues: [String: Set<String>] = [
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocols,
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": protocols,
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": protocols,
        "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": protocols,
        "OTEL_TRACES_EXPORTER": ["otlp", "none"],
        "OTEL_METRICS_EXPORTER": ["otlp", "none"],
        "OTEL_LOGS_EXPORTER": ["otlp", "none", "console"],
        "OTEL_TRACES_SAMPLER": ["always_on", "always_off", "traceidratio", "parentbased_always_on",
                                "parentbased_always_off", "parentbased_traceidratio"],
        "OTEL_ENABLED": ["true", "false"],
        "FLEET_OTLP_EMBEDDED_BACKEND": ["true", "false"],
        "OTEL_SDK_DISABLED": ["true", "false"],
        "LOG_LEVEL": ["trace", "debug", "info", "notice", "warning", "error", "critical"],
    ]
    static let endpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]
    static let millisecondVariables = ["OTEL_METRIC_EXPORT_INTERVAL", "OTEL_EXPORTER_OTLP_TIMEOUT",
                                       "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY"]

    /// Reads and validates every telemetry variable through `reader`.
    public init(serviceName: String, reader: ConfigReader) throws(TelemetryConfigurationError) {
        try Self.validate(reader)
        func read(_ variable: String) -> String? { Self.read(variable, from: reader) }
        func milliseconds(_ variable: String) -> Duration? { Self.milliseconds(variable, from: reader) }

        self.serviceName = read("OTEL_SERVICE_NAME") ?? serviceName
        self.serviceVersion = Self.version
        self.serviceInstanceID = read("OTEL_SERVICE_INSTANCE_ID")
            ?? "\(serviceName)-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.deploymentEnvironment = read("DEPLOYMENT_ENVIRONMENT") ?? "development"
        self.exportEnabled = read("OTEL_ENABLED")?.lowercased() != "false"
            && read("OTEL_SDK_DISABLED")?.lowercased() != "true"
        self.metricExportInterval = milliseconds("OTEL_METRIC_EXPORT_INTERVAL") ?? .milliseconds(10_000)
        self.exportTimeout = milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT") ?? .milliseconds(2_000)
        self.logLevel = read("LOG_LEVEL")?.lowercased() ?? "info"
        self.exportsToEmbeddedBackend = read(Self.embeddedBackendVariable)?.lowercased() == "true"

        self.traces = Self.signalExport(.traces, from: reader)
        self.metrics = Self.signalExport(.metrics, from: reader)
        self.logs = Self.signalExport(.logs, from: reader)
        self.sampler = read("OTEL_TRACES_SAMPLER")?.lowercased()
        self.samplerArgument = read("OTEL_TRACES_SAMPLER_ARG").flatMap(Double.init)
        self.environmentResourceAttributes = Self.resourceAttributeDictionary(read("OTEL_RESOURCE_ATTRIBUTES"))
        self.spanScheduleDelay = milliseconds("OTEL_BSP_SCHEDULE_DELAY")
        self.logRecordScheduleDelay = milliseconds("OTEL_BLRP_SCHEDULE_DELAY")
    }

    /// Refuses any value swift-otel would crash on or misread, naming the variable. Checked group by
    /// group (allowed values, endpoints, durations, sampler ratio, service name); the first bad value
    /// is the one reported.
    static func validate(_ reader: ConfigReader) throws(TelemetryConfigurationError) {
        func read(_ variable: String) -> String? { Self.read(variable, from: reader) }
        for (name, allowed) in allowedValues {
            if let value = read(name), !allowed.contains(value.lowercased()) {
                throw .init(variable: name, value: value, expected: expectedValues(allowed, given: value))
            }
        }
        for name in endpointVariables {
            if let value = read(name), !isHTTPURL(value) {
                throw .init(variable: name, value: value,
                            expected: "a URL with an http or https scheme, such as http://otel-collector:4318")
            }
        }
        for name in millisecondVariables {
            if let value = read(name), Int(value).map({ $0 > 0 }) != true {
                throw .init(variable: name, value: value, expected: "a positive whole number of milliseconds")
            }
        }
        if let ratio = read("OTEL_TRACES_SAMPLER_ARG"), Double(ratio).map({ (0...1).contains($0) }) != true {
            throw .init(variable: "OTEL_TRACES_SAMPLER_ARG", value: ratio, expected: "a number from 0 to 1")
        }
        if read("OTEL_SERVICE_NAME")?.isEmpty == true {
            // swift-otel would take an empty OTEL_SERVICE_NAME from the process as the name itself.
            throw .init(variable: "OTEL_SERVICE_NAME", value: "", expected: "a service name, or the variable unset")
        }
    }

    /// The allowed values for an error message; a refused `grpc` also says how to get gRPC export,
    /// since that is a build option rather than a typo.
    private static func expectedValues(_ allowed: Set<String>, given value: String) -> String {
        var expected = allowed.sorted().joined(separator: ", ")
        if let why = notOffered[value.lowercased()] { expected += " (\(why))" }
        if value.lowercased() == "grpc" {
            expected += " (this binary was built without gRPC export: send OTLP/HTTP to port 4318, or build with `swift build --traits OTLPGRPC`)"
        }
        return expected
    }

    /// An absolute http or https URL with a host: what swift-otel's OTLP/HTTP exporter can send to.
    private static func isHTTPURL(_ value: String) -> Bool {
        guard let url = URL(string: value), let scheme = url.scheme else { return false }
        return ["http", "https"].contains(scheme) && url.host?.isEmpty == false
    }

    /// A variable's value as the reader gives it (headers may carry credentials: kept out of access logs).
    private static func read(_ variable: String, from reader: ConfigReader) -> String? {
        value(of: variable, in: reader)
    }

    /// An OTEL_* variable as `reader` gives it (the process environment above a `.env` file), by
    /// its variable name; nil when unset.
    public static func value(of variable: String, in reader: ConfigReader) -> String? {
        reader.string(forKey: configKey(variable), isSecret: variable.hasSuffix("_HEADERS"))
    }

    /// A variable in milliseconds; nil when unset (`validate` has already refused anything else).
    private static func milliseconds(_ variable: String, from reader: ConfigReader) -> Duration? {
        read(variable, from: reader).flatMap { Int($0) }.map { .milliseconds($0) }
    }

    /// One signal's exporter settings, as swift-otel resolves them: a per-signal variable wins over
    /// the shared one.
    private static func signalExport(_ signal: Signal, from reader: ConfigReader) -> SignalExport {
        func read(_ variable: String) -> String? { Self.read(variable, from: reader) }
        let `protocol` = (read(signal.variable("PROTOCOL")) ?? read("OTEL_EXPORTER_OTLP_PROTOCOL"))?.lowercased()
        var endpoint = read(signal.variable("ENDPOINT"))
        if endpoint == nil, let shared = read("OTEL_EXPORTER_OTLP_ENDPOINT") {
            // swift-otel appends the signal's path to a shared endpoint for HTTP (its
            // `endpointHasBeenExplicitlySet` is false then) and uses it as given for gRPC.
            endpoint = `protocol` == "grpc" ? shared
                : shared + (shared.hasSuffix("/") ? "" : "/") + "v1/\(signal.rawValue)"
        }
        let headers = (read(signal.variable("HEADERS")) ?? read("OTEL_EXPORTER_OTLP_HEADERS")).flatMap(keyValuePairs)
        return SignalExport(exporter: read(signal.exporterVariable)?.lowercased(), protocol: `protocol`,
                            endpoint: endpoint, headers: headers)
    }

    /// OTEL_RESOURCE_ATTRIBUTES as a dictionary (the last of a repeated key wins); empty when unset
    /// or malformed.
    private static func resourceAttributeDictionary(_ text: String?) -> [String: String] {
        text.flatMap(keyValuePairs).map {
            Dictionary($0.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        } ?? [:]
    }

    /// Reads a dictionary of environment variables only; what tests use. The same reading path as
    /// the process: a reader over an EnvironmentVariablesProvider.
    public init(serviceName: String, environment: [String: String]) throws(TelemetryConfigurationError) {
        try self.init(serviceName: serviceName,
                      reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// The swift-configuration key for an environment variable: `OTEL_EXPORTER_OTLP_ENDPOINT` is
    /// `otel.exporter.otlp.endpoint`, which EnvironmentVariablesProvider maps back to the variable.
    static func configKey(_ variable: String) -> ConfigKey {
        ConfigKey(variable.lowercased().replacingOccurrences(of: "_", with: "."))
    }

    /// `key1=value1,key2=value2` as swift-otel parses OTEL_EXPORTER_OTLP_HEADERS and
    /// OTEL_RESOURCE_ATTRIBUTES: split at commas, then at the first `=`, both sides trimmed; nil
    /// when a pair lacks a key or a value.
    static func keyValuePairs(_ text: String) -> [Header]? {
        var pairs: [Header] = []
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            pairs.append(Header(name: pair[0].trimmingCharacters(in: .whitespacesAndNewlines),
                                value: pair[1].trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return pairs
    }

    /// Resource attributes beyond service.name, which swift-otel sets from `serviceName`.
    public var resourceAttributes: [String: String] {
        ["service.version": serviceVersion, "service.namespace": serviceNamespace,
         "service.instance.id": serviceInstanceID, "deployment.environment": deploymentEnvironment,
         "deployment.environment.name": deploymentEnvironment]
    }
}

/// A telemetry variable with a value this build cannot honour. Start-up stops with this message.
public struct TelemetryConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String

    public var description: String { "\(variable)=\"\(value)\" is not valid: expected \(expected)." }
}
