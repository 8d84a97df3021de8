import Configuration
import Logging
@testable import FleetTelemetry

// swift-otel's internals (`applyEnvironmentOverrides`, the resolved per-signal endpoints, the
// selections' `backing`) let these tests compare with what swift-otel itself does; debug builds
// compile dependencies with testing enabled.
@testable import OTel
import Testing

@Suite("Telemetry configuration")
struct TelemetryConfigurationTests {
    @Test("defaults: export on, resource attributes set")
    func defaults() throws {
        let configuration = try TelemetryConfiguration(serviceName: "stt", environment: [:])
        #expect(configuration.exportEnabled)
        #expect(configuration.resourceAttributes["service.namespace"] == "audio-orchestrator")
        #expect(configuration.resourceAttributes["deployment.environment"] == "development")
        #expect(configuration.resourceAttributes["service.instance.id"]?.hasPrefix("stt-") == true)
        #expect(configuration.metricExportInterval == .seconds(10))
    }

    @Test("OTEL_ENABLED=false and OTEL_SDK_DISABLED=true turn export off", arguments: [
        ["OTEL_ENABLED": "false"], ["OTEL_SDK_DISABLED": "true"], ["OTEL_ENABLED": "FALSE"],
    ])
    func disabled(environment: [String: String]) throws {
        #expect(try TelemetryConfiguration(serviceName: "stt", environment: environment).exportEnabled == false)
    }

    @Test("the plan's .env.common works once its endpoint has a scheme")
    func planValues() throws {
        let corrected = ["OTEL_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318",
                         "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                         "OTEL_TRACES_SAMPLER_ARG": "1.0"]
        #expect(try TelemetryConfiguration(serviceName: "stt", environment: corrected).exportEnabled)

        var original = corrected
        original["OTEL_EXPORTER_OTLP_ENDPOINT"] = "otel-collector:4317"
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(serviceName: "stt", environment: original)
        }
    }

    @Test("http/json is refused at start-up, saying why (base64 ids) and to use http/protobuf")
    func httpJSONIsNotOffered() {
        for variable in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"] {
            do {
                _ = try TelemetryConfiguration(serviceName: "stt", environment: [variable: "http/json"])
                Issue.record("\(variable)=http/json was accepted")
            } catch {
                #expect(error.variable == variable)
                #expect(error.description.contains("base64") && error.description.contains("hex")
                        && error.description.contains("use http/protobuf"), "\(error)")
            }
        }
        #expect(!TelemetryConfiguration.protocols.contains("http/json"))
    }

    @Test("gRPC export is accepted only by a binary built with the OTLPGRPC trait, and the refusal says how")
    func grpcIsABuildOption() throws {
        let environment = ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4317"]
        #if OTLPGRPC
        #expect(try TelemetryConfiguration(serviceName: "stt", environment: environment).exportEnabled)
        #else
        #expect(TelemetryConfiguration.protocols == ["http/protobuf"])
        do {
            _ = try TelemetryConfiguration(serviceName: "stt", environment: environment)
            Issue.record("grpc was accepted by a build without the OTLPGRPC trait")
        } catch {
            #expect(error.variable == "OTEL_EXPORTER_OTLP_PROTOCOL")
            #expect(error.description.contains("--traits OTLPGRPC") && error.description.contains("4318"))
        }
        #endif
    }

    @Test("an invalid value names its variable", arguments: [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http"), ("OTEL_METRICS_EXPORTER", "prometheus"),
        ("OTEL_TRACES_EXPORTER", "jaeger"), ("OTEL_TRACES_SAMPLER_ARG", "1.5"), ("OTEL_METRIC_EXPORT_INTERVAL", "soon"),
        ("OTEL_ENABLED", "yes"), ("LOG_LEVEL", "loud"), ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x:1"),
    ])
    func invalid(variable: String, value: String) {
        do {
            _ = try TelemetryConfiguration(serviceName: "stt", environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable) && error.description.contains(value))
        }
    }

    // MARK: Reading through a ConfigReader

    /// A reader like the one ServiceSettings.load builds: the process environment above a `.env` file.
    static func reader(process: [String: String], file: [String: String]) -> ConfigReader {
        ConfigReader(providers: [EnvironmentVariablesProvider(environmentVariables: process),
                                 EnvironmentVariablesProvider(environmentVariables: file)])
    }

    static let dotEnv = [
        "DEPLOYMENT_ENVIRONMENT": "staging", "LOG_LEVEL": "debug", "OTEL_METRIC_EXPORT_INTERVAL": "5000",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://file-collector:4318", "OTEL_SERVICE_INSTANCE_ID": "from-file",
        "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.5",
    ]

    @Test("a value only in the .env file reaches the configuration, and the process environment wins over it")
    func dotEnvFileIsRead() throws {
        let fromFile = try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: [:], file: Self.dotEnv))
        #expect(fromFile.deploymentEnvironment == "staging")
        #expect(fromFile.logLevel == "debug")
        #expect(fromFile.metricExportInterval == .seconds(5))
        #expect(fromFile.serviceInstanceID == "from-file")
        #expect(fromFile.otelConfiguration.traces.otlpExporter.endpoint == "http://file-collector:4318/v1/traces")
        #expect(fromFile.otelConfiguration.traces.sampler.argument == .traceIDRatio(samplingProbability: 0.5))
        #expect(try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: [:], file: ["OTEL_ENABLED": "false"]))
            .exportEnabled == false)

        let process = ["DEPLOYMENT_ENVIRONMENT": "production", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://process-collector:4318",
                       "OTEL_TRACES_SAMPLER_ARG": "0.25"]
        let both = try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: process, file: Self.dotEnv))
        #expect(both.deploymentEnvironment == "production")
        #expect(both.otelConfiguration.metrics.otlpExporter.endpoint == "http://process-collector:4318/v1/metrics")
        #expect(both.otelConfiguration.traces.sampler.backing == .traceIDRatio)
        #expect(both.otelConfiguration.traces.sampler.argument == .traceIDRatio(samplingProbability: 0.25))
        #expect(both.logLevel == "debug", "what the process lacks still comes from the file")
    }

    @Test("an invalid value from the .env file fails naming its variable; a valid process value shadows it", arguments: [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "otel-collector:4317"),
        ("OTEL_TRACES_SAMPLER_ARG", "2"), ("OTEL_BSP_SCHEDULE_DELAY", "0"), ("LOG_LEVEL", "loud"),
        ("OTEL_LOGS_EXPORTER", "stdout"),
    ])
    func invalidInDotEnvFile(variable: String, value: String) throws {
        do {
            _ = try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: [:], file: [variable: value]))
            Issue.record("\(variable)=\(value) from the .env file was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable) && error.description.contains(value))
        }
        let valid = ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318",
                     "OTEL_TRACES_SAMPLER_ARG": "1", "OTEL_BSP_SCHEDULE_DELAY": "500", "LOG_LEVEL": "info",
                     "OTEL_LOGS_EXPORTER": "otlp"]
        let processValue = try #require(valid[variable])
        _ = try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: [variable: processValue], file: [variable: value]))
    }

    @Test("otelConfiguration carries protocol, endpoints, headers, exporters, sampler, resource attributes and OTEL_SERVICE_NAME")
    func otelConfigurationCarriesTheReader() throws {
        let environment = [
            "FLEET_OTLP_EMBEDDED_BACKEND": "true",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318",
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://log-collector:4318/custom/path",
            "OTEL_EXPORTER_OTLP_HEADERS": "api-key=s3cr=t, tenant = fleet",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "console",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_SERVICE_NAME": "voice-bot",
            "OTEL_RESOURCE_ATTRIBUTES": "team=audio,service.namespace=someone-else",
            "OTEL_BLRP_SCHEDULE_DELAY": "750",
        ]
        let configuration = try TelemetryConfiguration(serviceName: "stt", reader: Self.reader(process: [:], file: environment))
        #expect(configuration.serviceName == "voice-bot")
        #expect(configuration.serviceInstanceID.hasPrefix("stt-"), "the instance id still names the member")
        let otel = configuration.otelConfiguration
        #expect(otel.serviceName == "voice-bot")
        for exporter in [otel.traces.otlpExporter, otel.metrics.otlpExporter, otel.logs.otlpExporter] {
            #expect(exporter.protocol == .httpJSON)
            #expect(exporter.headers.map { "\($0)=\($1)" } == ["api-key=s3cr=t", "tenant=fleet"])
            #expect(exporter.timeout == .seconds(2))
        }
        #expect(otel.traces.otlpExporter.endpoint == "http://otel-collector:4318/v1/traces")
        #expect(otel.metrics.otlpExporter.endpoint == "http://otel-collector:4318/v1/metrics")
        #expect(otel.logs.otlpExporter.endpoint == "http://log-collector:4318/custom/path", "a per-signal endpoint is used as given")
        #expect(otel.traces.otlpExporter.tracesHTTPEndpoint == "http://otel-collector:4318/v1/traces")
        #expect(otel.traces.exporter.backing == .otlp)
        #expect(otel.metrics.exporter.backing == .none)
        #expect(otel.logs.exporter.backing == .console)
        #expect(otel.traces.sampler.backing == .parentBasedTraceIDRatio)
        #expect(otel.traces.sampler.argument == .traceIDRatio(samplingProbability: 0.25))
        #expect(otel.resourceAttributes["team"] == "audio")
        #expect(otel.resourceAttributes["service.namespace"] == "audio-orchestrator", "ours win over OTEL_RESOURCE_ATTRIBUTES")
        #expect(otel.logs.batchLogRecordProcessor.scheduleDelay == .milliseconds(750))

        let defaults = try TelemetryConfiguration(serviceName: "stt", environment: [:])
        #expect(defaults.serviceName == "stt")
        #expect(defaults.otelConfiguration.serviceName == "stt")
        #expect(defaults.otelConfiguration.metrics.exporter.backing == .otlp)
        #expect(defaults.otelConfiguration.traces.otlpExporter.protocol == .httpProtobuf)
        #expect(defaults.otelConfiguration.traces.otlpExporter.headers.isEmpty)
        #expect(defaults.otelConfiguration.traces.otlpExporter.tracesHTTPEndpoint == "http://localhost:4318/v1/traces")
    }

    @Test("an empty OTEL_SERVICE_NAME is refused; malformed headers are ignored as swift-otel ignores them")
    func serviceNameAndHeaderEdges() throws {
        #expect(throws: TelemetryConfigurationError(variable: "OTEL_SERVICE_NAME", value: "",
                                                    expected: "a service name, or the variable unset")) {
            try TelemetryConfiguration(serviceName: "stt", environment: ["OTEL_SERVICE_NAME": ""])
        }
        let configuration = try TelemetryConfiguration(serviceName: "stt", environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "a=b,novalue", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x=y",
        ])
        #expect(configuration.otelConfiguration.metrics.otlpExporter.headers.isEmpty)
        #expect(configuration.otelConfiguration.traces.otlpExporter.headers.map { "\($0)=\($1)" } == ["x=y"])
    }

    /// Environments whose endpoint resolution differs: shared, shared with a slash, per-signal, both.
    static let endpointEnvironments: [[String: String]] = [
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"],
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel-collector:4318/base/"],
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"],
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://metrics:9090/in",
         "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf"],
    ]

    @Test("endpoints resolve as swift-otel resolves the same environment, and its re-applying the process environment changes nothing",
          arguments: endpointEnvironments)
    func endpointsMatchSwiftOTel(environment: [String: String]) throws {
        let ours = try TelemetryConfiguration(serviceName: "stt", environment: environment).otelConfiguration
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        var swiftOTel = OTel.Configuration.default
        swiftOTel.applyEnvironmentOverrides(environment: environment, logger: logger)
        var reapplied = ours
        reapplied.applyEnvironmentOverrides(environment: environment, logger: logger)
        for configuration in [ours, reapplied] {
            #expect(configuration.traces.otlpExporter.tracesHTTPEndpoint == swiftOTel.traces.otlpExporter.tracesHTTPEndpoint)
            #expect(configuration.metrics.otlpExporter.metricsHTTPEndpoint == swiftOTel.metrics.otlpExporter.metricsHTTPEndpoint)
            #expect(configuration.logs.otlpExporter.logsHTTPEndpoint == swiftOTel.logs.otlpExporter.logsHTTPEndpoint)
            for (a, b) in [(configuration.traces.otlpExporter, swiftOTel.traces.otlpExporter),
                           (configuration.metrics.otlpExporter, swiftOTel.metrics.otlpExporter),
                           (configuration.logs.otlpExporter, swiftOTel.logs.otlpExporter)] {
                #expect(a.protocol == b.protocol)
            }
        }
    }
}
