import CoreMetrics
import Logging
import OTel
import Prometheus
import ServiceLifecycle
import Tracing

/// The fleet's ObservabilityManager: one call per process gives traces, metrics and logs over OTLP
/// plus the Prometheus registry behind `/metrics`.
///
/// Call `bootstrap` exactly once, first thing in `main` (swift-log, swift-metrics and the tracer can
/// each be bootstrapped once per process), and create HTTP clients only after it: OTLP exporters
/// and AsyncHTTPClient capture the global tracer when they are made.
public struct Telemetry: Sendable {
    public let configuration: TelemetryConfiguration
    /// What `/metrics` serves.
    public let registry: PrometheusCollectorRegistry
    /// The OTLP exporters' background work; run them in the service group, after the HTTP server
    /// in shutdown order so the last spans are flushed. Empty when export is off.
    public let services: [any Service]

    public static func bootstrap(serviceName: String,
                                 environment: [String: String]) throws -> Telemetry {
        let configuration = try TelemetryConfiguration(serviceName: serviceName, environment: environment)
        let registry = PrometheusCollectorRegistry()
        let prometheus = CatalogPrometheusFactory(registry: registry)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let stdout: @Sendable (String) -> any LogHandler = { label in
            var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: OTel.makeLoggingMetadataProvider())
            handler.logLevel = level
            return handler
        }

        guard configuration.exportEnabled else {
            MetricsSystem.bootstrap(prometheus)
            LoggingSystem.bootstrap(stdout)
            return Telemetry(configuration: configuration, registry: registry, services: [])
        }

        let otel = configuration.otelConfiguration
        // Order matters: the tracer goes last, so the metrics and logs exporters (which capture the
        // global tracer when made) are created before it and do not trace their own export calls.
        let metrics = try OTel.makeMetricsBackend(configuration: otel)
        let logs = try OTel.makeLoggingBackend(configuration: otel)
        let tracing = try OTel.makeTracingBackend(configuration: otel)
        MetricsSystem.bootstrap(MultiplexMetricsHandler(factories: [metrics.factory, prometheus]))
        LoggingSystem.bootstrap { label in MultiplexLogHandler([stdout(label), logs.factory(label)]) }
        InstrumentationSystem.bootstrap(tracing.factory)
        return Telemetry(configuration: configuration, registry: registry,
                         services: [ConcurrentShutdown([metrics.service, logs.service, tracing.service])])
    }
}

/// Runs the OTLP exporters as one service, so a graceful shutdown reaches them all at once.
///
/// A ServiceGroup stops its services one after another. Each exporter makes a final export bounded
/// by the export timeout, so one after another they would take three timeouts when no collector
/// answers; side by side they take one, which keeps shutdown inside its budget. (Child tasks
/// inherit the graceful-shutdown signal of the task running this service.)
///
/// An exporter that fails while the process is already stopping — swift-otel's gRPC exporter can
/// end its service group early when its channel closes — is logged, not rethrown: the telemetry
/// it could not send is lost either way, and a clean SIGTERM should still exit 0. A failure while
/// the service is running normally is rethrown and stops the process.
struct ConcurrentShutdown: Service {
    let services: [any Service]
    let logger = Logger(label: "telemetry")

    init(_ services: [any Service]) {
        self.services = services
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for service in services {
                group.addTask {
                    do {
                        try await service.run()
                    } catch where Task.isShuttingDownGracefully || Task.isCancelled {
                        logger.warning("telemetry exporter stopped with an error during shutdown",
                                       metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}

extension TelemetryConfiguration {
    /// swift-otel's configuration for this process. swift-otel then applies the OTEL_* environment
    /// on top, so a user's variables win over these defaults.
    var otelConfiguration: OTel.Configuration {
        var otel = OTel.Configuration.default
        otel.serviceName = serviceName
        otel.resourceAttributes = resourceAttributes
        // One warning per failed batch is enough; the default repeats each override three times.
        otel.diagnosticLogLevel = .warning
        otel.metrics.exportInterval = metricExportInterval
        otel.metrics.exportTimeout = exportTimeout
        otel.metrics.valueHistogramBuckets = Dictionary(
            uniqueKeysWithValues: MetricCatalog.all.filter { $0.kind == .histogram }.map { ($0.name, $0.buckets) })
        otel.traces.batchSpanProcessor.scheduleDelay = .seconds(2)
        otel.traces.batchSpanProcessor.exportTimeout = exportTimeout
        otel.logs.batchLogRecordProcessor.exportTimeout = exportTimeout
        otel.logs.level = .info
        for exporter in [\OTel.Configuration.traces.otlpExporter, \.metrics.otlpExporter, \.logs.otlpExporter] {
            otel[keyPath: exporter].timeout = exportTimeout
        }
        return otel
    }
}
