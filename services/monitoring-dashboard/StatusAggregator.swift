import FleetTelemetry
import Foundation
import ServiceKit

/// Turns one poll's scrapes into the dashboard's numbers (quantiles estimated from the scraped
/// buckets, which Prometheus's may then replace), remembering each service's traffic counters of
/// the previous poll so it can tell requests and errors per second and the mean request duration
/// — `rate()` over one poll interval.
public struct StatusAggregator: Sendable {
    /// Routes every service serves to probes; the dashboard's own polling lands on them, so they
    /// are left out of requests per second.
    static let probeRoutes: Set<String> = ["/health/live", "/health/ready", "/metrics"]

    private var previous: [String: TrafficCounters] = [:]

    public init() {}

    public mutating func aggregate(_ scrapes: [TargetScrape], at instant: ContinuousClock.Instant) -> FleetMetrics {
        var metrics = FleetMetrics()
        for scrape in scrapes {
            let name = scrape.target.name
            guard let exposition = scrape.metrics else {
                previous[name] = nil
                continue
            }
            metrics.errorsTotal[name] = exposition.sum("http_server_errors_total") ?? 0
            let counters = TrafficCounters(exposition, at: instant)
            defer { previous[name] = counters }
            guard let rates = previous[name].flatMap({ counters.rates(since: $0) }) else { continue }
            metrics.requestsPerSecond[name] = rates.requestsPerSecond
            metrics.errorsPerSecond[name] = rates.errorsPerSecond
            if let mean = rates.meanDurationSeconds { metrics.meanDurationSeconds[name] = mean }
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

    /// Adds histograms bucket by bucket (`sum by (le)`).
    static func merge(_ histograms: [[HistogramBucket]]) -> [HistogramBucket] {
        var counts: [Double: Double] = [:]
        for bucket in histograms.joined() { counts[bucket.upperBound, default: 0] += bucket.cumulativeCount }
        return counts.map { HistogramBucket(upperBound: $0.key, cumulativeCount: $0.value) }
            .sorted { $0.upperBound < $1.upperBound }
    }
}
