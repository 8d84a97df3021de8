public import FleetContracts
import Foundation
import ServiceKit

/// A transcript request checked and completed: ids filled in, text trimmed and within bounds.
public struct TurnInput: Sendable, Equatable {
    public static let maxTranscriptCharacters = 4000
    public static let maxIdentifierLength = 128

    public var transcript: String
    public var sessionId: String
    /// True when the caller sent no session_id and this turn starts a new session.
    public var isNewSession: Bool
    public var correlationId: String
    public var voice: String?
    public var includeAudio: Bool

    /// Validates `request`; a missing (or empty) session_id or correlation_id gets a fresh UUID,
    /// because the original required session_id while none of its callers sent one.
    public init(_ request: TranscriptRequest) throws {
        transcript = request.transcript.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !transcript.isEmpty else {
            throw FleetError.badRequest("'transcript' is empty; send what the user said (1 to \(Self.maxTranscriptCharacters) characters).")
        }
        guard transcript.count <= Self.maxTranscriptCharacters else {
            throw FleetError.badRequest("'transcript' has \(transcript.count) characters; at most \(Self.maxTranscriptCharacters) are accepted.")
        }
        if let session = request.sessionId, !session.isEmpty {
            try Self.checkIdentifier(session, field: "session_id")
            sessionId = session
            isNewSession = false
        } else {
            sessionId = UUID().uuidString.lowercased()
            isNewSession = true
        }
        if let correlation = request.correlationId, !correlation.isEmpty {
            try Self.checkIdentifier(correlation, field: "correlation_id")
            correlationId = correlation
        } else {
            correlationId = UUID().uuidString.lowercased()
        }
        // One of the presets, checked as tts-bark and testing-ui check it (VoicePresets).
        voice = try request.voice.map { try VoicePresets.validated($0, field: "voice") }
        includeAudio = request.includeAudio ?? true
    }

    /// Session and correlation ids end up in URLs, logs and span attributes: keep them short and plain.
    public static func checkIdentifier(_ value: String, field: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:"))
        guard (1...maxIdentifierLength).contains(value.count), value.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) })
        else {
            throw FleetError.badRequest("'\(field)' must be 1 to \(maxIdentifierLength) ASCII letters, digits, '-', '_', '.' or ':'.")
        }
    }
}
