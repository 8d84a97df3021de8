public import FleetContracts
public import Hummingbird
public import ServiceKit

/// What GET /api/status answers and the page draws: every service's readiness and the fleet's
/// headline numbers, as of the last poll.
public struct FleetStatus: Codable, Sendable, Equatable, ResponseEncodable {
    public var services: [ServiceStatus]
    public var metrics: FleetMetrics
    /// Present when PROMETHEUS_URL is set.
    @NullWhenAbsent public var prometheus: PrometheusStatus?
    /// ISO 8601 time of the poll these numbers come from; nil before the first poll ends.
    @NullWhenAbsent public var updatedAt: String?
    /// Seconds between polls, so the page can say how fresh it is.
    public var pollIntervalSeconds: Double
    /// The voice turns the discord bridge reported last (POST /api/turns), newest first.
    public var recentTurns: [TurnReport]

    public init(services: [ServiceStatus], metrics: FleetMetrics, prometheus: PrometheusStatus?, updatedAt: String?,
                pollIntervalSeconds: Double, recentTurns: [TurnReport] = []) {
        self.services = services
        self.metrics = metrics
        self.prometheus = prometheus
        self.updatedAt = updatedAt
        self.pollIntervalSeconds = pollIntervalSeconds
        self.recentTurns = recentTurns
    }
}

public struct ServiceStatus: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var ready: Bool
    /// ready, degraded or not_ready as the service reports it; `unreachable` when it did not answer.
    public var status: String
    /// How long /health/ready took to answer; nil when it did not.
    @NullWhenAbsent public var latencyMs: Double?
    /// The service's peers as it sees them: name -> healthy / unreachable.
    public var dependencies: [String: String]
    /// Why the service could not be read, when it could not.
    @NullWhenAbsent public var error: String?

    public init(name: String, url: String, ready: Bool, status: String, latencyMs: Double?,
                dependencies: [String: String], error: String?) {
        self.name = name
        self.url = url
        self.ready = ready
        self.status = status
        self.latencyMs = latencyMs
        self.dependencies = dependencies
        self.error = error
    }
}

/// The fleet's numbers, each read from the `/metrics` of the service that records it, except the
/// quantiles, which Prometheus answers when it is configured and answering. A number is null when
/// its service has not been scraped or has not observed anything yet.
public struct FleetMetrics: Codable, Sendable, Equatable {
    /// API requests per second per service since the previous poll (health probes and /metrics
    /// left out, so the dashboard does not count its own polling).
    public var requestsPerSecond: [String: Double]
    /// http_server_errors_total per service, since it started.
    public var errorsTotal: [String: Double]
    /// API errors per second per service since the previous poll (http_server_errors_total).
    public var errorsPerSecond: [String: Double]
    /// Mean duration of the API requests each service answered since the previous poll; absent
    /// for a service that answered none.
    public var meanDurationSeconds: [String: Double]
    /// discord's voice_turns_total by outcome.
    public var turnsByOutcome: [String: Double]
    /// discord's end_to_end_response_duration_seconds: speech end to first reply audio.
    public var endToEndSeconds: LatencySummary
    /// Median time to first byte of each model stage (stt, llm, tts), from voice_stage_ttfb_seconds.
    public var stageTtfbMedianSeconds: [String: Double]
    /// Median audio_quality_score of processed audio (0..1).
    @NullWhenAbsent public var audioQualityMedian: Double?
    /// Where this poll's quantiles (the p50s, p95 and medians above) came from.
    public var quantileSource: QuantileSource
    /// discord's voice_active_speakers: the load `audio-fleet load` sets; nil until discord is scraped.
    @NullWhenAbsent public var activeSpeakers: Double?
    /// discord's voice_channels: the channels those speakers are spread over.
    @NullWhenAbsent public var voiceChannels: Double?

    public init(requestsPerSecond: [String: Double] = [:], errorsTotal: [String: Double] = [:],
                errorsPerSecond: [String: Double] = [:], meanDurationSeconds: [String: Double] = [:],
                turnsByOutcome: [String: Double] = [:], endToEndSeconds: LatencySummary = .init(),
                stageTtfbMedianSeconds: [String: Double] = [:], audioQualityMedian: Double? = nil,
                quantileSource: QuantileSource = .scraped, activeSpeakers: Double? = nil, voiceChannels: Double? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.errorsTotal = errorsTotal
        self.errorsPerSecond = errorsPerSecond
        self.meanDurationSeconds = meanDurationSeconds
        self.turnsByOutcome = turnsByOutcome
        self.endToEndSeconds = endToEndSeconds
        self.stageTtfbMedianSeconds = stageTtfbMedianSeconds
        self.audioQualityMedian = audioQualityMedian
        self.quantileSource = quantileSource
        self.activeSpeakers = activeSpeakers
        self.voiceChannels = voiceChannels
    }
}

/// Where a poll's quantiles came from: `prometheus` (`histogram_quantile` over the last five
/// minutes) or `scraped` (estimated from the buckets in the services' /metrics, since each
/// started) when Prometheus is not configured or did not answer.
public enum QuantileSource: String, Codable, Sendable {
    case prometheus, scraped
}

/// Two quantiles of a histogram, and how many observations it holds since the service started
/// (read from its /metrics whichever source the quantiles came from).
public struct LatencySummary: Codable, Sendable, Equatable {
    @NullWhenAbsent public var p50: Double?
    @NullWhenAbsent public var p95: Double?
    public var count: Double

    public init(p50: Double? = nil, p95: Double? = nil, count: Double = 0) {
        self.p50 = p50
        self.p95 = p95
        self.count = count
    }
}

public struct PrometheusStatus: Codable, Sendable, Equatable {
    public var url: String
    public var reachable: Bool

    public init(url: String, reachable: Bool) {
        self.url = url
        self.reachable = reachable
    }
}
