public import FleetContracts
public import FleetSpeech
import Foundation
public import ServiceKit

/// POST /api/run's body: a sentence to speak, who speaks it, and who answers.
public struct RunRequest: Codable, Sendable, Equatable {
    public var text: String
    /// The speaker's voice (a `Voice.all` id); default `Voice.default`.
    public var voice: String?
    /// The reply's voice; default `v2/en_speaker_1`, the original TTS service's default.
    public var replyVoice: String?
    /// Continue this conversation; nil starts a new one.
    public var sessionId: String?

    public init(text: String, voice: String? = nil, replyVoice: String? = nil, sessionId: String? = nil) {
        self.text = text
        self.voice = voice
        self.replyVoice = replyVoice
        self.sessionId = sessionId
    }
}

/// Milliseconds spent in each stage of a run. A run either synthesizes typed text or prepares an
/// uploaded file (decode, resample, encode), so one of `synthesize` and `upload` is 0.
public struct RunTimings: Codable, Sendable, Equatable {
    public var synthesize: Double
    public var upload: Double
    public var process: Double
    public var transcribe: Double
    public var orchestrate: Double
    public var total: Double

    public init(synthesize: Double = 0, upload: Double = 0, process: Double = 0, transcribe: Double = 0,
                orchestrate: Double = 0, total: Double = 0) {
        self.synthesize = synthesize
        self.upload = upload
        self.process = process
        self.transcribe = transcribe
        self.orchestrate = orchestrate
        self.total = total
    }
}

/// What one run through the fleet produced; every key is always there (null when absent).
public struct RunResult: Codable, Sendable, Equatable {
    /// The run's number in the history (its page is /runs/{id}); nil when it could not be stored.
    @NullWhenAbsent public var id: Int?
    /// `text`, `file` or `microphone`.
    public var inputKind: InputKind
    /// What was typed, as it was sent (nil for audio).
    @NullWhenAbsent public var text: String?
    /// What stt heard in the processed audio.
    public var transcript: String
    /// `pocketsphinx` (recognised from the sound), `reference` (read from the Ogg comment, only
    /// with STT_ENGINE=reference) or `none`.
    public var transcriptSource: String
    public var response: String
    public var allowed: Bool
    @NullWhenAbsent public var guardrailReason: String?
    public var sessionId: String
    public var turn: Int
    public var voice: String
    @NullWhenAbsent public var replyVoice: String?
    /// The speech that was sent (synthesized, or the upload as Ogg Opus), base64.
    public var inputAudioBase64: String
    public var inputAudioSeconds: Double
    /// The audio processor's measurements of the input.
    public var inputQuality: QualityMetrics
    /// The spoken reply, as Ogg Opus, base64; nil when the orchestrator sent no audio.
    @NullWhenAbsent public var replyAudioBase64: String?
    @NullWhenAbsent public var replyAudioSeconds: Double?
    public var timingsMs: RunTimings
    /// The run's own trace (root span `testing_ui.run`); nil when tracing is off.
    @NullWhenAbsent public var traceId: String?
}

/// A run request that passed validation: voices resolved, text trimmed (an upload is checked
/// as its run's first stage, where decoding it is timed and traced).
public struct ValidatedRun: Sendable, Equatable {
    public var source: RunSource
    public var voice: Voice
    public var replyVoice: Voice
    public var sessionId: String?

    /// The reply voice when the request names none: Bark's `v2/en_speaker_1`, the original's default.
    public static let defaultReplyVoice = Voice.named("v2/en_speaker_1") ?? Voice.default

    /// The typed text; nil for an upload.
    public var text: String? {
        if case .text(let text) = source { text } else { nil }
    }

    /// Checks a typed run, with messages that say what to change.
    public init(_ request: RunRequest, maxTextLength: Int) throws {
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw FleetError.badRequest("'text' is empty: type something to say.") }
        guard text.count <= maxTextLength else {
            throw FleetError.badRequest("'text' is \(text.count) characters; at most \(maxTextLength) are allowed.")
        }
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw FleetError.badRequest("'text' has no letters or digits, so there is nothing to speak.")
        }
        try self.init(source: .text(text), voice: request.voice, replyVoice: request.replyVoice,
                      sessionId: request.sessionId)
    }

    /// Checks an uploaded run's options; the audio itself is checked when the run prepares it.
    public init(audio: AudioInput, voice: String?, replyVoice: String?, sessionId: String?) throws {
        try self.init(source: .audio(audio), voice: voice, replyVoice: replyVoice, sessionId: sessionId)
    }

    private init(source: RunSource, voice: String?, replyVoice: String?, sessionId: String?) throws {
        self.source = source
        self.voice = try Self.voice(voice, field: "voice", default: .default)
        self.replyVoice = try Self.voice(replyVoice, field: "reply_voice", default: Self.defaultReplyVoice)
        let session = sessionId?.trimmingCharacters(in: .whitespaces)
        if let session, session.count > 128 {
            throw FleetError.badRequest("'session_id' is longer than 128 characters.")
        }
        self.sessionId = session?.isEmpty == false ? session : nil
    }

    private static func voice(_ id: String?, field: String, default fallback: Voice) throws -> Voice {
        guard let id, !id.isEmpty else { return fallback }
        // The fleet's one check of a voice id (VoicePresets), then the preset behind it.
        guard let voice = Voice.named(try VoicePresets.validated(id, field: field)) else {
            throw FleetError.internalError("Voice preset '\(id)' has no synthesizer voice.")
        }
        return voice
    }
}
