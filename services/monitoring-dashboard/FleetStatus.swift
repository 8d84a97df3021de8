import FleetContracts
import ServiceKit

/// What GET /api/status answers and the page draws: every service's readiness and the fleet's
/// headline numbers, as of the last poll.
public struct FleetStatus: Codable, Sendable, Equatable {
    public var services: [ServiceStatus]
    public var metrics: FleetMetrics
    /// Present when PROMETHEUS_URL is set.
    public var prometheus: PrometheusStatus?
    /// ISO 8601 time of the poll these numbers come from; nil before the first poll ends.
    public var updatedAt: String?
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

    enum CodingKeys: String, CodingKey {
        case services, metrics, prometheus
        case updatedAt = "updated_at"
        case pollIntervalSeconds = "poll_interval_seconds"
        case recentTurns = "recent_turns"
    }

    /// Absent values are written as null, so every documented key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(services, forKey: .services)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(prometheus, forKey: .prometheus)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(pollIntervalSeconds, forKey: .pollIntervalSeconds)
        try container.encode(recentTurns, forKey: .recentTurns)
    }
}

public struct ServiceStatus: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var ready: Bool
    /// ready, degraded or not_ready as the service reports it; `unreachable` when it did not answer.
    public var status: String
    /// How long /health/ready took to answer; nil when it did not.
    public var latencyMs: Double?
    /// The service's peers as it sees them: name -> healthy / unreachable.
    public var dependencies: [String: String]
    /// Why the service could not be read, when it could not.
    public var error: String?

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

    enum CodingKeys: String, CodingKey {
        case name, url, ready, status, dependencies, error
        case latencyMs = "latency_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(url, forKey: .url)
        try container.encode(ready, forKey: .ready)
        try container.encode(status, forKey: .status)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(dependencies, forKey: .dependencies)
        try container.encode(error, forKey: .error)
    }
}

/// The fleet's numbers, each read from the `/metrics` of the service that records it. A number
/// is null when its service has not been scraped or has not observed anything yet.
public struct FleetMetrics: Codable, Sendable, Equatable {
    /// API requests per second per service since the previous poll (health probes and /metrics
    /// left out, so the dashboard does not count its own polling).
    public var requestsPerSecond: [String: Double]
    /// http_server_errors_total per service, since it started.
    public var errorsTotal: [String: Double]
    /// discord's voice_turns_total by outcome.
    public var turnsByOutcome: [String: Double]
    /// discord's end_to_end_response_duration_seconds: speech end to first reply audio.
    public var endToEnd: LatencySummary
    /// Median time to first byte of each model stage (stt, llm, tts), from voice_stage_ttfb_seconds.
    public var stageTTFBMedianSeconds: [String: Double]
    /// Median audio_quality_score of processed audio (0..1).
    public var audioQualityMedian: Double?

    public init(requestsPerSecond: [String: Double] = [:], errorsTotal: [String: Double] = [:],
                turnsByOutcome: [String: Double] = [:], endToEnd: LatencySummary = .init(),
                stageTTFBMedianSeconds: [String: Double] = [:], audioQualityMedian: Double? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.errorsTotal = errorsTotal
        self.turnsByOutcome = turnsByOutcome
        self.endToEnd = endToEnd
        self.stageTTFBMedianSeconds = stageTTFBMedianSeconds
        self.audioQualityMedian = audioQualityMedian
    }

    enum CodingKeys: String, CodingKey {
        case requestsPerSecond = "requests_per_second"
        case errorsTotal = "errors_total"
        case turnsByOutcome = "turns_by_outcome"
        case endToEnd = "end_to_end_seconds"
        case stageTTFBMedianSeconds = "stage_ttfb_median_seconds"
        case audioQualityMedian = "audio_quality_median"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
        try container.encode(errorsTotal, forKey: .errorsTotal)
        try container.encode(turnsByOutcome, forKey: .turnsByOutcome)
        try container.encode(endToEnd, forKey: .endToEnd)
        try container.encode(stageTTFBMedianSeconds, forKey: .stageTTFBMedianSeconds)
        try container.encode(audioQualityMedian, forKey: .audioQualityMedian)
    }
}

/// Quantiles estimated from a histogram's buckets since the service started.
public struct LatencySummary: Codable, Sendable, Equatable {
    enum CodingKeys: String, CodingKey { case p50, p95, count }

    public var p50: Double?
    public var p95: Double?
    public var count: Double

    public init(p50: Double? = nil, p95: Double? = nil, count: Double = 0) {
        self.p50 = p50
        self.p95 = p95
        self.count = count
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(p50, forKey: .p50)
        try container.encode(p95, forKey: .p95)
        try container.encode(count, forKey: .count)
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
