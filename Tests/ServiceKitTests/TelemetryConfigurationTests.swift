import FleetTelemetry
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

    @Test("gRPC export is accepted only by a binary built with the OTLPGRPC trait, and the refusal says how")
    func grpcIsABuildOption() throws {
        let environment = ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4317"]
        #if OTLPGRPC
        #expect(try TelemetryConfiguration(serviceName: "stt", environment: environment).exportEnabled)
        #else
        #expect(TelemetryConfiguration.protocols == ["http/protobuf", "http/json"])
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
}
