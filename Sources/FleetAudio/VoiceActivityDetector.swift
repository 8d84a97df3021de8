import Foundation

/// Frame-level speech/non-speech decisions, in the spirit of webrtcvad (same frame sizes and
/// aggressiveness levels) but built from three cheap, explainable features:
///
/// - energy above an adaptive noise floor (the minimum frame energy over the last ~3 s, which
///   the pauses every speaker makes keep honest),
/// - spectral flatness, measured as the LPC prediction-error ratio (≈1 for white noise,
///   well below 0.5 for voiced speech and for fricatives at 48 kHz, whose energy sits in bands),
/// - zero-crossing rate, to reject hum and rumble whose energy is all below ~100 Hz.
///
/// A frame is speech when it is loud enough above the floor and not noise-like; frames 20 dB
/// over the threshold may be flatter (speech in noise), but white noise never passes.
public struct VoiceActivityDetector: Sendable {
    public let frameMilliseconds: Int
    /// 0 (keeps the most speech) ... 3 (rejects the most noise), like webrtcvad's modes.
    public let aggressiveness: Int

    /// - Parameters:
    ///   - frameMilliseconds: 10, 20 or 30; other values snap to the nearest of these.
    ///   - aggressiveness: 0...3, clamped.
    public init(frameMilliseconds: Int = 30, aggressiveness: Int = 1) {
        self.frameMilliseconds = [10, 20, 30].min { abs($0 - frameMilliseconds) < abs($1 - frameMilliseconds) } ?? 30
        self.aggressiveness = min(max(aggressiveness, 0), 3)
    }

    public var samplesPerFrame: Int { AudioFormat.sampleRate * frameMilliseconds / 1_000 }
    var frameDuration: Double { Double(frameMilliseconds) / 1_000 }

    /// Classifies one frame on its own, assuming a quiet background (no history to adapt to).
    /// Prefer ``speechFrames(_:)`` or ``Segmenter`` for real streams.
    public func isSpeech(_ frame: [Float]) -> Bool {
        decide(FrameFeatures(frame[...]), noiseFloorDB: nil)
    }

    /// One decision per whole frame of `samples` (a trailing partial frame is ignored), with the
    /// noise floor tracked over a window centred on each frame.
    public func speechFrames(_ samples: [Float]) -> [Bool] {
        let features = frameFeatures(samples)
        let floors = centredFloors(features)
        return features.indices.map { decide(features[$0], noiseFloorDB: floors[$0]) }
    }

    /// Speech as time ranges in seconds. Pauses shorter than `bridgingGapsShorterThan` are
    /// bridged (they are gaps between words, not between utterances), regions shorter than
    /// `minimumDuration` are dropped as clicks, and each edge is refined to 5 ms.
    public func speechRegions(
        _ samples: [Float],
        bridgingGapsShorterThan maximumGap: Double = 0.3,
        minimumDuration: Double = 0.06
    ) -> [ClosedRange<Double>] {
        let features = frameFeatures(samples)
        let floors = centredFloors(features)
        let decisions = features.indices.map { decide(features[$0], noiseFloorDB: floors[$0]) }

        var runs: [ClosedRange<Int>] = []
        var index = 0
        while index < decisions.count {
            guard decisions[index] else { index += 1; continue }
            var end = index
            while end + 1 < decisions.count, decisions[end + 1] { end += 1 }
            let gapFrames = Int((maximumGap / frameDuration).rounded(.down))
            if let last = runs.last, index - last.upperBound - 1 <= gapFrames {
                runs[runs.count - 1] = last.lowerBound...end
            } else {
                runs.append(index...end)
            }
            index = end + 1
        }

        let frame = samplesPerFrame
        let rate = Double(AudioFormat.sampleRate)
        return runs.compactMap { run in
            let threshold = thresholdDB(noiseFloorDB: floors[run.lowerBound])
            let endThreshold = thresholdDB(noiseFloorDB: floors[run.upperBound])
            let start = refinedStart(samples, from: (run.lowerBound - 1) * frame, to: (run.lowerBound + 1) * frame, threshold: threshold)
                ?? run.lowerBound * frame
            let end = refinedEnd(samples, from: run.upperBound * frame, to: (run.upperBound + 2) * frame, threshold: endThreshold)
                ?? (run.upperBound + 1) * frame
            let range = (Double(start) / rate)...(Double(max(start, end)) / rate)
            return range.upperBound - range.lowerBound >= minimumDuration ? range : nil
        }
    }

    // MARK: Decision

    private struct Thresholds {
        var marginDB: Double
        var absoluteDBFS: Double
        var maxFlatness: Double
    }

    private var thresholds: Thresholds {
        switch aggressiveness {
        case 0: Thresholds(marginDB: 6, absoluteDBFS: -60, maxFlatness: 0.55)
        case 1: Thresholds(marginDB: 9, absoluteDBFS: -55, maxFlatness: 0.45)
        case 2: Thresholds(marginDB: 12, absoluteDBFS: -50, maxFlatness: 0.35)
        default: Thresholds(marginDB: 15, absoluteDBFS: -45, maxFlatness: 0.25)
        }
    }

    /// The energy a frame needs to be considered at all.
    func thresholdDB(noiseFloorDB: Double?) -> Double {
        // Digital silence would put the floor at -120 dB; treat anything below -90 as "very quiet".
        let floor = max(noiseFloorDB ?? -90, -90)
        return max(thresholds.absoluteDBFS, floor + thresholds.marginDB)
    }

    func decide(_ features: FrameFeatures, noiseFloorDB: Double?) -> Bool {
        let threshold = thresholdDB(noiseFloorDB: noiseFloorDB)
        guard features.energyDB > threshold else { return false }
        // Far above the floor, speech mixed with noise is flatter than clean speech; white
        // noise itself (flatness ≈ 1) still never passes.
        let maxFlatness = features.energyDB > threshold + 20 ? min(0.8, thresholds.maxFlatness + 0.3) : thresholds.maxFlatness
        return features.flatness < maxFlatness && features.zeroCrossingRate > 0.003
    }

    // MARK: Features and noise floor

    private func frameFeatures(_ samples: [Float]) -> [FrameFeatures] {
        let frame = samplesPerFrame
        return stride(from: 0, to: samples.count - frame + 1, by: frame).map { start in
            FrameFeatures(samples[start..<(start + frame)])
        }
    }

    /// How many frames of history the noise floor looks back over.
    var noiseWindowFrames: Int { Int((3.0 / frameDuration).rounded()) }

    /// Offline floors: the minimum energy within ±1.5 s of each frame, so speech at the very
    /// start of a clip is measured against the pauses that follow it.
    private func centredFloors(_ features: [FrameFeatures]) -> [Double] {
        let half = noiseWindowFrames / 2
        return features.indices.map { index in
            let range = max(0, index - half)...min(features.count - 1, index + half)
            return features[range].map(\.energyDB).min() ?? LevelStats.floorDBFS
        }
    }

    // MARK: Edge refinement

    private static let refinementSamples = AudioFormat.sampleRate / 200  // 5 ms

    private func refinedStart(_ samples: [Float], from lower: Int, to upper: Int, threshold: Double) -> Int? {
        let step = Self.refinementSamples
        var position = max(0, lower)
        while position + step <= min(upper, samples.count) {
            if blockEnergyDB(samples, position, step) > threshold { return position }
            position += step
        }
        return nil
    }

    private func refinedEnd(_ samples: [Float], from lower: Int, to upper: Int, threshold: Double) -> Int? {
        let step = Self.refinementSamples
        var position = min(upper, samples.count) - step
        while position >= max(0, lower) {
            if blockEnergyDB(samples, position, step) > threshold { return position + step }
            position -= step
        }
        return nil
    }

    private func blockEnergyDB(_ samples: [Float], _ start: Int, _ count: Int) -> Double {
        var sum = 0.0
        for index in start..<(start + count) {
            sum += Double(samples[index]) * Double(samples[index])
        }
        return LevelStats.decibels(power: sum / Double(count))
    }
}

/// The per-frame measurements the detector decides on.
struct FrameFeatures: Sendable {
    var energyDB: Double
    /// LPC prediction-error ratio E_p / R(0) of an order-8 model, in 0...1.
    var flatness: Double
    /// Zero crossings per sample, after removing the frame's DC offset.
    var zeroCrossingRate: Double

    private static let lpcOrder = 8

    init(_ frame: ArraySlice<Float>) {
        let count = frame.count
        guard count > Self.lpcOrder else {
            energyDB = LevelStats.floorDBFS
            flatness = 1
            zeroCrossingRate = 0
            return
        }
        let values = frame.map { $0.isFinite ? Double($0) : 0 }
        let energy = values.reduce(0) { $0 + $1 * $1 }
        let mean = values.reduce(0, +) / Double(count)
        let centred = values.map { $0 - mean }

        var crossings = 0
        for index in 1..<count where (centred[index] >= 0) != (centred[index - 1] >= 0) {
            crossings += 1
        }
        let autocorrelation = (0...Self.lpcOrder).map { lag in
            var sum = 0.0
            for index in lag..<count { sum += centred[index] * centred[index - lag] }
            return sum
        }
        energyDB = LevelStats.decibels(power: energy / Double(count))
        zeroCrossingRate = Double(crossings) / Double(count - 1)
        flatness = Self.predictionErrorRatio(autocorrelation)
    }

    /// Levinson-Durbin recursion; returns the residual energy of the best order-p predictor
    /// relative to the signal energy. Flat (white) spectra cannot be predicted, so they stay near 1.
    private static func predictionErrorRatio(_ r: [Double]) -> Double {
        guard r[0] > 1e-12 else { return 1 }
        var coefficients = [Double](repeating: 0, count: r.count)
        var error = r[0]
        for order in 1..<r.count {
            var accumulator = r[order]
            for j in 1..<order { accumulator -= coefficients[j] * r[order - j] }
            let reflection = accumulator / error
            var updated = coefficients
            updated[order] = reflection
            for j in 1..<order { updated[j] = coefficients[j] - reflection * coefficients[order - j] }
            coefficients = updated
            error *= max(0, 1 - reflection * reflection)
            if error <= 1e-12 * r[0] { break }
        }
        return min(1, max(0, error / r[0]))
    }
}
