import FleetTelemetry
import Foundation
import Testing

/// Which of the fleet's OTLP resource attributes Loki turns into index labels, under
/// config/loki-config.yaml's `limits_config.otlp_config` (Loki 3.7: pkg/loghttp/push/otlp_config.go).
/// The Python check (scripts/stack/check-loki-labels.py) covers the collector's side and the record
/// attributes; this one reads the fleet's own resource (TelemetryConfiguration), so a renamed
/// attribute or a new per-process one cannot slip past a config that names attributes by hand.
enum LokiLabels {
    /// Loki's default `distributor.otlp.default_resource_attributes_as_index_labels` (v3.7.5).
    static let lokiDefaults = ["service.name", "service.namespace", "service.instance.id", "deployment.environment",
                               "deployment.environment.name", "cloud.region", "cloud.availability_zone",
                               "k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name", "k8s.container.name",
                               "container.name", "k8s.replicaset.name", "k8s.deployment.name", "k8s.statefulset.name",
                               "k8s.daemonset.name", "k8s.cronjob.name", "k8s.job.name"]
    /// Attributes whose values are a closed set for the whole fleet: its service names, its environment.
    static let bounded: Set<String> = ["service.name", "deployment.environment", "deployment.environment.name"]

    /// The fleet's resource attribute keys Loki indexes: the first rule that names or matches a key decides.
    static func indexed(_ otlpConfig: [String: Any], keys: Set<String>) throws -> Set<String> {
        let resource = otlpConfig["resource_attributes"] as? [String: Any] ?? [:]
        var rules = resource["attributes_config"] as? [[String: Any]] ?? []
        if resource["ignore_defaults"] as? Bool != true {
            rules.insert(["action": "index_label", "attributes": lokiDefaults], at: 0)
        }
        var result: Set<String> = []
        for key in keys {
            for rule in rules {
                let named = (rule["attributes"] as? [String] ?? []).contains(key)
                let matched = try (rule["regex"] as? String).map { try Regex($0).wholeMatch(in: key) != nil } ?? false
                guard named || matched else { continue }
                if rule["action"] as? String == "index_label" { result.insert(key) }
                break
            }
        }
        return result
    }

    static func otlpConfig() throws -> [String: Any] {
        let limits = try StackFiles.yaml("config/loki-config.yaml")["limits_config"] as? [String: Any]
        return limits?["otlp_config"] as? [String: Any] ?? [:]
    }

    /// Every resource attribute key a fleet service exports (swift-otel adds service.name itself).
    static func fleetKeys() throws -> Set<String> {
        let configuration = try TelemetryConfiguration(serviceName: "discord", environment: [:])
        return Set(configuration.resourceAttributes.keys).union(["service.name"])
    }
}

@Suite("Loki labels from the fleet's resource attributes")
struct LokiLabelTests {
    @Test("Loki indexes service.name and the environment, which every service sets, and nothing per process")
    func boundedLabels() throws {
        let indexed = try LokiLabels.indexed(LokiLabels.otlpConfig(), keys: LokiLabels.fleetKeys())
        #expect(indexed.contains("service.name"), "service_name must be a label: \(indexed)")
        #expect(indexed.isSubset(of: LokiLabels.bounded), "indexed beyond the bounded attributes: \(indexed.subtracting(LokiLabels.bounded))")
        // Their values across the fleet: one per service, one environment.
        var values: [String: Set<String>] = [:]
        for member in FleetMember.allCases {
            let configuration = try TelemetryConfiguration(serviceName: member.name, environment: [:])
            var resource = configuration.resourceAttributes
            resource["service.name"] = configuration.serviceName
            for key in indexed { values[key, default: []].insert(resource[key] ?? "") }
        }
        #expect(values["service.name"]?.count == FleetMember.allCases.count)
        for key in indexed where key != "service.name" {
            #expect(values[key]?.count == 1, "\(key) differs between services: \(values[key] ?? [])")
        }
        #expect(try LokiLabels.otlpConfig()["severity_text_as_label"] as? Bool == true,
                "severity_text (swift-log's seven levels) is the severity label")
    }

    @Test("with Loki's default resource labels back on, per-process attributes would be indexed")
    func defaultsAreRefused() throws {
        var config = try LokiLabels.otlpConfig()
        var resource = config["resource_attributes"] as? [String: Any] ?? [:]
        resource["ignore_defaults"] = false
        config["resource_attributes"] = resource
        let indexed = try LokiLabels.indexed(config, keys: LokiLabels.fleetKeys())
        #expect(indexed.contains("service.instance.id"))
        #expect(!indexed.isSubset(of: LokiLabels.bounded))
    }

    @Test("an index_label regex is applied like Loki applies it")
    func regexRule() throws {
        let config: [String: Any] = ["resource_attributes": [
            "ignore_defaults": true, "attributes_config": [["action": "index_label", "regex": "service\\..*"]],
        ] as [String: Any]]
        let indexed = try LokiLabels.indexed(config, keys: LokiLabels.fleetKeys())
        #expect(indexed == ["service.name", "service.namespace", "service.version", "service.instance.id"])
    }
}
