import Foundation
import GRDB
public import Hummingbird
public import ServiceKit

/// One run as the history keeps it, without its audio: GET /api/runs lists these, GET
/// /api/runs/{id} answers one, and the run's page and the history table are drawn from them.
/// Every key is always there (null when absent); text is as it was sent, never escaped here.
public struct RunRecord: Codable, Sendable, Equatable {
    public var id: Int
    /// ISO 8601, UTC, milliseconds.
    public var createdAt: String
    public var inputKind: InputKind
    /// `synthesized`, `ogg_opus` or `wav`.
    public var inputFormat: String
    /// What was typed (nil for audio).
    @NullWhenAbsent public var text: String?
    public var voice: String
    @NullWhenAbsent public var replyVoice: String?
    /// The conversation: the one asked for, or the one the orchestrator started.
    @NullWhenAbsent public var sessionId: String?
    @NullWhenAbsent public var turn: Int?
    /// `replied`, `blocked` or `failed`.
    public var outcome: String
    /// Why a failed run failed: the fleet's error message, and its HTTP status.
    @NullWhenAbsent public var error: String?
    @NullWhenAbsent public var errorStatus: Int?
    @NullWhenAbsent public var transcript: String?
    @NullWhenAbsent public var transcriptSource: String?
    @NullWhenAbsent public var response: String?
    @NullWhenAbsent public var allowed: Bool?
    @NullWhenAbsent public var guardrailReason: String?
    @NullWhenAbsent public var qualityScore: Double?
    public var inputAudioSeconds: Double
    @NullWhenAbsent public var replyAudioSeconds: Double?
    public var timingsMs: RunTimings
    @NullWhenAbsent public var traceId: String?
    /// The run's page, and its audio (Ogg Opus): paths on this service.
    public var pageUrl: String
    public var inputAudioUrl: String
    @NullWhenAbsent public var replyAudioUrl: String?

    /// The columns a record reads: everything but the two audio blobs.
    static let columns = """
        id, created_at, input_kind, input_format, text, voice, reply_voice, session_id, turn, outcome, error, \
        error_status, transcript, transcript_source, response, allowed, guardrail_reason, quality_score, \
        input_seconds, reply_seconds, synthesize_ms, upload_ms, process_ms, transcribe_ms, orchestrate_ms, \
        total_ms, trace_id, reply_audio IS NOT NULL AS has_reply_audio
        """

    init(row: Row) {
        id = row["id"]
        createdAt = Self.timestamp(row["created_at"])
        inputKind = InputKind(rawValue: row["input_kind"]) ?? .text
        inputFormat = row["input_format"]
        text = row["text"]
        voice = row["voice"]
        replyVoice = row["reply_voice"]
        sessionId = row["session_id"]
        turn = row["turn"]
        outcome = row["outcome"]
        error = row["error"]
        errorStatus = row["error_status"]
        transcript = row["transcript"]
        transcriptSource = row["transcript_source"]
        response = row["response"]
        allowed = row["allowed"]
        guardrailReason = row["guardrail_reason"]
        qualityScore = row["quality_score"]
        inputAudioSeconds = row["input_seconds"]
        replyAudioSeconds = row["reply_seconds"]
        timingsMs = RunTimings(synthesize: row["synthesize_ms"], upload: row["upload_ms"], process: row["process_ms"],
                               transcribe: row["transcribe_ms"], orchestrate: row["orchestrate_ms"],
                               total: row["total_ms"])
        traceId = row["trace_id"]
        pageUrl = "/runs/\(id)"
        inputAudioUrl = "/runs/\(id)/input.ogg"
        replyAudioUrl = (row["has_reply_audio"] as Bool? ?? false) ? "/runs/\(id)/reply.ogg" : nil
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// GET /api/runs: the newest runs first, and how many the history keeps at most.
struct RunList: Codable, Sendable, Equatable, ResponseEncodable {
    var runs: [RunRecord]
    /// TESTING_UI_HISTORY.
    var keeps: Int
    /// Where the history lives: the SQLite file's path, or `memory` when it could not be opened.
    var store: String
}

extension RunRecord: ResponseEncodable {}
