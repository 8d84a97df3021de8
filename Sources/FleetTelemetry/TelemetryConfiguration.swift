import Foundation

/// What one process's telemetry looks like, read from the standard OTEL_* variables.
///
/// swift-otel reads most OTEL_* variables itself; this type decides the few things it cannot
/// (whether to export at all, our resource attributes) and validates the rest up front, because
/// swift-otel turns an unsupported value into a crash (see shared/notes/swift-stack-facts.md).
/// The environment is a parameter so tests inject it instead of mutating the process.
public struct TelemetryConfiguration: Sendable, Equatable {
    /// `service.name`: one per process, set in code, never from OTEL_SERVICE_NAME.
    public var serviceName: String
    /// `service.version`.
    public var serviceVersion: String
    /// `service.namespace`; the collector turns it into the first half of the Prometheus job label.
    public var serviceNamespace = "audio-orchestrator"
    /// `service.instance.id`; the collector's Prometheus `instance` label.
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

    public static let version = "1.0.0"

    /// The OTLP protocols this build speaks. gRPC is a build option (the `OTLPGRPC` package trait,
    /// `swift build --traits OTLPGRPC`): without it swift-otel would crash on `grpc`, so we refuse it
    /// up front with a message that says how to get it.
    #if OTLPGRPC
    public static let protocols: Set<String> = ["grpc", "http/protobuf", "http/json"]
    #else
    public static let protocols: Set<String> = ["http/protobuf", "http/json"]
    #endif

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
        "OTEL_SDK_DISABLED": ["true", "false"],
        "LOG_LEVEL": ["trace", "debug", "info", "notice", "warning", "error", "critical"],
    ]
    static let endpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]
    static let millisecondVariables = ["OTEL_METRIC_EXPORT_INTERVAL", "OTEL_EXPORTER_OTLP_TIMEOUT",
                                       "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY"]

    public init(serviceName: String, environment: [String: String]) throws(TelemetryConfigurationError) {
        for (name, allowed) in Self.allowedValues {
            if let value = environment[name], !allowed.contains(value.lowercased()) {
                var expected = allowed.sorted().joined(separator: ", ")
                if value.lowercased() == "grpc" {
                    expected += " (this binary was built without gRPC export: send OTLP/HTTP to port 4318, or build with `swift build --traits OTLPGRPC`)"
                }
                throw .init(variable: name, value: value, expected: expected)
            }
        }
        for name in Self.endpointVariables {
            guard let value = environment[name] else { continue }
            guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme),
                  url.host?.isEmpty == false
            else {
                throw .init(variable: name, value: value,
                            expected: "a URL with an http or https scheme, such as http://otel-collector:4318")
            }
        }
        for name in Self.millisecondVariables {
            if let value = environment[name], Int(value).map({ $0 > 0 }) != true {
                throw .init(variable: name, value: value, expected: "a positive whole number of milliseconds")
            }
        }
        if let ratio = environment["OTEL_TRACES_SAMPLER_ARG"], Double(ratio).map({ (0...1).contains($0) }) != true {
            throw .init(variable: "OTEL_TRACES_SAMPLER_ARG", value: ratio, expected: "a number from 0 to 1")
        }

        self.serviceName = serviceName
        self.serviceVersion = Self.version
        self.serviceInstanceID = environment["OTEL_SERVICE_INSTANCE_ID"]
            ?? "\(serviceName)-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.deploymentEnvironment = environment["DEPLOYMENT_ENVIRONMENT"] ?? "development"
        self.exportEnabled = environment["OTEL_ENABLED"]?.lowercased() != "false"
            && environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
        self.metricExportInterval = .milliseconds(Int(environment["OTEL_METRIC_EXPORT_INTERVAL"] ?? "") ?? 10_000)
        self.exportTimeout = .milliseconds(Int(environment["OTEL_EXPORTER_OTLP_TIMEOUT"] ?? "") ?? 2_000)
        self.logLevel = environment["LOG_LEVEL"]?.lowercased() ?? "info"
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
