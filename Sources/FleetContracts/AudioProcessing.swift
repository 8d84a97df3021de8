import ServiceKit

/// audio-processor: POST /process/segment, /enhance/audio and /denoise take an Ogg Opus body and
/// answer with processed Ogg Opus; the measurements travel as headers so the body stays a playable
/// file. POST /process/frame takes one Opus packet and answers JSON (`FrameAnalysis`).
public enum AudioQualityHeader {
    public static let qualityScore = "X-Quality-Score"
    public static let inputQualityScore = "X-Input-Quality-Score"
    public static let rmsDBFS = "X-RMS-DBFS"
    public static let peakDBFS = "X-Peak-DBFS"
    public static let clippingRatio = "X-Clipping-Ratio"
    public static let speechSeconds = "X-Speech-Seconds"
    public static let durationSeconds = "X-Duration-Seconds"
    public static let processingTimeMs = "X-Processing-Time-Ms"
}

/// The measurements of one processed segment.
public struct QualityMetrics: Codable, Sendable, Equatable {
    public var qualityScore: Double
    public var inputQualityScore: Double
    public var rmsDBFS: Double
    public var peakDBFS: Double
    public var clippingRatio: Double
    public var speechSeconds: Double
    public var durationSeconds: Double

    public init(qualityScore: Double, inputQualityScore: Double, rmsDBFS: Double, peakDBFS: Double,
                clippingRatio: Double, speechSeconds: Double, durationSeconds: Double) {
        self.qualityScore = qualityScore
        self.inputQualityScore = inputQualityScore
        self.rmsDBFS = rmsDBFS
        self.peakDBFS = peakDBFS
        self.clippingRatio = clippingRatio
        self.speechSeconds = speechSeconds
        self.durationSeconds = durationSeconds
    }

    enum CodingKeys: String, CodingKey {
        case qualityScore = "quality_score"
        case inputQualityScore = "input_quality_score"
        case rmsDBFS = "rms_dbfs"
        case peakDBFS = "peak_dbfs"
        case clippingRatio = "clipping_ratio"
        case speechSeconds = "speech_seconds"
        case durationSeconds = "duration_seconds"
    }
}

/// POST /process/frame's answer for one 20 ms Opus packet.
public struct FrameAnalysis: Codable, Sendable, Equatable {
    public var isSpeech: Bool
    public var rmsDBFS: Double
    public var peakDBFS: Double
    public var processingTimeMs: Double

    public init(isSpeech: Bool, rmsDBFS: Double, peakDBFS: Double, processingTimeMs: Double) {
        self.isSpeech = isSpeech
        self.rmsDBFS = rmsDBFS
        self.peakDBFS = peakDBFS
        self.processingTimeMs = processingTimeMs
    }

    enum CodingKeys: String, CodingKey {
        case isSpeech = "is_speech"
        case rmsDBFS = "rms_dbfs"
        case peakDBFS = "peak_dbfs"
        case processingTimeMs = "processing_time_ms"
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
public protocol AudioProcessing: Sendable {
    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio
    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio
}
