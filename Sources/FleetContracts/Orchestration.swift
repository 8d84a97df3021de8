import AsyncHTTPClient
import FleetTelemetry
import Foundation
import NIOCore
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
    /// Answer as server-sent events, sentence by sentence (`ReplyStreamEvent`), instead of one
    /// JSON body once the whole reply is spoken.
    public var stream: Bool?

    public init(transcript: String, sessionId: String? = nil, correlationId: String? = nil, voice: String? = nil,
                includeAudio: Bool? = nil, stream: Bool? = nil) {
        self.transcript = transcript
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.voice = voice
        self.includeAudio = includeAudio
        self.stream = stream
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
    /// The same turn, streamed: `onSentence` gets each sentence, in order, as soon as it can be
    /// played; the return value is the turn's end. A throw from `onSentence` ends the stream.
    func handleStreaming(_ request: TranscriptRequest,
                         onSentence: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> ReplyStreamDone
}

extension Orchestration {
    /// An orchestrator that cannot stream answers whole: its one reply is the one sentence.
    public func handleStreaming(_ request: TranscriptRequest,
                                onSentence: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> ReplyStreamDone {
        var whole = request
        whole.stream = nil
        let reply = try await handle(whole)
        try await onSentence(ReplySentence(index: 0, text: reply.response, audioBase64: reply.audioBase64,
                                           audioSeconds: reply.audioSeconds))
        return ReplyStreamDone(response: reply.response, sessionId: reply.sessionId, correlationId: reply.correlationId,
                               engine: reply.engine, allowed: reply.allowed, guardrailReason: reply.guardrailReason,
                               audioSeconds: reply.audioSeconds, voice: reply.voice, turn: reply.turn, sentences: 1)
    }
}

/// The orchestrator over HTTP.
public struct OrchestrationClient: Orchestration, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func handle(_ request: TranscriptRequest) async throws -> TranscriptResponse {
        var whole = request
        whole.stream = nil
        return try await client.postJSON("/mcp/transcript", whole)
    }

    /// Largest single event accepted: a sentence's audio is a few kilobytes per second of speech.
    static let maxEventBytes = 4 * 1024 * 1024

    public func handleStreaming(_ request: TranscriptRequest,
                                onSentence: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> ReplyStreamDone {
        var streamed = request
        streamed.stream = true
        let response = try await client.stream("/mcp/transcript", json: Array(try JSONEncoder.fleet.encode(streamed)))
        var parser = ServerSentEventParser(maxEventBytes: Self.maxEventBytes)
        do {
            for try await buffer in response.body {
                for data in try parser.feed(buffer.readableBytesView) {
                    switch try JSONDecoder.fleet.decode(ReplyStreamEvent.self, from: Data(data.utf8)) {
                    case .sentence(let sentence): try await onSentence(sentence)
                    case .done(let done): return done
                    case .error(let error):
                        // A peer's timeout stays a timeout for the caller's metrics; anything else is its failure.
                        let code: FleetError.Code = error.code == FleetError.Code.timeout.description ? .timeout : .badResponse
                        throw FleetError.downstream(code, peer: client.name, "failed mid-stream: \(error.code): \(error.message)")
                    }
                }
            }
        } catch let error as FleetError {
            throw error
        } catch is DecodingError {
            throw FleetError.downstream(.badResponse, peer: client.name, "sent an event that is not a reply stream event")
        } catch is ServerSentEventParser.TooLarge {
            throw FleetError.downstream(.badResponse, peer: client.name, "an event is larger than \(Self.maxEventBytes) bytes")
        }
        throw FleetError.downstream(.badResponse, peer: client.name, "the reply stream ended before its done event")
    }
}
