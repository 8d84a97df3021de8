import FleetAudio
public import FleetContracts
public import ServiceKit

/// An audio processor that hands each Ogg Opus file back re-encoded, with the same comments plus
/// `processedComment`, so a test can tell processed audio from what was sent, and a fixed quality
/// score. It counts its calls.
public actor FakeAudioProcessor: AudioProcessing, InMemoryPeer {
    public nonisolated let name = "audio-processor"
    /// The Ogg comment (value `yes`) on every file the fake returns.
    public static let processedComment = "FAKE_PROCESSED"

    let quality: Double
    let failure: FleetError?
    let recorder: PeerCallRecorder?
    public private(set) var calls = 0

    /// `quality` is the score of every result. `failure`, when set, is thrown by every call, and the
    /// fake reads as down to a liveness probe. `recorder` notes each call among other fakes'.
    public init(quality: Double = 0.9, failure: FleetError? = nil, recorder: PeerCallRecorder? = nil) {
        self.quality = quality
        self.failure = failure
        self.recorder = recorder
    }

    public func isLive() async -> Bool { failure == nil }

    public func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await process(oggOpus)
    }

    public func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await process(oggOpus)
    }

    private func process(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        calls += 1
        await recorder?.record(name)
        if let failure { throw failure }
        let decoded = try OggOpus.decode(oggOpus)
        var comments = decoded.comments
        comments[Self.processedComment] = "yes"
        return ProcessedAudio(audio: try OggOpus.encode(decoded.samples, comments: comments), metrics: QualityMetrics(
            qualityScore: quality, inputQualityScore: quality, rmsDbfs: -20, peakDbfs: -3, clippingRatio: 0,
            speechSeconds: decoded.duration, durationSeconds: decoded.duration))
    }
}
