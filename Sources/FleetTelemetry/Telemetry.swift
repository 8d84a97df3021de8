public import Configuration
import CoreMetrics
public import Logging
import OTel
public import Prometheus
public import ServiceLifecycle
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
    /// The OTLP exporters' background work, and the relays they send through; run them in the
    /// service group, after the HTTP server in shutdown order so the last spans are flushed (the
    /// relays stop after the exporters). Empty when export is off.
    public let services: [any Service]
    /// The loopback relays the OTLP exporters send through, one per collector address: the
    /// `otlpBlackhole` scenario's switch. Empty when export is off or every endpoint is https.
    public let otlpRelays: [OTLPRelay]
    /// Why `otlpBlackhole` cannot act on (some of) this process's exports; nil when it can.
    public let otlpBlackholeUnavailable: String?

    /// Reads the telemetry settings through `reader` (the same one as every other setting, so a
    /// `.env` file counts) and bootstraps logging, metrics and tracing, with the OTLP exporters
    /// sending through loopback relays (`OTLPRelay`) to the configured endpoints. The process
    /// environment is read and left alone, except that the OTLP endpoint variables are removed
    /// from it once read, so swift-otel does not put the collector's address back in place of the
    /// relay's (see `handEndpointVariablesToRelays`).
    public static func bootstrap(serviceName: String, reader: ConfigReader) async throws -> Telemetry {
        let configuration = try TelemetryConfiguration(serviceName: serviceName, reader: reader)
        let registry = PrometheusCollectorRegistry()
        let prometheus = CatalogPrometheusFactory(registry: registry)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let stdout: @Sendable (String) -> any LogHandler = { label in
            lineHandler(label: label, level: level, stream: nil)
        }

        guard configuration.exportEnabled else {
            MetricHandles.bootstrap(prometheus)
            LoggingSystem.bootstrap(stdout)
            return Telemetry(configuration: configuration, registry: registry, services: [], otlpRelays: [],
                             otlpBlackholeUnavailable: "OTLP export is off (OTEL_ENABLED=false or OTEL_SDK_DISABLED=true)")
        }

        var otel = configuration.otelConfiguration
        // Before any exporter is made: they take their endpoints from `otel` when created.
        let routing = try await configuration.routeThroughRelays(&otel)
        if !routing.relays.isEmpty { TelemetryConfiguration.handEndpointVariablesToRelays() }
        // Order matters: the tracer goes last, so the metrics and logs exporters (which capture the
        // global tracer when made) are created before it and do not trace their own export calls.
        let metrics = try OTel.makeMetricsBackend(configuration: otel)
        let logs = try OTel.makeLoggingBackend(configuration: otel)
        let tracing = try OTel.makeTracingBackend(configuration: otel)
        MetricHandles.bootstrap(MultiplexMetricsHandler(factories: [metrics.factory, prometheus]))
        LoggingSystem.bootstrap { label in MultiplexLogHandler([stdout(label), logs.factory(label)]) }
        InstrumentationSystem.bootstrap(tracing.factory)
        return Telemetry(configuration: configuration, registry: registry,
                         services: routing.relays + [ConcurrentShutdown([metrics.service, logs.service, tracing.service])],
                         otlpRelays: routing.relays, otlpBlackholeUnavailable: routing.unavailable)
    }
}

extension Telemetry {
    /// The handler behind the text lines a process writes (stdout, which `audio-fleet up` sends to
    /// var/log/<service>.log): one log call is one line, whatever the message or metadata carry
    /// (`LineSafeLogHandler`). `stream` is stdout unless a test captures the lines.
    public static func lineHandler(label: String, level: Logger.Level,
                                   stream: (any TextOutputStream & Sendable)?) -> any LogHandler {
        let provider = OTel.makeLoggingMetadataProvider()
        var handler = stream.map { StreamLogHandler(label: label, stream: $0, metadataProvider: provider) }
            ?? StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
        handler.logLevel = level
        return LineSafeLogHandler(handler)
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
    /// swift-otel's configuration for this process: our defaults, and whatever the reader says for
    /// the OTEL_* settings swift-otel would otherwise take from the process environment only — so
    /// values from a `.env` file take effect too.
    ///
    /// swift-otel's `make…Backend(configuration:)` then re-applies the *process* environment on top.
    /// That gives the same values, because the reader puts the process environment above the `.env`
    /// file: a variable set in the process already won here. (One mix it resolves differently: a
    /// per-signal variable only in `.env` with its shared counterpart in the process — swift-otel
    /// then uses the process's shared value for that signal.)
    var otelConfiguration: OTel.Configuration {
        var otel = OTel.Configuration.default
        // OTEL_SERVICE_NAME, when set, is already in `serviceName`.
        otel.serviceName = serviceName
        // OTEL_RESOURCE_ATTRIBUTES goes under ours, as swift-otel merges it: a key we set wins.
        otel.resourceAttributes = resourceAttributes.merging(environmentResourceAttributes) { ours, _ in ours }
        // One warning per failed batch is enough; the default repeats each override three times.
        otel.diagnosticLogLevel = .warning
        otel.metrics.exportInterval = metricExportInterval
        otel.metrics.exportTimeout = exportTimeout
        otel.metrics.valueHistogramBuckets = Dictionary(
            uniqueKeysWithValues: MetricCatalog.all.filter { $0.kind == .histogram }.map { ($0.name, $0.buckets) })
        otel.traces.batchSpanProcessor.scheduleDelay = spanScheduleDelay ?? .seconds(2)
        otel.traces.batchSpanProcessor.exportTimeout = exportTimeout
        if let logRecordScheduleDelay { otel.logs.batchLogRecordProcessor.scheduleDelay = logRecordScheduleDelay }
        otel.logs.batchLogRecordProcessor.exportTimeout = exportTimeout
        otel.logs.level = .info

        switch traces.exporter {
        case "none": otel.traces.exporter = .none
        case "otlp": otel.traces.exporter = .otlp
        default: break
        }
        switch metrics.exporter {
        case "none": otel.metrics.exporter = .none
        case "otlp": otel.metrics.exporter = .otlp
        default: break
        }
        switch logs.exporter {
        case "none": otel.logs.exporter = .none
        case "console": otel.logs.exporter = .console
        case "otlp": otel.logs.exporter = .otlp
        default: break
        }
        if let sampler = Self.otelSampler(sampler, argument: samplerArgument) {
            otel.traces.sampler = sampler
        }

        let exporters: [(SignalExport, WritableKeyPath<OTel.Configuration, OTel.Configuration.OTLPExporterConfiguration>)] = [
            (traces, \.traces.otlpExporter), (metrics, \.metrics.otlpExporter), (logs, \.logs.otlpExporter),
        ]
        for (settings, exporter) in exporters {
            otel[keyPath: exporter].timeout = exportTimeout
            if exportsToEmbeddedBackend {
                otel[keyPath: exporter].protocol = .httpJSON
            } else if let `protocol` = settings.protocol.flatMap(Self.exportProtocol) {
                otel[keyPath: exporter].protocol = `protocol`
            }
            // Setting the endpoint makes swift-otel use it as given; `SignalExport.endpoint` already
            // carries the `/v1/<signal>` path a shared HTTP endpoint gets.
            if let endpoint = settings.endpoint {
                otel[keyPath: exporter].endpoint = endpoint
            }
            if let headers = settings.headers {
                otel[keyPath: exporter].headers = headers.map { ($0.name, $0.value) }
            }
        }
        return otel
    }

    /// OTEL_EXPORTER_OTLP_*PROTOCOL as swift-otel's value (validated against `protocols` already).
    static func exportProtocol(_ name: String) -> OTel.Configuration.OTLPExporterConfiguration.`Protocol`? {
        switch name {
        case "http/protobuf": .httpProtobuf
        #if OTLPGRPC
        case "grpc": .grpc
        #endif
        default: nil
        }
    }

    /// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as swift-otel's sampler; a ratio sampler
    /// without an argument samples everything, as in swift-otel. Nil when no sampler is set.
    static func otelSampler(_ name: String?, argument: Double?) -> OTel.Configuration.TracesConfiguration.SamplerConfiguration? {
        switch name {
        case "always_on": .alwaysOn
        case "always_off": .alwaysOff
        case "traceidratio": .traceIDRatio(ratio: argument ?? 1)
        case "parentbased_always_on": .parentBasedAlwaysOn
        case "parentbased_always_off": .parentBasedAlwaysOff
        case "parentbased_traceidratio": .parentBasedTraceIDRatio(ratio: argument ?? 1)
        default: nil
        }
    }
}
