import ServiceKit

/// The voice bridge reports every finished turn to the monitoring dashboard (POST /api/turns), so
/// the dashboard shows a live feed of turns with their latencies and trace ids.
public struct TurnReport: Codable, Sendable, Equatable {
    public var turnId: Int
    public var speaker: String
    public var sessionId: String
    public var outcome: String
    public var transcript: String?
    public var response: String?
    /// End of user speech to first reply audio out, in seconds; nil when there was no reply.
    public var endToEndSeconds: Double?
    public var traceId: String?
    /// Seconds since 1970.
    public var finishedAt: Double

    public init(turnId: Int, speaker: String, sessionId: String, outcome: String, transcript: String?,
                response: String?, endToEndSeconds: Double?, traceId: String?, finishedAt: Double) {
        self.turnId = turnId
        self.speaker = speaker
        self.sessionId = sessionId
        self.outcome = outcome
        self.transcript = transcript
        self.response = response
        self.endToEndSeconds = endToEndSeconds
        self.traceId = traceId
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case speaker, outcome, transcript, response
        case turnId = "turn_id"
        case sessionId = "session_id"
        case endToEndSeconds = "end_to_end_seconds"
        case traceId = "trace_id"
        case finishedAt = "finished_at"
    }
}

public protocol TurnReporting: Sendable {
    func report(_ turn: TurnReport) async throws
}

/// Turn reports over HTTP; best effort by design (short timeout, no retries) — a dashboard being
/// down must never slow a voice turn.
public struct TurnReportClient: TurnReporting {
    let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    struct Accepted: Decodable {}

    public func report(_ turn: TurnReport) async throws {
        let _: Accepted = try await client.postJSON("/api/turns", turn)
    }
}
