import Foundation
import Testing

/// (c) The compose stack's memory budget, and (d) the collector config facts that the seed plan
/// got wrong, as Swift assertions (scripts/stack/check-collector-config.py checks them in more
/// detail, against the pinned release's component list).
@Suite("Compose budget and collector config")
struct ComposeAndCollectorTests {
    static let budget = 3584 * 1024 * 1024  // 3.5 GiB

    @Test("memory limits in docker-compose.yml add up to at most 3.5 GiB, one on every service")
    func memoryBudget() throws {
        let compose = try StackFiles.yaml("docker-compose.yml")
        let services = try #require(compose["services"] as? [String: Any])
        #expect(services.count >= 14, "nine fleet services and five for the stack")
        var total = 0
        for (name, value) in services {
            let service = value as? [String: Any] ?? [:]
            let limit = try #require(service["mem_limit"].flatMap(composeBytes), "\(name) has no mem_limit")
            #expect(service["cpus"] != nil, "\(name) has no cpus limit")
            total += limit
        }
        #expect(total <= Self.budget, "total \(total / 1024 / 1024) MiB is over 3584 MiB")
        #expect(composeBytes("128m") == 128 * 1024 * 1024 && composeBytes("1g") == 1024 * 1024 * 1024)
    }

    @Test("every compose service has a healthcheck, except the FROM-scratch collector, which is gated")
    func healthchecks() throws {
        let compose = try StackFiles.yaml("docker-compose.yml")
        let services = try #require(compose["services"] as? [String: [String: Any]])
        for (name, service) in services where name != "otel-collector" {
            #expect(service["healthcheck"] != nil, "\(name) has no healthcheck")
        }
        #expect(services["otel-collector"]?["healthcheck"] == nil)
        let ready = try #require(services["otel-collector-ready"])
        let script = (ready["command"] as? [String] ?? []).joined()
        #expect(script.contains("audio-fleet probe http://otel-collector:13133/"))
        #expect(compose["name"] == nil, "docker-compose 1.29 rejects a top-level name")
    }

    func collector() throws -> [String: Any] { try StackFiles.yaml("config/otel-collector-config.yaml") }

    @Test("memory_limiter is first in every pipeline and limits by percentage")
    func memoryLimiterFirst() throws {
        let config = try collector()
        let service = try #require(config["service"] as? [String: Any])
        let pipelines = try #require(service["pipelines"] as? [String: [String: Any]])
        #expect(Set(pipelines.keys) == ["traces", "metrics", "logs"])
        for (name, pipeline) in pipelines {
            let processors = pipeline["processors"] as? [String] ?? []
            #expect(processors.first == "memory_limiter", "\(name): \(processors)")
        }
        let limiter = try #require((config["processors"] as? [String: Any])?["memory_limiter"] as? [String: Any])
        #expect(limiter["limit_percentage"] != nil && limiter["check_interval"] != nil)
    }

    @Test("health_check is declared, enabled, and every server endpoint binds 0.0.0.0")
    func healthCheckAndEndpoints() throws {
        let config = try collector()
        let service = try #require(config["service"] as? [String: Any])
        #expect((service["extensions"] as? [String] ?? []).contains("health_check"))
        let extensions = try #require(config["extensions"] as? [String: [String: Any]])
        #expect(extensions["health_check"]?["endpoint"] as? String == "0.0.0.0:13133")

        let receivers = try #require(config["receivers"] as? [String: [String: Any]])
        let otlp = try #require(receivers["otlp"]?["protocols"] as? [String: [String: Any]])
        #expect(otlp["grpc"]?["endpoint"] as? String == "0.0.0.0:4317")
        #expect(otlp["http"]?["endpoint"] as? String == "0.0.0.0:4318")
        let exporters = try #require(config["exporters"] as? [String: [String: Any]])
        #expect(exporters["prometheus"]?["endpoint"] as? String == "0.0.0.0:8889")
        #expect(exporters["prometheus"]?["enable_open_metrics"] as? Bool == true, "exemplars need OpenMetrics")
        #expect(exporters["otlp_grpc/jaeger"]?["endpoint"] as? String == "jaeger:4317")
        let readers = ((service["telemetry"] as? [String: Any])?["metrics"] as? [String: Any])?["readers"] as? [[String: Any]]
        let pull = ((readers?.first?["pull"] as? [String: Any])?["exporter"] as? [String: Any])?["prometheus"] as? [String: Any]
        #expect(pull?["host"] as? String == "0.0.0.0" && pull?["port"] as? Int == 8888)
    }

    @Test("every component type exists in the pinned release, and none the plan used that it removed")
    func componentsExist() throws {
        let config = try collector()
        let compose = try StackFiles.yaml("docker-compose.yml")
        let image = ((compose["services"] as? [String: [String: Any]])?["otel-collector"]?["image"] as? String) ?? ""
        let version = String(image.split(separator: ":").last ?? "")
        let list = try StackFiles.yaml("config/otelcol-contrib-\(version)-components.yaml")
        #expect("\(list["collector_version"] ?? "")" == version)
        for kind in ["receivers", "processors", "exporters", "connectors", "extensions"] {
            let valid = Set((list[kind] as? [String: Any] ?? [:]).keys)
            for id in (config[kind] as? [String: Any] ?? [:]).keys {
                let type = String(id.split(separator: "/").first ?? "")
                #expect(valid.contains(type), "\(kind): \(type) is not in otelcol-contrib \(version)")
            }
        }
        let exporterTypes = Set((list["exporters"] as? [String: Any] ?? [:]).keys)
        #expect(!exporterTypes.contains("jaeger") && !exporterTypes.contains("logging"), "removed upstream")
        #expect(exporterTypes.contains("prometheus") && !exporterTypes.contains("prometheusexporter"))
    }

    @Test(".env.common points the SDKs at the collector with a scheme and a matching protocol")
    func otlpEnvironment() throws {
        var env: [String: String] = [:]
        for line in try StackFiles.text(".env.common").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        #expect(env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318")
        #expect(env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf")
        #expect(env["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio")
        #expect(env["OTEL_SERVICE_NAME"] == nil)
    }
}
