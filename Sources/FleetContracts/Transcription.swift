public import ServiceKit

/// stt: POST /asr (raw Ogg Opus or WAV body) and POST /transcribe (multipart form, field `file`),
/// query `language, beam_size, task, word_timestamps, vad_filter, initial_prompt, correlation_id`.
/// Answers with the original's fields and an `X-Processing-Time-Ms` header.
public struct TranscriptionResult: Codable, Sendable, Equatable {
    public struct Segment: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var text: String

        public init(start: Double, end: Double, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    public var text: String
    /// Seconds of audio.
    public var duration: Double
    public var language: String
    public var confidence: Double
    public var correlationId: String?
    /// Model time, in milliseconds.
    public var processingMs: Double
    /// Time in the service, decoding and enhancement included, in milliseconds.
    public var totalMs: Double
    public var inputBytes: Int
    public var model: String
    public var device: String
    public var segments: [Segment]?
    /// Where the text came from: `pocketsphinx` (recognised from the audio), `reference` (the Ogg
    /// comment a simulated speaker set; only with STT_ENGINE=reference) or `none` (nothing heard).
    public var source: String

    public init(text: String, duration: Double, language: String, confidence: Double, correlationId: String?,
                processingMs: Double, totalMs: Double, inputBytes: Int, model: String, device: String,
                segments: [Segment]?, source: String) {
        self.text = text
        self.duration = duration
        self.language = language
        self.confidence = confidence
        self.correlationId = correlationId
        self.processingMs = processingMs
        self.totalMs = totalMs
        self.inputBytes = inputBytes
        self.model = model
        self.device = device
        self.segments = segments
        self.source = source
    }
}

/// What the voice bridge and testing-ui need from speech recognition.
public protocol Transcriber: Peer {
    /// Transcribes an Ogg Opus (or WAV) file.
    func transcribe(_ audio: [UInt8], contentType: String, correlationID: String?) async throws -> TranscriptionResult
}
