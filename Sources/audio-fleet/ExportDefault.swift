import Configuration
import FleetTelemetry

/// Where the children of `audio-fleet up` send their OTLP telemetry, decided once from the
/// environment `up` was given (and a `.env` file in the working directory, which the children read
/// too).
///
/// Why a default at all: natively there is usually no collector, and an SDK left without an
/// endpoint sends to localhost:4318, where nothing listens, so the traces of a first `make run`
/// would be lost. The monitoring-dashboard is an OTLP/HTTP backend of its own (JSON), and it is
/// always part of the fleet, so when nobody named an endpoint and nobody turned export off, the
/// children export there. An endpoint given anywhere (the shared one or a per-signal one) means
/// someone chose: then nothing is added, exactly as in compose.
enum ExportDefault: Equatable {
    /// OTEL_ENABLED=false or OTEL_SDK_DISABLED=true: nothing is exported, /metrics still works.
    case off(reason: String)
    /// An endpoint variable is set: the children use it as given.
    case given(variable: String, endpoint: String)
    /// Nothing set: the children get the embedded backend's endpoint and protocol, and the demo's
    /// export schedule (`schedule`: the variables of `demoSchedule` nobody set).
    case embedded(endpoint: String, protocol: String, schedule: [String: String])

    static let endpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]
    /// What the embedded backend reads: swift-otel's JSON, base64 ids and all. Not an
    /// OTEL_EXPORTER_OTLP_PROTOCOL value (http/json is refused there, see
    /// TelemetryConfiguration.notOffered): the children get FLEET_OTLP_EMBEDDED_BACKEND=true.
    static let embeddedProtocol = "swift-otel JSON"
    /// The native demo's export schedule: spans and logs leave each service 1 s after they end
    /// instead of swift-otel's 5 s (OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY), so the first
    /// turn's trace is on the dashboard about a second after the turn. Batches stay batches (a
    /// turn's dozen spans per service go in one export), and a value set in the environment or
    /// `.env` wins. Only for the embedded backend: with a collector or an endpoint of one's own,
    /// the exporters keep their standard schedule, as in compose.
    static let demoSchedule = ["OTEL_BSP_SCHEDULE_DELAY": "1000", "OTEL_BLRP_SCHEDULE_DELAY": "1000"]

    /// Decides from `reader` (the process environment above the `.env` file, as the children read
    /// them: ServiceSettings.environmentReader) where telemetry goes; `dashboardURL` is the
    /// monitoring-dashboard child's base URL.
    static func decide(reader: ConfigReader, dashboardURL: String) -> ExportDefault {
        func value(_ name: String) -> String? {
            TelemetryConfiguration.value(of: name, in: reader).flatMap { $0.isEmpty ? nil : $0 }
        }
        if value("OTEL_ENABLED")?.lowercased() == "false" { return .off(reason: "OTEL_ENABLED=false") }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return .off(reason: "OTEL_SDK_DISABLED=true") }
        for name in endpointVariables {
            if let endpoint = value(name) { return .given(variable: name, endpoint: endpoint) }
        }
        return .embedded(endpoint: dashboardURL, protocol: embeddedProtocol,
                         schedule: demoSchedule.filter { value($0.key) == nil })
    }

    /// The variables to add to the children's environment (none unless embedded).
    var additions: [String: String] {
        guard case .embedded(let endpoint, _, let schedule) = self else { return [:] }
        return schedule.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
                                 TelemetryConfiguration.embeddedBackendVariable: "true"]) { _, fixed in fixed }
    }

    /// One line for `up` to print: where traces, metrics and logs go.
    var summary: String {
        switch self {
        case .off(let reason):
            "Telemetry: OTLP export is off (\(reason)); /metrics still works."
        case .given(let variable, let endpoint):
            "Telemetry: OTLP to \(endpoint) (\(variable))."
        case .embedded(let endpoint, let `protocol`, let schedule):
            "Telemetry: OTLP to the monitoring-dashboard's embedded backend, \(endpoint) (\(`protocol`)"
                + (schedule["OTEL_BSP_SCHEDULE_DELAY"] == nil ? "" : ", spans sent 1 s after they end")
                + "); set OTEL_EXPORTER_OTLP_ENDPOINT to send it elsewhere, OTEL_ENABLED=false for none."
        }
    }
}
