public import FleetContracts
public import Foundation
import ServiceKit

/// The latest status, shared by the poller that writes it and the handlers that read it, and
/// the last 15 minutes of each service's traffic for the charts.
public actor StatusStore {
    private var aggregator = StatusAggregator()
    private var traffic: TrafficRecorder
    private var status: FleetStatus
    private var lastPoll: ContinuousClock.Instant?
    /// When the last poll was recorded; formatted into `updatedAt` only when someone reads the
    /// status: an ISO 8601 date formatted every poll ran Foundation's calendar code every 5 s for
    /// pages nobody may be looking at.
    private var lastPollDate: Date?
    private var turns: [TurnReport] = []
    private let created = ContinuousClock.now
    public let pollInterval: Duration
    /// How many reported turns the feed keeps.
    public static let turnFeedLength = 50

    /// Before the first poll every service is listed as not yet polled.
    public init(targets: [ScrapeTarget], prometheusURL: String?, pollInterval: Duration) {
        self.pollInterval = pollInterval
        traffic = TrafficRecorder(services: targets.map(\.name), pollInterval: pollInterval)
        status = FleetStatus(
            services: targets.map {
                ServiceStatus(name: $0.name, url: $0.baseURL, ready: false, status: "unknown", latencyMs: nil,
                              dependencies: [:], error: "not polled yet")
            },
            metrics: FleetMetrics(),
            prometheus: prometheusURL.map { PrometheusStatus(url: $0, reachable: false) },
            updatedAt: nil, pollIntervalSeconds: pollInterval.seconds)
    }

    /// Keeps one poll's numbers; `prometheusQuantiles`, when Prometheus answered them, replace the
    /// quantiles estimated from the scrapes.
    public func record(_ scrapes: [TargetScrape], prometheus: PrometheusStatus?,
                       prometheusQuantiles: [FleetQuantile: Double]? = nil,
                       at instant: ContinuousClock.Instant = .now, date: Date = Date()) {
        var metrics = aggregator.aggregate(scrapes, at: instant)
        if let prometheusQuantiles { metrics.setQuantiles(prometheusQuantiles, from: .prometheus) }
        status = FleetStatus(services: scrapes.map(\.readiness),
                             metrics: metrics,
                             prometheus: prometheus,
                             updatedAt: nil,
                             pollIntervalSeconds: pollInterval.seconds)
        traffic.record(metrics, polled: scrapes.map(\.target.name), at: date)
        lastPoll = instant
        lastPollDate = date
    }

    /// Each service's traffic over the last 15 minutes, as of `date`.
    public func history(at date: Date = Date()) -> TrafficHistory {
        traffic.history(at: date, pollInterval: pollInterval)
    }

    public func latest() -> FleetStatus {
        var latest = status
        latest.updatedAt = lastPollDate?.formatted(.iso8601)
        latest.recentTurns = turns
        return latest
    }

    /// Adds a turn the voice bridge reported to the feed, dropping the oldest beyond its length.
    public func add(_ turn: TurnReport) {
        turns.insert(turn, at: 0)
        if turns.count > Self.turnFeedLength { turns.removeLast(turns.count - Self.turnFeedLength) }
    }

    /// Whether polls are still happening: the dashboard's own readiness. A stuck poller would
    /// otherwise keep showing a fleet that no longer exists as it was.
    public func isPolling(now: ContinuousClock.Instant = .now) -> Bool {
        now - (lastPoll ?? created) < pollInterval * 3 + .seconds(5)
    }
}
