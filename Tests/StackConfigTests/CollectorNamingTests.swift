import FleetTelemetry
import Testing

/// (b) The collector's prometheus exporter naming rules (OTLPNaming, which cites its source)
/// applied to the catalog give exactly the names and labels the dashboards query, and the native
/// twin's relabelling produces the same names and job labels.
@Suite("Collector naming: catalog -> Prometheus names the dashboards query")
struct CollectorNamingTests {
    /// The exporter's settings, read from the config the collector runs with.
    func exporterSettings() throws -> (namespace: String, strategy: String, constLabels: [String]) {
        let config = try StackFiles.yaml("config/otel-collector-config.yaml")
        let exporters = try #require(config["exporters"] as? [String: Any])
        let prometheus = try #require(exporters["prometheus"] as? [String: Any])
        return (prometheus["namespace"] as? String ?? "",
                prometheus["translation_strategy"] as? String ?? "",
                (prometheus["const_labels"] as? [String: Any] ?? [:]).keys.sorted())
    }

    @Test("the rules reproduce the translator's documented examples")
    func documentedExamples() {
        // Examples from prometheus/otlptranslator metric_namer.go (MetricNamer.Build doc comments).
        #expect(OTLPNaming.metricName("http.server.duration", unit: "s", type: .histogram, namespace: "")
                == "http_server_duration_seconds")
        #expect(OTLPNaming.metricName("requests.count", unit: "1", type: .monotonicCounter, namespace: "")
                == "requests_count_total")
        #expect(OTLPNaming.metricName("memory.usage", unit: "By", type: .gauge, namespace: "") == "memory_usage_bytes")
        // Suffixes already present are not repeated; `total` moves to the end; namespace goes first.
        #expect(OTLPNaming.metricName("stt_audio_seconds_total", unit: "s", type: .monotonicCounter, namespace: "ns")
                == "ns_stt_audio_seconds_total")
        #expect(OTLPNaming.metricName("cpu_usage", unit: "1", type: .gauge, namespace: "") == "cpu_usage_ratio")
        #expect(OTLPNaming.metricName("queue", unit: "{batch}", type: .gauge, namespace: "") == "queue")
    }

    @Test("the exporter is configured for the rules implemented here")
    func exporterConfiguration() throws {
        let settings = try exporterSettings()
        #expect(settings.namespace == CatalogRules.namespace)
        #expect(settings.strategy == "UnderscoreEscapingWithSuffixes")
        #expect(settings.constLabels == ["environment"])
    }

    @Test("every catalogued metric keeps its name under the namespace prefix, with or without units")
    func catalogNames() throws {
        let namespace = try exporterSettings().namespace
        for definition in MetricCatalog.all {
            // swift-otel exports no unit (swift-metrics has none): the name carries it.
            let name = OTLPNaming.metricName(definition.name, unit: "", type: OTLPNaming.type(of: definition.kind),
                                             namespace: namespace)
            #expect(name == "\(namespace)_\(definition.name)", "\(definition.name) -> \(name)")
            #expect(definition.kind != .counter || name.hasSuffix("_total"), "\(definition.name): counters end in _total")
            // Were a unit exported, the name would not change: the unit word is already a token.
            for (suffix, unit) in [("_seconds", "s"), ("_bytes", "By"), ("_seconds_total", "s")]
            where definition.name.hasSuffix(suffix) {
                #expect(OTLPNaming.metricName(definition.name, unit: unit, type: OTLPNaming.type(of: definition.kind),
                                              namespace: namespace) == name)
            }
            for label in definition.labelNames {
                #expect(OTLPNaming.labelName(label) == label, "\(definition.name): label \(label) would be renamed")
                #expect(!CatalogRules.universalLabels.contains(label) && label != "le",
                        "\(definition.name): label \(label) clashes with one the exporter or Prometheus sets")
            }
        }
    }

    @Test("the dashboards query exactly the translated names and labels")
    func dashboardsMatchTranslation() throws {
        let namespace = try exporterSettings().namespace
        var translated: [String: Set<String>] = [:]  // exposition name -> labels it carries
        for definition in MetricCatalog.all {
            for name in OTLPNaming.expositionNames(definition, namespace: namespace) {
                var labels = Set(definition.labelNames.map(OTLPNaming.labelName)).union(CatalogRules.universalLabels)
                if name.hasSuffix("_bucket") { labels.insert("le") }
                translated[name] = labels
            }
        }
        var queriedFamilies = Set<String>()
        for query in try StackFiles.allDashboardQueries() where !query.composeOnly {
            let scan = PromQLScan(query.expr)
            for metric in scan.metrics where metric != "up" {
                let labels = try #require(translated[metric],
                                          "\(query.place): \(metric) is not a name the collector exports for the catalog")
                for use in scan.labelUses where use.metric == metric {
                    #expect(labels.contains(use.label), "\(query.place): \(metric) has no label \(use.label)")
                }
                if let family = CatalogRules.resolve(metric)?.definition?.name { queriedFamilies.insert(family) }
            }
            for (labels, metrics) in scan.groupings {
                let available = metrics.reduce(into: Set<String>()) { $0.formUnion(translated[$1] ?? []) }
                for label in labels {
                    #expect(available.contains(label), "\(query.place): no series aggregated by \(label) has it")
                }
            }
        }
        // "Exactly": every translated family is queried somewhere natively checkable.
        let unqueried = Set(MetricCatalog.all.map(\.name)).subtracting(queriedFamilies)
        #expect(unqueried.isEmpty, "translated but not queried by any dashboard: \(unqueried.sorted())")
    }

    @Test("the native twin relabels to the collector's names and job labels")
    func nativeTwin() throws {
        let namespace = try exporterSettings().namespace
        let native = try StackFiles.yaml("config/prometheus.native.yml")
        let job = try #require((native["scrape_configs"] as? [[String: Any]])?.first)
        let metricRelabel = try #require((job["metric_relabel_configs"] as? [[String: Any]])?.first)
        #expect(metricRelabel["target_label"] as? String == "__name__")
        #expect(metricRelabel["replacement"] as? String == "\(namespace)_$1")

        let targetRelabel = job["relabel_configs"] as? [[String: Any]] ?? []
        let jobRule = try #require(targetRelabel.first { $0["target_label"] as? String == "job" })
        // job = service.namespace "/" service.name, as the exporter derives it from the resource.
        let serviceNamespace = try TelemetryConfiguration(serviceName: "discord", environment: [:]).serviceNamespace
        #expect(jobRule["replacement"] as? String == "\(serviceNamespace)/$1")
        #expect(targetRelabel.contains { $0["target_label"] as? String == "environment" },
                "the native twin must add the collector's const label `environment`")

        // Which services it scrapes, on which ports: FleetWiringTests.

        // The service-details default selection is a job the fleet really has.
        let details = try StackFiles.json("config/grafana/dashboards/service-details.json")
        let variables = (details["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        let current = (variables.first?["current"] as? [String: Any])?["value"] as? String
        #expect(MetricCatalog.serviceNames.map { "\(serviceNamespace)/\($0)" }.contains(current ?? ""))
    }
}
