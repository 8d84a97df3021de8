public import ServiceKit

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
}

public protocol TurnReporting: Peer {
    func report(_ turn: TurnReport) async throws
}

/// Turn reports over HTTP; best effort by design (short timeout, no retries) — a dashboard being
/// down must never slow a voice turn.
public struct TurnReportClient: TurnReporting, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    struct Accepted: Decodable {}

    public func report(_ turn: TurnReport) async throws {
        let _: Accepted = try await client.postJSON("/api/turns", turn)
    }
}
