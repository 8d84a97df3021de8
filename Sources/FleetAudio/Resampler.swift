import Foundation

/// Sample-rate conversion with a Blackman-windowed sinc (band-limited interpolation).
///
/// Linear interpolation is audibly dull and aliases when going down; a windowed sinc with
/// 16 zero crossings per side is clean for speech and still fast enough (a minute of 16 kHz
/// audio converts to 48 kHz in well under a second).
public enum Resampler {
    /// Zero crossings of the sinc on each side of the centre tap.
    private static let zeroCrossings = 16
    /// Kernel table resolution: values per zero crossing, linearly interpolated in between.
    private static let tableResolution = 512
    /// Passband edge as a fraction of the lower Nyquist frequency: leaves room for the transition band.
    private static let rolloff = 0.94

    /// The windowed sinc sampled at `tableResolution` points per zero crossing, from 0 outwards.
    private static let kernel: [Float] = {
        let count = zeroCrossings * tableResolution + 1
        return (0..<count).map { index in
            let x = Double(index) / Double(tableResolution)  // in zero crossings
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            let w = 0.5 + 0.5 * Double(index) / Double(count - 1)  // window runs over the right half
            let window = 0.42 - 0.5 * cos(2 * Double.pi * w) + 0.08 * cos(4 * Double.pi * w)
            return Float(sinc * window)
        }
    }()

    /// Converts `samples` from rate `from` to rate `to` (both in Hz). The output has
    /// `round(count * to / from)` samples, so the duration is preserved. Non-positive rates
    /// or equal rates return the input unchanged.
    public static func resample(_ samples: [Float], from: Int, to: Int) -> [Float] {
        guard from > 0, to > 0, from != to, !samples.isEmpty else { return samples }
        let ratio = Double(to) / Double(from)
        let outputCount = Int((Double(samples.count) * ratio).rounded())
        // Cut off at the lower of the two Nyquist frequencies, measured in input samples.
        let cutoff = min(1, ratio) * rolloff
        let halfWidth = Double(zeroCrossings) / cutoff  // kernel half-length, in input samples
        let tableStep = cutoff * Double(tableResolution)  // table entries per input sample
        let kernelCount = kernel.count

        let phases = to / greatestCommonDivisor(from, to)
        // A rational ratio repeats its tap offsets and weights every `phases` outputs: work them
        // out once per phase (a polyphase filter bank) instead of once per output sample.
        if phases <= maxPhases {
            return polyphase(samples, ratio: ratio, phases: phases, step: from / greatestCommonDivisor(from, to),
                             outputCount: outputCount, halfWidth: halfWidth, tableStep: tableStep, gain: Float(cutoff))
        }
        var output = [Float](repeating: 0, count: outputCount)
        samples.withUnsafeBufferPointer { input in
            kernel.withUnsafeBufferPointer { table in
                for index in 0..<outputCount {
                    let center = Double(index) / ratio
                    let first = max(0, Int((center - halfWidth).rounded(.up)))
                    let last = min(input.count - 1, Int((center + halfWidth).rounded(.down)))
                    guard first <= last else { continue }
                    var sum: Float = 0
                    for tap in first...last {
                        sum += input[tap] * weight(distance: abs(center - Double(tap)), tableStep: tableStep, table: table)
                    }
                    output[index] = sum * Float(cutoff)
                }
            }
        }
        return output
    }

    /// More phases than this (rates with a large least common multiple) use the direct path.
    private static let maxPhases = 2048

    /// The kernel's value `distance` input samples from the centre (0 past its end).
    @inline(__always)
    private static func weight(distance: Double, tableStep: Double, table: UnsafeBufferPointer<Float>) -> Float {
        let position = distance * tableStep
        let slot = Int(position)
        guard slot + 1 < table.count else { return 0 }
        let fraction = Float(position - Double(slot))
        return table[slot] + (table[slot + 1] - table[slot]) * fraction
    }

    /// `resample` for output index q × phases + p, whose centre is q × step + p / ratio input
    /// samples: each phase's first tap offset and weights are computed once, with the same
    /// arithmetic as the direct path.
    private static func polyphase(_ samples: [Float], ratio: Double, phases: Int, step: Int, outputCount: Int,
                                  halfWidth: Double, tableStep: Double, gain: Float) -> [Float] {
        var firstOffsets = [Int](repeating: 0, count: phases)
        var width = 0
        for phase in 0..<phases {
            let center = Double(phase) / ratio
            firstOffsets[phase] = Int((center - halfWidth).rounded(.up))
            width = max(width, Int((center + halfWidth).rounded(.down)) - firstOffsets[phase] + 1)
        }
        var weights = [Float](repeating: 0, count: phases * width)
        kernel.withUnsafeBufferPointer { table in
            for phase in 0..<phases {
                let center = Double(phase) / ratio
                let last = Int((center + halfWidth).rounded(.down))
                for tap in firstOffsets[phase]...last {
                    weights[phase * width + tap - firstOffsets[phase]] =
                        weight(distance: abs(center - Double(tap)), tableStep: tableStep, table: table)
                }
            }
        }
        var output = [Float](repeating: 0, count: outputCount)
        samples.withUnsafeBufferPointer { input in
            weights.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { output in
                    for index in 0..<outputCount {
                        let phase = index % phases
                        let origin = (index / phases) * step + firstOffsets[phase]
                        let first = max(0, origin), last = min(input.count - 1, origin + width - 1)
                        guard first <= last else { continue }
                        let row = phase * width - origin
                        var sum: Float = 0
                        for tap in first...last { sum += input[tap] * weights[row + tap] }
                        output[index] = sum * gain
                    }
                }
            }
        }
        return output
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
