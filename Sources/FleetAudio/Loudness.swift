import Foundation

/// Perceived loudness (ITU-R BS.1770-4 / EBU R 128) and normalisation to it.
///
/// Why not RMS or peak: synthesized voices differ in spectrum and in how much of an utterance is pause,
/// so equal peaks or equal RMS still sound unequally loud. The integrated loudness weights the spectrum
/// as hearing does (K-weighting) and gates out pauses, so every voice can be brought to one target.
///
/// Non-finite samples (NaN, ±inf) are measured as 0, and `normalized` returns them as 0, so one bad
/// sample can neither poison the measurement nor reach the codec.
public enum Loudness {
    /// BS.1770's offset, chosen so a 997 Hz sine at full scale reads -3.01 LUFS like its RMS in dBFS.
    static let offset = -0.691
    static let absoluteGateLUFS = -70.0
    static let relativeGateLU = -10.0
    /// Blocks are 400 ms long and start every 100 ms (75 % overlap): four 100 ms steps per block.
    static let stepsPerSecond = 10
    static let stepsPerBlock = 4
    /// The K-weighting shelf sits at 1.7 kHz and needs room below Nyquist; 8 kHz telephone-band speech
    /// (flite's kal voice) is the lowest rate the fleet measures.
    static let lowestSampleRate = 8_000

    /// Integrated loudness of mono audio per ITU-R BS.1770-4 / EBU R 128: K-weighting (the two-stage
    /// pre-filter: high shelf + RLB high-pass, coefficients derived for any sample rate from the analog
    /// prototype as libebur128 / pyloudnorm do, exact at 48 kHz to the standard's table), mean square over
    /// 400 ms blocks with 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU. In LUFS; nil when the
    /// audio is shorter than one block or every block is below the absolute gate (silence), and for sample
    /// rates below 8 kHz. Non-finite samples count as 0.
    public static func integrated(_ samples: [Float], sampleRate: Int) -> Double? {
        guard sampleRate >= lowestSampleRate else { return nil }
        return gatedLoudness(blockMeanSquares(samples, sampleRate: sampleRate))
    }

    /// `samples` scaled to `target` LUFS, except that the gain is lowered if needed so the sample peak stays
    /// at or below `peakCeiling` dBFS (no clipping, no limiter artefacts). Silence (integrated == nil) is
    /// returned unchanged. Also returns nothing else: just the samples. Non-finite samples come back as 0.
    public static func normalized(_ samples: [Float], sampleRate: Int, target: Double = -19, peakCeiling: Double = -1) -> [Float] {
        guard let loudness = integrated(samples, sampleRate: sampleRate) else { return samples }
        var peak: Float = 0
        for sample in samples where sample.isFinite { peak = max(peak, abs(sample)) }
        let ceiling = Float(pow(10, peakCeiling / 20))
        var gain = Float(min(pow(10, (target - loudness) / 20), Double(ceiling) / Double(peak)))
        guard gain.isFinite, gain > 0 else { return samples }
        // Float rounding of peak × gain may land one ulp above the ceiling; the promise is "at or below".
        while peak * gain > ceiling { gain = gain.nextDown }
        return samples.map { $0.isFinite ? $0 * gain : 0 }
    }

    /// K-weighted mean square of every complete 400 ms block, in one pass: the filter output is summed per
    /// 100 ms step and each block is the sum of four consecutive steps. Step boundaries are rounded down
    /// from exact tenths of a second, so rates not divisible by 10 keep blocks of the right average length.
    static func blockMeanSquares(_ samples: [Float], sampleRate: Int) -> [Double] {
        func boundary(_ step: Int) -> Int { step * sampleRate / stepsPerSecond }
        var stepEnergies: [Double] = []
        stepEnergies.reserveCapacity(samples.count / max(1, boundary(1)))
        samples.withUnsafeBufferPointer { buffer in
            // Local to the closure so its state lives in registers, not in a captured box.
            var filter = KWeighting(sampleRate: sampleRate)
            var step = 0
            while boundary(step + 1) <= buffer.count {
                stepEnergies.append(filter.sumOfSquares(buffer, boundary(step)..<boundary(step + 1)))
                step += 1
            }
        }
        guard stepEnergies.count >= stepsPerBlock else { return [] }
        return (0...(stepEnergies.count - stepsPerBlock)).map { first in
            let energy = stepEnergies[first..<(first + stepsPerBlock)].reduce(0, +)
            return energy / Double(boundary(first + stepsPerBlock) - boundary(first))
        }
    }

    /// The two-stage gate of BS.1770-4 over block mean squares: drop blocks below -70 LUFS, then blocks
    /// more than 10 LU below the loudness of what remains; the result is the loudness of the survivors.
    static func gatedLoudness(_ blockMeanSquares: [Double]) -> Double? {
        let audible = blockMeanSquares.filter { loudness(meanSquare: $0) > absoluteGateLUFS }
        guard !audible.isEmpty else { return nil }
        let relativeGate = loudness(meanSquare: mean(audible)) + relativeGateLU
        let gated = audible.filter { loudness(meanSquare: $0) > relativeGate }
        return loudness(meanSquare: mean(gated))
    }

    static func loudness(meanSquare: Double) -> Double {
        meanSquare > 0 ? offset + 10 * log10(meanSquare) : -.infinity
    }

    private static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }
}
