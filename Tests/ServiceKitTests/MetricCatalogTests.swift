import Testing
@testable import FleetTelemetry

@Suite("Metric catalog")
struct MetricCatalogTests {
    @Test("names follow Prometheus conventions")
    func namingConventions() {
        // A unit, a kind of value (a 0/1 state, a severity in the scenario's own unit), or what a
        // count counts; `_error_rate` is the word error rate's standard name, a ratio, not a per-second rate.
        let units = ["_seconds", "_bytes", "_total", "_score", "_per_second", "_status", "_health", "_state",
                     "_active", "_severity", "_requests", "_sessions", "_speakers", "_channels", "_error_rate"]
        for metric in MetricCatalog.all {
            #expect(metric.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(metric.name) is not snake_case")
            #expect(!metric.name.contains("__") && !metric.name.hasPrefix("_"))
            switch metric.kind {
            case .counter:
                #expect(metric.name.hasSuffix("_total"), "counter \(metric.name) must end in _total")
            case .histogram, .gauge:
                #expect(!metric.name.hasSuffix("_total"), "\(metric.name) is not a counter but ends in _total")
                #expect(units.contains { metric.name.hasSuffix($0) }, "\(metric.name) has no unit or kind suffix")
            }
            if metric.name.contains("duration") || metric.name.contains("latency") {
                #expect(metric.name.hasSuffix("_seconds"), "\(metric.name) measures time but is not in seconds")
            }
            #expect(!metric.help.isEmpty)
        }
    }

    @Test("names are unique and histograms have increasing buckets")
    func uniqueNamesAndBuckets() {
        let names = MetricCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        for metric in MetricCatalog.all where metric.kind == .histogram {
            #expect(!metric.buckets.isEmpty, "\(metric.name) has no buckets")
            #expect(zip(metric.buckets, metric.buckets.dropFirst()).allSatisfy { $0 < $1 }, "\(metric.name) buckets are not increasing")
        }
        for metric in MetricCatalog.all where metric.kind != .histogram {
            #expect(metric.buckets.isEmpty)
        }
    }

    @Test("label names are valid and never reserved")
    func labels() {
        for metric in MetricCatalog.all {
            for label in metric.labelNames {
                #expect(label.allSatisfy { $0.isLowercase || $0 == "_" }, "\(metric.name){\(label)}")
                #expect(!["le", "quantile", "job", "instance", "environment"].contains(label),
                        "\(metric.name) uses the reserved label \(label)")
            }
        }
    }

    @Test("the seed plan's and the original's metrics are all catalogued")
    func planMetricsPresent() {
        for name in ["audio_processing_duration_seconds", "audio_quality_score", "audio_chunks_processed_total",
                     "wake_detection_duration_seconds", "end_to_end_response_duration_seconds",
                     "stt_transcriptions_total", "stt_transcription_duration_seconds", "stt_requests_total",
                     "stt_latency_seconds", "pre_stt_encode_seconds", "service_health_status",
                     "service_dependency_health", "health_check_duration_seconds"] {
            #expect(MetricCatalog.definition(named: name) != nil, "\(name) missing")
        }
        #expect(MetricCatalog.sttLatency.buckets.first == 0.25 && MetricCatalog.sttLatency.buckets.last == 16)
        #expect(MetricCatalog.preSTTEncode.buckets.first == 0.001 && MetricCatalog.preSTTEncode.buckets.last == 4)
    }
}

@Suite("Series initialised at zero")
struct SeriesInitializationTests {
    @Test("every combination of allowed label values, and only those")
    func combinations() {
        let all = MetricCatalog.combinations(of: MetricCatalog.guardrailsChecks.labels)
        #expect(all.count == 2 * 3 * 7)
        #expect(Set(all.map { $0["direction"] ?? "" }) == ["input", "output"])
        #expect(all.contains(["direction": "output", "verdict": "blocked", "reason": "toxicity"]))
        #expect(MetricCatalog.combinations(of: []) == [[:]])
    }
}
