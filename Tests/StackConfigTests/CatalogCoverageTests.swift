import FleetTelemetry
import Testing

/// (a) Every metric a dashboard or alert rule names exists in MetricCatalog.all, with label names
/// (and literal label values) that exist on it. `up`, `target_info`, the span_metrics connector's
/// series and the collector's own `otelcol_*` are the only names from outside the catalog.
@Suite("Dashboards and rules name only catalogued metrics")
struct CatalogCoverageTests {
    @Test("every dashboard query names catalogued metrics and labels")
    func dashboardsUseTheCatalog() throws {
        let queries = try StackFiles.allDashboardQueries()
        #expect(queries.count > 50, "expected the three dashboards' targets, found \(queries.count)")
        let problems = CatalogRules.problems(in: queries)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
    }

    @Test("every alert rule names catalogued metrics and labels")
    func rulesUseTheCatalog() throws {
        let queries = try StackFiles.ruleQueries()
        #expect(queries.count >= 30, "expected both rule files' alerts, found \(queries.count)")
        let problems = CatalogRules.problems(in: queries)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
    }

    @Test("every catalogued metric is on at least one dashboard")
    func everyMetricIsDashboarded() throws {
        let queried = try StackFiles.allDashboardQueries().reduce(into: Set<String>()) { names, query in
            for name in PromQLScan(query.expr).metrics {
                if let definition = CatalogRules.resolve(name)?.definition { names.insert(definition.name) }
            }
        }
        let missing = MetricCatalog.all.map(\.name).filter { !queried.contains($0) }
        #expect(missing.isEmpty, "catalogued but on no dashboard: \(missing)")
    }

    @Test("the service variable lists jobs of a metric every service emits")
    func serviceVariable() throws {
        for file in StackFiles.dashboardFiles {
            let dashboard = try StackFiles.json(file)
            let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            let service = try #require(variables.first { $0["name"] as? String == "service" }, "\(file) has no $service")
            let query = (service["query"] as? [String: Any])?["query"] as? String ?? service["query"] as? String ?? ""
            let metric = try #require(PromQLScan(query.labelValuesSelector).metrics.first, "\(file): \(query)")
            let definition = try #require(CatalogRules.resolve(metric)?.definition, "\(file): \(metric)")
            #expect(definition.emittedBy == .everyService, "\(file): \(metric) is not emitted by every service")
            #expect(query.hasSuffix(", job)"), "\(file): the variable must list job values: \(query)")
        }
    }

    // MARK: The check can fail

    @Test("a misspelled metric is reported")
    func misspelledMetric() {
        let bad = [Query(place: "synthetic", expr: "sum(rate(audio_orchestrator_voice_turn_total[$__rate_interval]))",
                         composeOnly: false)]
        let problems = CatalogRules.problems(in: bad)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("'audio_orchestrator_voice_turn_total' is not in MetricCatalog.all") == true)
    }

    @Test("a label the metric does not have is reported, in a matcher or a grouping")
    func wrongLabel() {
        let bad = [
            Query(place: "matcher", expr: #"audio_orchestrator_voice_turns_total{result="replied"}"#, composeOnly: false),
            Query(place: "grouping", expr: "sum by (stage) (rate(audio_orchestrator_stt_latency_seconds_bucket[1m]))",
                  composeOnly: false),
        ]
        let problems = CatalogRules.problems(in: bad)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.first { $0.hasPrefix("matcher") }?.contains("label 'result' does not exist on") == true)
        #expect(problems.first { $0.hasPrefix("grouping") }?.contains("grouping label 'stage' exists on none of") == true)
    }

    @Test("a label value outside the catalog's closed set is reported")
    func impossibleValue() {
        let bad = [Query(place: "value", expr: #"audio_orchestrator_voice_turns_total{outcome="eror"}"#, composeOnly: false)]
        #expect(CatalogRules.problems(in: bad).first?.contains("can never match") == true)
    }

    @Test("an unprefixed /metrics name is reported outside compose-only panels")
    func unprefixedName() {
        let expr = "sum(rate(http_server_request_duration_seconds_count[5m]))"
        #expect(CatalogRules.problems(in: [Query(place: "p", expr: expr, composeOnly: false)]).count == 1)
        #expect(CatalogRules.problems(in: [Query(place: "p", expr: expr, composeOnly: true)]).isEmpty)
    }

    @Test("the scanner tells metrics from functions, keywords, labels and strings")
    func scanner() {
        let scan = PromQLScan("""
            (sum by (job) (rate(audio_orchestrator_http_server_errors_total{job=~"$service"}[$__rate_interval]))
              or sum by (job) (rate(audio_orchestrator_http_server_request_duration_seconds_count{job=~"$service"}[1m])) * 0)
            / on (job) group_left histogram_quantile(0.95, sum by (le, job) (rate(x_bucket[5m])))
            """)
        #expect(scan.metrics == ["audio_orchestrator_http_server_errors_total",
                                 "audio_orchestrator_http_server_request_duration_seconds_count", "x_bucket"])
        #expect(scan.groupings.contains { $0.labels == ["le", "job"] && $0.metrics == ["x_bucket"] })
        #expect(scan.labelUses.contains(.init(metric: "audio_orchestrator_http_server_errors_total", label: "job")))
        #expect(scan.joinLabels == ["job"])
    }
}

extension String {
    /// `label_values(metric, job)` -> `metric` alone, so the scanner sees one selector.
    var labelValuesSelector: String {
        guard let open = firstIndex(of: "("), let comma = lastIndex(of: ",") else { return self }
        return String(self[index(after: open)..<comma])
    }
}
