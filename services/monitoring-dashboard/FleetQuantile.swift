/// A quantile the page shows, of one fleet histogram. Two sources answer the same list:
/// Prometheus (`histogram_quantile` over its rate window) and the dashboard's own estimate from
/// the buckets in the services' /metrics (everything since each service started).
public struct FleetQuantile: Hashable, Sendable {
    /// Which quantile, 0...1.
    public let q: Double
    /// The histogram's name, without `_bucket`.
    public let histogram: String
    /// Labels the series must carry (`stage="processed"`).
    public let matching: [String: String]
    /// The service whose /metrics holds the histogram; nil when it is added up across every
    /// service that records it.
    public let service: String?

    /// The model stages whose time to first byte the page shows.
    public static let stages = ["stt", "llm", "tts"]

    public static let endToEndMedian = FleetQuantile(q: 0.5, histogram: endToEndHistogram, matching: [:], service: "discord")
    public static let endToEndP95 = FleetQuantile(q: 0.95, histogram: endToEndHistogram, matching: [:], service: "discord")
    public static let audioQualityMedian = FleetQuantile(q: 0.5, histogram: "audio_quality_score",
                                                         matching: ["stage": "processed"], service: "audio-processor")

    /// stt's TTFB is measured by the voice bridge, llm's and tts's by the orchestrator: one
    /// histogram name, so the buckets of every service are added together, stage by stage.
    public static func stageTtfbMedian(_ stage: String) -> FleetQuantile {
        FleetQuantile(q: 0.5, histogram: "voice_stage_ttfb_seconds", matching: ["stage": stage], service: nil)
    }

    /// Every quantile one poll asks for.
    public static let all = [endToEndMedian, endToEndP95] + stages.map(stageTtfbMedian) + [audioQualityMedian]

    /// discord's speech-end to first-reply-audio histogram.
    static let endToEndHistogram = "end_to_end_response_duration_seconds"

    /// The estimate from the services' own buckets, as `histogram_quantile` over all they observed.
    func estimate(from expositions: [String: MetricExposition]) -> Double? {
        let sources = service.map { expositions[$0].map { [$0] } ?? [] } ?? Array(expositions.values)
        let buckets = StatusAggregator.merge(sources.map { $0.histogramBuckets(histogram, matching: matching) })
        return HistogramQuantile.estimate(q, buckets: buckets)
    }

    /// The PromQL that asks Prometheus for it over the last `window`, by the name the metric has
    /// in Prometheus (`prefix` + histogram).
    func promQL(prefix: String, window: String) -> String {
        let labels = matching.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
        let selector = labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}"
        return "histogram_quantile(\(q), sum by (le) (rate(\(prefix)\(histogram)_bucket\(selector)[\(window)])))"
    }
}

extension FleetMetrics {
    /// Puts one source's quantiles in their places; a quantile missing from `values` had nothing
    /// to be estimated from and is shown as null.
    mutating func setQuantiles(_ values: [FleetQuantile: Double], from source: QuantileSource) {
        endToEndSeconds.p50 = values[.endToEndMedian]
        endToEndSeconds.p95 = values[.endToEndP95]
        stageTtfbMedianSeconds = [:]
        for stage in FleetQuantile.stages {
            stageTtfbMedianSeconds[stage] = values[.stageTtfbMedian(stage)]
        }
        audioQualityMedian = values[.audioQualityMedian]
        quantileSource = source
    }
}
