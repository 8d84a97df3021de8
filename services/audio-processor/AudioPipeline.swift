import FleetAudio
import FleetContracts
import Foundation

/// The processor's three whole-file operations, as plain functions of decoded audio:
///
///     segment   VAD-trim the silence around the speech (keeping a margin), normalise, score
///     enhance   high-pass, gentle noise gate between utterances, normalise, score
///     denoise   spectral subtraction with the noise measured between utterances, score
///
/// Each keeps the input's OpusTags comments (REFERENCE_TRANSCRIPT and friends), so whatever
/// travels with the audio survives processing.
struct AudioPipeline: Sendable {
    enum Operation: String, Sendable, CaseIterable {
        case segment, enhance, denoise
    }

    /// The processed audio with its measurements.
    struct Result: Sendable {
        var samples: [Float]
        var comments: [String: String]
        var metrics: QualityMetrics
        /// Seconds of silence trimmed off (segment only).
        var trimmedSeconds: Double
    }

    let config: AudioProcessorConfig
    var sampleRate: Int { AudioFormat.sampleRate }
    var detector: VoiceActivityDetector {
        VoiceActivityDetector(frameMilliseconds: config.vadFrameMilliseconds, aggressiveness: config.vadAggressiveness)
    }

    /// `concealedFrameRatio`: the share of the audio's frames its sender's receiver concealed
    /// (lost or late packets), which lowers both quality scores: processing cannot bring back
    /// what the network took.
    func run(_ operation: Operation, on audio: DecodedAudio, concealedFrameRatio: Double = 0) -> Result {
        switch operation {
        case .segment: return processSegment(audio, concealedFrameRatio: concealedFrameRatio)
        case .enhance: return enhance(audio, concealedFrameRatio: concealedFrameRatio)
        case .denoise: return denoise(audio, concealedFrameRatio: concealedFrameRatio)
        }
    }

    /// Trims leading and trailing silence to `trimMarginSeconds` and normalises the level.
    /// A clip with no speech at all is returned as it came: there is nothing to trim to, and
    /// raising silence to speech level would only amplify noise.
    func processSegment(_ audio: DecodedAudio, concealedFrameRatio: Double = 0) -> Result {
        let regions = detector.speechRegions(audio.samples)
        guard let first = regions.first, let last = regions.last else {
            return result(audio.samples, input: audio, speech: [], trimmed: 0, concealed: concealedFrameRatio)
        }
        let margin = config.trimMarginSeconds
        let start = max(0, Int(((first.lowerBound - margin) * Double(sampleRate)).rounded(.down)))
        let end = min(audio.samples.count, Int(((last.upperBound + margin) * Double(sampleRate)).rounded(.up)))
        let trimmed = Array(audio.samples[start..<max(start, end)])
        let shifted = regions.map { ($0.lowerBound - Double(start) / Double(sampleRate))...($0.upperBound - Double(start) / Double(sampleRate)) }
        return result(normalized(trimmed), input: audio, speech: shifted,
                      trimmed: Double(audio.samples.count - trimmed.count) / Double(sampleRate), concealed: concealedFrameRatio)
    }

    /// What STT asks for: rumble removed, pauses quietened, level normalised. Length is kept.
    func enhance(_ audio: DecodedAudio, concealedFrameRatio: Double = 0) -> Result {
        let filtered = Filters.highPass(audio.samples, cutoffHz: config.highPassHz, sampleRate: sampleRate)
        let regions = detector.speechRegions(filtered)
        let gated = Filters.gate(filtered, speech: regions, attenuationDB: config.gateAttenuationDB, sampleRate: sampleRate)
        return result(regions.isEmpty ? gated : normalized(gated), input: audio, speech: regions, trimmed: 0,
                      concealed: concealedFrameRatio)
    }

    /// Stationary noise removed by spectral subtraction. The level is left alone (as a denoiser
    /// should), except that a peak over the ceiling is brought down to it.
    func denoise(_ audio: DecodedAudio, concealedFrameRatio: Double = 0) -> Result {
        let regions = detector.speechRegions(audio.samples)
        let cleaned = Filters.spectralSubtraction(audio.samples, speech: regions, sampleRate: sampleRate)
        let peak = LevelStats.measure(cleaned).peakDbfs
        let safe = peak > config.peakCeilingDBFS
            ? FleetAudio.normalize(cleaned, targetRMSDBFS: 0, peakCeilingDBFS: config.peakCeilingDBFS)
            : cleaned
        return result(safe, input: audio, speech: regions, trimmed: 0, concealed: concealedFrameRatio)
    }

    private func normalized(_ samples: [Float]) -> [Float] {
        FleetAudio.normalize(samples, targetRMSDBFS: config.targetRMSDBFS, peakCeilingDBFS: config.peakCeilingDBFS)
    }

    private func result(_ samples: [Float], input: DecodedAudio, speech: [ClosedRange<Double>], trimmed: Double,
                        concealed: Double) -> Result {
        let level = LevelStats.measure(samples)
        let metrics = QualityMetrics(
            qualityScore: QualityScore.score(samples: samples, packetLossRatio: concealed),
            inputQualityScore: QualityScore.score(samples: input.samples, packetLossRatio: concealed),
            rmsDbfs: level.rmsDbfs,
            peakDbfs: level.peakDbfs,
            clippingRatio: level.clippingRatio,
            speechSeconds: speech.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) },
            durationSeconds: Double(samples.count) / Double(sampleRate))
        return Result(samples: samples, comments: input.comments, metrics: metrics, trimmedSeconds: trimmed)
    }
}

/// One 20 ms Opus packet, as the original's voice bridge sent every frame: decoded and classified.
enum FrameAnalyzer {
    static func analyze(packet: [UInt8], aggressiveness: Int) throws(AudioCodecError) -> (samples: [Float], isSpeech: Bool, level: LevelStats) {
        let samples = try OpusDecoder().decode(packet)
        let detector = VoiceActivityDetector(frameMilliseconds: 20, aggressiveness: aggressiveness)
        return (samples, detector.isSpeech(samples), LevelStats.measure(samples))
    }
}
