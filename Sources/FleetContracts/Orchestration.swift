public import ServiceKit

/// orchestrator: POST /mcp/transcript `{transcript, session_id, correlation_id}` ->
/// `{response, session_id, correlation_id, engine}` plus the spoken reply (Ogg Opus, base64) and
/// what the guardrails decided. session_id is optional: a missing one starts a new session
/// (the original required it, yet no caller sent one).
public struct TranscriptRequest: Codable, Sendable, Equatable {
    public var transcript: String
    public var sessionId: String?
    public var correlationId: String?
    /// Voice for the reply; the speaker's own choice in the voice bridge.
    public var voice: String?
    /// Skip synthesis when only text is wanted.
    public var includeAudio: Bool?

    public init(transcript: String, sessionId: String? = nil, correlationId: String? = nil, voice: String? = nil,
                includeAudio: Bool? = nil) {
        self.transcript = transcript
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.voice = voice
        self.includeAudio = includeAudio
    }
}

public struct TranscriptResponse: Codable, Sendable, Equatable {
    public var response: String
    public var sessionId: String
    public var correlationId: String
    public var engine: String
    /// False when a guardrail stopped the turn; `response` then says so politely.
    public var allowed: Bool
    public var guardrailReason: String?
    /// The reply as a complete Ogg Opus file, base64-encoded; nil when audio was not asked for.
    public var audioBase64: String?
    public var audioSeconds: Double?
    public var voice: String?
    /// Turn number within the session (1 for the first).
    public var turn: Int

    public init(response: String, sessionId: String, correlationId: String, engine: String, allowed: Bool,
                guardrailReason: String?, audioBase64: String?, audioSeconds: Double?, voice: String?, turn: Int) {
        self.response = response
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.engine = engine
        self.allowed = allowed
        self.guardrailReason = guardrailReason
        self.audioBase64 = audioBase64
        self.audioSeconds = audioSeconds
        self.voice = voice
        self.turn = turn
    }
}

/// What the voice bridge and testing-ui need from the orchestrator.
public protocol Orchestration: Peer {
    func handle(_ request: TranscriptRequest) async throws -> TranscriptResponse
}

/// The orchestrator over HTTP.
public struct OrchestrationClient: Orchestration, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func handle(_ request: TranscriptRequest) async throws -> TranscriptResponse {
        try await client.postJSON("/mcp/transcript", request)
    }
}
