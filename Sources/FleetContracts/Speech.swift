public import HTTPTypes
public import ServiceKit

/// tts-bark: POST /synthesize `{text, voice, speed}` answers with the speech as Ogg Opus
/// (`audio/ogg; codecs=opus`) and the original's JSON fields as response headers.
public struct SynthesisRequest: Codable, Sendable, Equatable {
    public var text: String
    public var voice: String?
    public var speed: Double?
    /// Write the Ogg Opus file page by page as it is synthesised (chunked), so the first clause's
    /// audio arrives before the whole text is spoken.
    public var stream: Bool?

    public init(text: String, voice: String? = nil, speed: Double? = nil, stream: Bool? = nil) {
        self.text = text
        self.voice = voice
        self.speed = speed
        self.stream = stream
    }
}

/// Header names of a synthesis reply (the original returned these as JSON fields), said once for
/// tts-bark, which writes them, and `SpeechSynthesisClient`, which reads them.
public enum SynthesisHeader {
    public static let engine = HTTPField.Name("X-Engine")!
    public static let voiceUsed = HTTPField.Name("X-Voice-Used")!
    public static let audioSeconds = HTTPField.Name("X-Audio-Duration-Seconds")!
}

public struct Synthesis: Sendable, Equatable {
    /// A complete Ogg Opus file.
    public var audio: [UInt8]
    public var voice: String
    public var audioSeconds: Double
    public var engine: String
    /// Seconds from request to the first byte of audio, as the caller measured it.
    public var timeToFirstByte: Double

    public init(audio: [UInt8], voice: String, audioSeconds: Double, engine: String, timeToFirstByte: Double) {
        self.audio = audio
        self.voice = voice
        self.audioSeconds = audioSeconds
        self.engine = engine
        self.timeToFirstByte = timeToFirstByte
    }
}

public struct VoiceInfo: Codable, Sendable, Equatable {
    public var id: String
    public var description: String

    public init(id: String, description: String) {
        self.id = id
        self.description = description
    }
}

public struct VoiceList: Codable, Sendable, Equatable {
    public var voices: [VoiceInfo]
    public var `default`: String

    public init(voices: [VoiceInfo], default: String) {
        self.voices = voices
        self.default = `default`
    }
}

/// What the orchestrator and testing-ui need from a speech synthesiser.
public protocol SpeechSynthesis: Peer {
    func synthesize(_ text: String, voice: String?) async throws -> Synthesis
}
