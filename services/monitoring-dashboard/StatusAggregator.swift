import FleetTelemetry
import Foundation
import ServiceKit

/// Turns one poll's scrapes into the dashboard's numbers (quantiles estimated from the scraped
/// buckets, which Prometheus's may then replace), remembering the request counters of the
/// previous poll so it can tell requests per second — `rate()` over one poll interval.
public struct StatusAggregator: Sendable {
    /// Routes every service serves to probes; the dashboard's own polling lands on them, so they
    /// are left out of requests per second.
    static let probeRoutes: Set<String> = ["/health/live", "/health/ready", "/metrics"]

    private var previousRequests: [String: (count: Double, at: ContinuousClock.Instant)] = [:]

    public init() {}

    public mutating func aggregate(_ scrapes: [TargetScrape], at instant: ContinuousClock.Instant) -> FleetMetrics {
        var metrics = FleetMetrics()
        for scrape in scrapes {
            guard let exposition = scrape.metrics else {
                previousRequests[scrape.target.name] = nil
                continue
            }
            let name = scrape.target.name
            if let rate = requestRate(name, exposition, at: instant) { metrics.requestsPerSecond[name] = rate }
            metrics.errorsTotal[name] = exposition.sum("http_server_errors_total") ?? 0
        }

        let byService = Dictionary(scrapes.compactMap { scrape in scrape.metrics.map { (scrape.target.name, $0) } },
                                   uniquingKeysWith: { first, _ in first })
        if let discord = byService["discord"] {
            metrics.turnsByOutcome = discord.sum("voice_turns_total", by: "outcome")
            metrics.endToEndSeconds.count = discord.histogramBuckets(FleetQuantile.endToEndHistogram).last?.cumulativeCount ?? 0
            metrics.activeSpeakers = discord.sum(MetricCatalog.activeSpeakers.name)
            metrics.voiceChannels = discord.sum(MetricCatalog.voiceChannels.name)
        }
        let estimates = FleetQuantile.all.reduce(into: [FleetQuantile: Double]()) { $0[$1] = $1.estimate(from: byService) }
        metrics.setQuantiles(estimates, from: .scraped)
        return metrics
    }

    /// Requests per second since the last poll, or nil on a service's first poll. A counter that
    /// went backwards means the service restarted: it is counted from zero, as PromQL does.
    private mutating func requestRate(_ service: String, _ exposition: MetricExposition,
                                      at instant: ContinuousClock.Instant) -> Double? {
        let count = exposition.sum("http_server_request_duration_seconds_count") {
            !Self.probeRoutes.contains($0.labels["http_route"] ?? "")
        } ?? 0
        defer { previousRequests[service] = (count, instant) }
        guard let previous = previousRequests[service] else { return nil }
        let elapsed = (instant - previous.at).seconds
        guard elapsed > 0 else { return nil }
        let increase = count >= previous.count ? count - previous.count : count
        return increase / elapsed
    }

    /// Adds histograms bucket by bucket (`sum by (le)`).
    static func merge(_ histograms: [[HistogramBucket]]) -> [HistogramBucket] {
        var counts: [Double: Double] = [:]
        for bucket in histograms.joined() { counts[bucket.upperBound, default: 0] += bucket.cumulativeCount }
        return counts.map { HistogramBucket(upperBound: $0.key, cumulativeCount: $0.value) }
            .sorted { $0.upperBound < $1.upperBound }
    }
}
