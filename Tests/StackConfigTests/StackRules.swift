import FleetTelemetry

/// The OTel Collector prometheus exporter's naming, as the tests apply it to the catalog.
///
/// Source: the exporter delegates to prometheus/otlptranslator (repository prometheus/otlptranslator,
/// file metric_namer.go: `MetricNamer.Build` -> `normalizeName`, `addUnitTokens`, `unitMap`; file
/// normalize_label.go for labels), itself ported from open-telemetry/opentelemetry-collector-contrib
/// pkg/translator/prometheus/normalize_name.go. With translation_strategy
/// UnderscoreEscapingWithSuffixes (config/otel-collector-config.yaml):
///   1. the name is split into tokens on every character outside [a-zA-Z0-9:] (so `_` and `.` both
///      separate, and repeated separators collapse);
///   2. the unit's Prometheus word (s -> seconds, By -> bytes, ...) is appended unless a token
///      already equals it; annotations in braces and unit "1" add nothing;
///   3. a monotonic counter drops every `total` token and appends one `total`;
///   4. a gauge with unit "1" gets `ratio` the same way;
///   5. the namespace is prepended as one token, and the tokens are joined with `_`.
/// Histograms then get `_bucket` / `_sum` / `_count` in the exposition; the exporter adds
/// job = service.namespace/service.name, instance = service.instance.id and its const_labels.
enum OTLPNaming {
    enum MetricType { case monotonicCounter, gauge, histogram }

    static let unitWords: [String: String] = [
        "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds",
        "us": "microseconds", "ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes",
        "GiBy": "gibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "1": "", "%": "percent",
    ]
    static let perUnitWords: [String: String] = [
        "s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year",
    ]

    static func isNameChar(_ c: Character) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == ":"
    }

    static func metricName(_ name: String, unit: String, type: MetricType, namespace: String) -> String {
        var tokens = name.split(whereSeparator: { !isNameChar($0) }).map(String.init)
        // Unit: strip {annotations}; "main/per" becomes main word + "per" + per word.
        let bare = String(unit.prefix { $0 != "{" }).trimmingSpaces
        let parts = bare.split(separator: "/", maxSplits: 1).map(String.init)
        let main = parts.first.flatMap { unitWords[$0] ?? ($0.isEmpty ? "" : $0) } ?? ""
        let per = parts.count > 1 ? (perUnitWords[parts[1]] ?? parts[1]) : ""
        if !main.isEmpty, !tokens.contains(main) { tokens.append(main) }
        if !per.isEmpty, !tokens.contains(per) { tokens += ["per", per] }
        switch type {
        case .monotonicCounter: tokens = tokens.filter { $0 != "total" } + ["total"]
        case .gauge where unit == "1": tokens = tokens.filter { $0 != "ratio" } + ["ratio"]
        default: break
        }
        if !namespace.isEmpty { tokens.insert(namespace, at: 0) }
        var result = tokens.joined(separator: "_")
        if let first = result.first, first.isNumber { result = "_" + result }
        return result
    }

    /// normalize_label.go: every character outside [a-zA-Z0-9_] becomes `_`, a leading digit gets `key_`.
    static func labelName(_ name: String) -> String {
        var out = String(name.map { c -> Character in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" ? c : "_"
        })
        if let first = out.first, first.isNumber { out = "key_" + out }
        return out
    }

    static func type(of kind: MetricDefinition.Kind) -> MetricType {
        switch kind {
        case .counter: .monotonicCounter
        case .gauge: .gauge
        case .histogram: .histogram
        }
    }

    /// The series names the exposition carries for one catalogued metric.
    static func expositionNames(_ definition: MetricDefinition, namespace: String) -> [String] {
        // swift-otel exports no unit (swift-metrics has none): the name carries it.
        let name = metricName(definition.name, unit: "", type: type(of: definition.kind), namespace: namespace)
        return definition.kind == .histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name]
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// What a dashboard or rule may name, and the check of (a): every metric exists in the catalog,
/// with label names (and closed-set label values) that exist on it.
enum CatalogRules {
    static let namespace = "audio_orchestrator"
    /// Labels every fleet series carries besides its own: job and instance from the exporter (or the
    /// scrape), environment from the exporter's const label (or the native relabelling).
    static let universalLabels: Set<String> = ["job", "instance", "environment"]

    /// Series that do not come from the fleet, allowed explicitly:
    /// - `up`: Prometheus' own per-target series;
    /// - `target_info`: the exporter's resource-attribute series;
    /// - the span_metrics connector's RED metrics (config/otel-collector-config.yaml, namespace
    ///   traces.span.metrics, unit s): labels from span and resource attributes — service.name,
    ///   span.name, span.kind and status.code (or otel.status_code with the connector's
    ///   useOtelPrefix gate), escaped to underscores;
    /// - `otelcol_*`: the collector's own telemetry (any label: its attributes vary by component).
    static let spanLabels: Set<String> = ["service_name", "span_name", "span_kind", "status_code", "otel_status_code"]
    static var nonFleet: [String: Set<String>] {
        let span = spanLabels.union(universalLabels)
        return [
            "up": ["job", "instance"],
            "target_info": universalLabels,
            "\(namespace)_traces_span_metrics_calls_total": span,
            "\(namespace)_traces_span_metrics_duration_seconds_bucket": span.union(["le"]),
            "\(namespace)_traces_span_metrics_duration_seconds_sum": span,
            "\(namespace)_traces_span_metrics_duration_seconds_count": span,
        ]
    }

    /// A queried series name -> the catalog entry it reads, and the labels it has.
    static func resolve(_ name: String) -> (definition: MetricDefinition?, labels: Set<String>, prefixed: Bool)? {
        let prefix = namespace + "_"
        let prefixed = name.hasPrefix(prefix)
        let base = prefixed ? String(name.dropFirst(prefix.count)) : name
        if let definition = MetricCatalog.definition(named: base), definition.kind != .histogram {
            return (definition, Set(definition.labelNames).union(universalLabels), prefixed)
        }
        for suffix in ["_bucket", "_sum", "_count"] where base.hasSuffix(suffix) {
            let family = String(base.dropLast(suffix.count))
            if let definition = MetricCatalog.definition(named: family), definition.kind == .histogram {
                var labels = Set(definition.labelNames).union(universalLabels)
                if suffix == "_bucket" { labels.insert("le") }
                return (definition, labels, prefixed)
            }
        }
        return nil
    }

    /// Problems with the names in `queries`; empty when every name is known.
    static func problems(in queries: [Query]) -> [String] {
        var problems: [String] = []
        for query in queries {
            let scan = PromQLScan(query.expr)
            var allowedHere = universalLabels
            for metric in scan.metrics.sorted() {
                if metric.hasPrefix("otelcol_") { continue }
                if let labels = nonFleet[metric] {
                    allowedHere.formUnion(labels)
                    for use in scan.labelUses where use.metric == metric && !labels.contains(use.label) {
                        problems.append("\(query.place): label '\(use.label)' does not exist on \(metric)")
                    }
                    continue
                }
                guard let resolved = resolve(metric) else {
                    problems.append("\(query.place): '\(metric)' is not in MetricCatalog.all")
                    continue
                }
                allowedHere.formUnion(resolved.labels)
                if !resolved.prefixed && !query.composeOnly {
                    problems.append("\(query.place): '\(metric)' is the unprefixed /metrics name; dashboards and rules "
                                    + "read the collector's \(namespace)_ names (only a 'Compose stack only' panel may compare both)")
                }
                for use in scan.labelUses where use.metric == metric && !resolved.labels.contains(use.label) {
                    problems.append("\(query.place): label '\(use.label)' does not exist on \(metric) "
                                    + "(catalog labels: \(resolved.definition?.labelNames ?? []))")
                }
                for (label, value) in scan.equalityMatchers where label.metric == metric {
                    guard let allowed = resolved.definition?.labels.first(where: { $0.name == label.label })?.allowed else { continue }
                    if !allowed.contains(value) && value != "other" {
                        problems.append("\(query.place): \(metric){\(label.label)=\"\(value)\"} can never match: "
                                        + "allowed values are \(allowed.sorted())")
                    }
                }
            }
            for (labels, metrics) in scan.groupings {
                let known = metrics.reduce(into: universalLabels) { known, metric in
                    if metric.hasPrefix("otelcol_") { known.insert("*") }
                    known.formUnion(nonFleet[metric] ?? resolve(metric)?.labels ?? [])
                }
                for label in labels where !known.contains(label) && !known.contains("*") {
                    problems.append("\(query.place): grouping label '\(label)' exists on none of \(metrics.sorted())")
                }
            }
            for label in scan.joinLabels where !allowedHere.contains(label) {
                problems.append("\(query.place): join label '\(label)' exists on none of the metrics it joins")
            }
        }
        return problems
    }
}
