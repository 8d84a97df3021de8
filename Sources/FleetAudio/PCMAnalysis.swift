import Foundation

/// Loudness and clipping of a buffer, in dB relative to full scale (1.0).
public struct LevelStats: Sendable, Hashable {
    public var rmsDbfs: Double
    public var peakDbfs: Double
    /// Fraction of samples at (or within 0.1 % of) full scale.
    public var clippingRatio: Double

    /// Reported for silence instead of -inf, so levels are always plottable numbers.
    public static let floorDBFS = -120.0
    static let clippingThreshold: Float = 0.999

    public init(rmsDbfs: Double, peakDbfs: Double, clippingRatio: Double) {
        self.rmsDbfs = rmsDbfs
        self.peakDbfs = peakDbfs
        self.clippingRatio = clippingRatio
    }

    /// Non-finite samples count as silence.
    public static func measure(_ samples: [Float]) -> LevelStats {
        guard !samples.isEmpty else {
            return LevelStats(rmsDbfs: floorDBFS, peakDbfs: floorDBFS, clippingRatio: 0)
        }
        var sumOfSquares = 0.0
        var peak: Float = 0
        var clipped = 0
        for sample in samples where sample.isFinite {
            let magnitude = abs(sample)
            sumOfSquares += Double(magnitude) * Double(magnitude)
            peak = max(peak, magnitude)
            if magnitude >= clippingThreshold { clipped += 1 }
        }
        return LevelStats(
            rmsDbfs: decibels(power: sumOfSquares / Double(samples.count)),
            peakDbfs: decibels(amplitude: Double(peak)),
            clippingRatio: Double(clipped) / Double(samples.count)
        )
    }

    static func decibels(power: Double) -> Double {
        power > 0 ? max(floorDBFS, 10 * log10(power)) : floorDBFS
    }

    static func decibels(amplitude: Double) -> Double {
        amplitude > 0 ? max(floorDBFS, 20 * log10(amplitude)) : floorDBFS
    }
}

/// Applies one gain so the RMS reaches `targetRMSDBFS`, reduced as far as needed to keep the
/// peak at or below `peakCeilingDBFS`. A single static gain, not a compressor: quiet and loud
/// passages keep their relation. Silence is returned unchanged.
public func normalize(_ samples: [Float], targetRMSDBFS: Double = -20, peakCeilingDBFS: Double = -1) -> [Float] {
    let level = LevelStats.measure(samples)
    guard level.rmsDbfs > LevelStats.floorDBFS, level.peakDbfs > LevelStats.floorDBFS else { return samples }
    let rmsGain = pow(10, (targetRMSDBFS - level.rmsDbfs) / 20)
    let peakGain = pow(10, (peakCeilingDBFS - level.peakDbfs) / 20)
    let gain = Float(min(rmsGain, peakGain))
    return samples.map { $0.isFinite ? $0 * gain : 0 }
}

/// A 0...1 estimate of how usable a speech recording is (for STT and for a listener), from the
/// signal alone — no reference needed.
///
///     score = noise × clipping × loss × level
///
///     noise    = 1 / (1 + exp(-(snr - 15 dB) / 4 dB))
///                snr = 90th minus 10th percentile of 20 ms frame energies (dB): loud frames are
///                speech, quiet frames (pauses) are the noise floor. 30 dB -> 0.98, 20 dB -> 0.78,
///                15 dB -> 0.5, 6 dB -> 0.1.
///     clipping = exp(-25 × fraction of samples at full scale)    1 % -> 0.78, 5 % -> 0.29
///     loss     = 1 - Ie,eff / 95 = Bpl / (Ppl + Bpl)              5 % -> 0.83, 10 % -> 0.72, 20 % -> 0.56
///                the transport impairment of the ITU-T G.107 E-model,
///                Ie,eff = Ie + (95 - Ie) × Ppl / (Ppl / BurstR + Bpl), as a share of its 95-point range,
///                with Ppl = packetLossRatio in percent (the share of frames the receiver concealed,
///                i.e. the loss left after FEC),
///                Ie = 0 (the codec's own distortion is already in the signal), BurstR = 1 (bursts
///                already show as more concealed frames, since FEC rebuilds only isolated ones) and
///                Bpl = 25.1, G.113's robustness for G.711 with packet-loss concealment.
///     level    = clamp((loud-frame dBFS + 60) / 20, 0, 1)        speech below -40 dBFS is too faint
///
/// Digital silence between words counts as a perfect noise floor, so clean synthesized speech
/// scores close to 1 and any added noise shows up as a lower floor-to-peak distance.
public struct QualityScore: Sendable, Hashable {
    /// The final 0...1 score.
    public var value: Double
    /// The estimated signal-to-noise ratio in dB (capped at 60).
    public var estimatedSNR: Double
    public var clippingRatio: Double
    /// The share (0...1) of the recording's frames the receiver had to conceal because their
    /// packets were lost or late and FEC could not rebuild them.
    public var packetLossRatio: Double

    /// Bpl, the E-model's packet-loss robustness factor, in percent.
    static let lossRobustness = 25.1

    public static func score(samples: [Float], packetLossRatio: Double = 0) -> Double {
        analyze(samples: samples, packetLossRatio: packetLossRatio).value
    }

    /// The score with its ingredients, for dashboards and debugging.
    public static func analyze(samples: [Float], packetLossRatio: Double = 0) -> QualityScore {
        let loss = packetLossRatio.isFinite ? min(max(packetLossRatio, 0), 1) : 0
        let energies = frameEnergies(samples)
        guard energies.count >= 2 else {
            return QualityScore(value: 0, estimatedSNR: 0, clippingRatio: 0, packetLossRatio: loss)
        }
        let sorted = energies.sorted()
        let loud = percentile(sorted, 0.9)
        let quiet = percentile(sorted, 0.1)
        let snr = min(60, loud - quiet)
        let clipping = LevelStats.measure(samples).clippingRatio

        let noiseFactor = 1 / (1 + exp(-(snr - 15) / 4))
        let clippingFactor = exp(-25 * clipping)
        let lossFactor = lossRobustness / (loss * 100 + lossRobustness)
        let levelFactor = min(1, max(0, (loud + 60) / 20))
        return QualityScore(
            value: noiseFactor * clippingFactor * lossFactor * levelFactor,
            estimatedSNR: snr,
            clippingRatio: clipping,
            packetLossRatio: loss
        )
    }

    private static func frameEnergies(_ samples: [Float]) -> [Double] {
        let frame = AudioFormat.samplesPerFrame
        return stride(from: 0, to: samples.count - frame + 1, by: frame).map { start in
            var sum = 0.0
            for index in start..<(start + frame) where samples[index].isFinite {
                sum += Double(samples[index]) * Double(samples[index])
            }
            return LevelStats.decibels(power: sum / Double(frame))
        }
    }

    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }
}
