public import HTTPTypes
public import ServiceKit

/// audio-processor: POST /process/segment, /enhance/audio and /denoise take an Ogg Opus body and
/// answer with processed Ogg Opus; the measurements travel as headers so the body stays a playable
/// file. POST /process/frame takes one Opus packet and answers JSON (`FrameAnalysis`).
public enum AudioQualityHeader {
    public static let qualityScore = HTTPField.Name("X-Quality-Score")!
    public static let inputQualityScore = HTTPField.Name("X-Input-Quality-Score")!
    public static let rmsDbfs = HTTPField.Name("X-RMS-DBFS")!
    public static let peakDbfs = HTTPField.Name("X-Peak-DBFS")!
    public static let clippingRatio = HTTPField.Name("X-Clipping-Ratio")!
    public static let speechSeconds = HTTPField.Name("X-Speech-Seconds")!
    public static let durationSeconds = HTTPField.Name("X-Duration-Seconds")!
    /// On a request: the share (0...1) of the segment's 20 ms frames that the sender's receiver
    /// (the voice bridge) had to conceal because their packets were lost or late (frames rebuilt
    /// from in-band FEC count as received). The audio
    /// cannot show this by itself, so the processor's quality scores take it as a transport
    /// impairment (see `QualityScore`). Absent means none.
    public static let concealedFrameRatio = HTTPField.Name("X-Concealed-Frame-Ratio")!
}

/// The measurements of one processed segment.
public struct QualityMetrics: Codable, Sendable, Equatable {
    public var qualityScore: Double
    public var inputQualityScore: Double
    public var rmsDbfs: Double
    public var peakDbfs: Double
    public var clippingRatio: Double
    public var speechSeconds: Double
    public var durationSeconds: Double

    public init(qualityScore: Double, inputQualityScore: Double, rmsDbfs: Double, peakDbfs: Double,
                clippingRatio: Double, speechSeconds: Double, durationSeconds: Double) {
        self.qualityScore = qualityScore
        self.inputQualityScore = inputQualityScore
        self.rmsDbfs = rmsDbfs
        self.peakDbfs = peakDbfs
        self.clippingRatio = clippingRatio
        self.speechSeconds = speechSeconds
        self.durationSeconds = durationSeconds
    }

    /// Each measurement with the header that carries it, said once for both ends: the processor
    /// writes them in this order, its client reads them back.
    static var headerFields: [(name: HTTPField.Name, value: WritableKeyPath<QualityMetrics, Double>)] {
        [(AudioQualityHeader.qualityScore, \.qualityScore), (AudioQualityHeader.inputQualityScore, \.inputQualityScore),
         (AudioQualityHeader.rmsDbfs, \.rmsDbfs), (AudioQualityHeader.peakDbfs, \.peakDbfs),
         (AudioQualityHeader.clippingRatio, \.clippingRatio), (AudioQualityHeader.speechSeconds, \.speechSeconds),
         (AudioQualityHeader.durationSeconds, \.durationSeconds)]
    }

    /// The measurements as the processor's response headers.
    public var headerValues: [(name: HTTPField.Name, value: Double)] {
        Self.headerFields.map { ($0.name, self[keyPath: $0.value]) }
    }

    /// The measurements read back from a reply's headers, `header` giving each one's value.
    public init(header: (HTTPField.Name) throws -> Double) rethrows {
        self.init(qualityScore: 0, inputQualityScore: 0, rmsDbfs: 0, peakDbfs: 0, clippingRatio: 0, speechSeconds: 0,
                  durationSeconds: 0)
        for field in Self.headerFields { self[keyPath: field.value] = try header(field.name) }
    }
}

/// POST /process/frame's answer for one 20 ms Opus packet.
public struct FrameAnalysis: Codable, Sendable, Equatable {
    public var isSpeech: Bool
    public var rmsDbfs: Double
    public var peakDbfs: Double
    public var processingTimeMs: Double

    public init(isSpeech: Bool, rmsDbfs: Double, peakDbfs: Double, processingTimeMs: Double) {
        self.isSpeech = isSpeech
        self.rmsDbfs = rmsDbfs
        self.peakDbfs = peakDbfs
        self.processingTimeMs = processingTimeMs
    }
}

public struct ProcessedAudio: Sendable, Equatable {
    /// A complete Ogg Opus file.
    public var audio: [UInt8]
    public var metrics: QualityMetrics

    public init(audio: [UInt8], metrics: QualityMetrics) {
        self.audio = audio
        self.metrics = metrics
    }
}

/// What the voice bridge, stt and testing-ui need from the audio processor.
public protocol AudioProcessing: Peer {
    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio
    /// A segment that came over a lossy link, `concealedFrameRatio` (0...1) of it concealed by
    /// the receiver; sent as `AudioQualityHeader.concealedFrameRatio`.
    func processSegment(_ oggOpus: [UInt8], concealedFrameRatio: Double) async throws -> ProcessedAudio
    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio
}

extension AudioProcessing {
    /// For processors that do not score transport impairment (in-memory fakes): the plain call.
    public func processSegment(_ oggOpus: [UInt8], concealedFrameRatio: Double) async throws -> ProcessedAudio {
        try await processSegment(oggOpus)
    }
}
