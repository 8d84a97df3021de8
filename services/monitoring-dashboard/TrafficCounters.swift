import ServiceKit

/// The counters of one service's /metrics that its traffic is told from, as of one poll: API
/// requests, their summed duration, and errors — health probes and /metrics left out, so the
/// dashboard does not count (or time) its own polling.
struct TrafficCounters: Sendable {
    var requests: Double
    var durationSum: Double
    var errors: Double
    var at: ContinuousClock.Instant

    /// What one poll interval of traffic comes to.
    struct Rates: Sendable, Equatable {
        var requestsPerSecond: Double
        var errorsPerSecond: Double
        /// Mean duration of the requests answered in the interval; nil when there were none.
        var meanDurationSeconds: Double?
    }

    init(_ exposition: MetricExposition, at instant: ContinuousClock.Instant) {
        let api: (MetricSample) -> Bool = { !StatusAggregator.probeRoutes.contains($0.labels["http_route"] ?? "") }
        requests = exposition.sum("http_server_request_duration_seconds_count", where: api) ?? 0
        durationSum = exposition.sum("http_server_request_duration_seconds_sum", where: api) ?? 0
        errors = exposition.sum("http_server_errors_total", where: api) ?? 0
        at = instant
    }

    /// The rates since `earlier`; nil when no time passed. A counter that went backwards means the
    /// service restarted: everything is counted from zero, as PromQL's `rate()` does.
    func rates(since earlier: TrafficCounters) -> Rates? {
        let elapsed = (at - earlier.at).seconds
        guard elapsed > 0 else { return nil }
        let restarted = requests < earlier.requests || errors < earlier.errors || durationSum < earlier.durationSum
        let base = restarted ? TrafficCounters(zeroAt: earlier.at) : earlier
        let answered = requests - base.requests
        return Rates(requestsPerSecond: answered / elapsed,
                     errorsPerSecond: (errors - base.errors) / elapsed,
                     meanDurationSeconds: answered > 0 ? (durationSum - base.durationSum) / answered : nil)
    }

    private init(zeroAt instant: ContinuousClock.Instant) {
        requests = 0
        durationSum = 0
        errors = 0
        at = instant
    }
}
