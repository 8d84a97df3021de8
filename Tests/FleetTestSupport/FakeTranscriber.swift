import FleetAudio
public import FleetContracts
public import ServiceKit

/// Speech recognition that "hears" what the speaker meant, from the Ogg file's reference
/// transcript comment, as the stt stub does (or hears `heard`, whatever was said). It remembers
/// every file it was given.
public actor FakeTranscriber: Transcriber, InMemoryPeer {
    public nonisolated let name = "stt"

    /// One call: the media type it was told, the file's Ogg comments, and the correlation id.
    public struct Received: Sendable, Equatable {
        public var contentType: String
        public var comments: [String: String]
        public var correlationID: String?
    }

    let heard: String?
    let failure: FleetError?
    let recorder: PeerCallRecorder?
    public private(set) var received: [Received] = []

    /// `heard` replaces what every file says. `failure`, when set, is thrown by every call, and the
    /// fake reads as down to a liveness probe. `recorder` notes each call among other fakes'.
    public init(heard: String? = nil, failure: FleetError? = nil, recorder: PeerCallRecorder? = nil) {
        self.heard = heard
        self.failure = failure
        self.recorder = recorder
    }

    public func isLive() async -> Bool { failure == nil }

    public func transcribe(_ audio: [UInt8], contentType: String, correlationID: String?) async throws -> TranscriptionResult {
        await recorder?.record(name)
        if let failure { throw failure }
        let decoded = try OggOpus.decode(audio)
        received.append(Received(contentType: contentType, comments: decoded.comments, correlationID: correlationID))
        return TranscriptionResult(
            text: heard ?? decoded.comments[OpusComment.referenceTranscript] ?? "", duration: decoded.duration,
            language: "en", confidence: 0.93, correlationId: correlationID, processingMs: 5, totalMs: 6,
            inputBytes: audio.count, model: "fake-whisper", device: "cpu", segments: nil, source: "reference")
    }
}
