public import Hummingbird
public import ServiceKit
public import ServiceLifecycle
import Logging

/// The monitoring dashboard's embedded OTLP backend: with no collector installed, the services
/// export their traces, metrics and logs here (OTLP/HTTP JSON on the dashboard's own port), and
/// the pages read them back through `queries`.
///
/// `install` registers the receiver (/v1/traces, /v1/metrics, /v1/logs) and the JSON API
/// (/api/traces, /api/logs, /api/service-map, /api/metrics, /api/telemetry/status) on `routes`,
/// and returns the pruning service to run beside the server. It never fails because of the
/// store: a corrupt or unwritable file is reported in `status().lastError` instead.
public struct EmbeddedBackend: Sendable {
    public let queries: any TelemetryQueries
    public let services: [any Service]

    public static func install(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime) async throws -> EmbeddedBackend {
        let config = try TelemetryStoreConfig(settings: runtime.settings)
        let store = TelemetryStore(config: config, logger: runtime.logger)
        runtime.logger.info("embedded OTLP backend", metadata: [
            "path": "\(store.path)", "max_age_seconds": "\(config.maxAgeSeconds)", "max_bytes": "\(config.maxBytes)",
        ])
        OTLPReceiverController(store: store).addRoutes(to: routes)
        TelemetryAPIController(queries: store).addRoutes(to: routes)
        return EmbeddedBackend(queries: store, services: [TelemetryPruner(store: store, logger: runtime.logger)])
    }
}
