import FleetAudio
import Foundation
import Testing

/// The resampler's polyphase path (rational rates) must give what the plain windowed-sinc
/// formula gives, sample for sample: it only computes each phase's weights once.
@Suite("Resampler")
struct ResamplerTests {
    /// The windowed sinc evaluated directly at every output sample: the oracle, written out
    /// independently of the library (same kernel: 16 zero crossings, Blackman window, 0.94 rolloff).
    static func direct(_ samples: [Float], from: Int, to: Int) -> [Float] {
        let ratio = Double(to) / Double(from)
        let cutoff = min(1, ratio) * 0.94
        let halfWidth = 16 / cutoff
        let count = Int((Double(samples.count) * ratio).rounded())
        func kernel(_ x: Double) -> Double {  // x in zero crossings
            guard x < 16 else { return 0 }
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            let w = 0.5 + 0.5 * x / 16
            return sinc * (0.42 - 0.5 * cos(2 * Double.pi * w) + 0.08 * cos(4 * Double.pi * w))
        }
        return (0..<count).map { index in
            let center = Double(index) / ratio
            let first = max(0, Int((center - halfWidth).rounded(.up)))
            let last = min(samples.count - 1, Int((center + halfWidth).rounded(.down)))
            guard first <= last else { return 0 }
            var sum = 0.0
            for tap in first...last {
                sum += Double(samples[tap]) * kernel(abs(center - Double(tap)) * cutoff)
            }
            return Float(sum * cutoff)
        }
    }

    static func speechLike(count: Int, rate: Int) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in
            let t = Double(index) / Double(rate)
            let voiced = 0.3 * sin(2 * Double.pi * 180 * t) + 0.2 * sin(2 * Double.pi * 1_250 * t)
            return Float(voiced) + Float.random(in: -0.01...0.01, using: &generator)
        }
    }

    @Test("rational rate pairs match the direct formula", arguments: [(16_000, 48_000), (22_050, 48_000), (48_000, 16_000),
                                                                      (44_100, 48_000), (8_000, 48_000)])
    func matchesDirect(from: Int, to: Int) {
        let input = Self.speechLike(count: from / 10, rate: from)
        let fast = Resampler.resample(input, from: from, to: to)
        let expected = Self.direct(input, from: from, to: to)
        #expect(fast.count == expected.count)
        let worst = zip(fast, expected).map { abs($0 - $1) }.max() ?? 0
        // The library interpolates a kernel table (512 points per zero crossing); the oracle
        // evaluates the kernel exactly: they agree to well under a 16-bit step.
        #expect(worst < 2e-4, "largest difference \(worst)")
    }

    @Test("a tone keeps its frequency and level across a conversion")
    func toneSurvives() {
        let input = (0..<16_000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
        let output = Resampler.resample(input, from: 16_000, to: 48_000)
        #expect(output.count == 48_000)
        // Away from the edges, each output sample is the tone at its own time.
        var worst: Float = 0
        for index in 1_000..<47_000 {
            let expected = Float(0.5 * sin(2 * Double.pi * 440 * Double(index) / 48_000))
            worst = max(worst, abs(output[index] - expected))
        }
        #expect(worst < 0.01, "largest deviation \(worst)")
    }

    @Test("equal or invalid rates give the input back")
    func unchanged() {
        let input: [Float] = [0.1, -0.2, 0.3]
        #expect(Resampler.resample(input, from: 16_000, to: 16_000) == input)
        #expect(Resampler.resample(input, from: 0, to: 16_000) == input)
        #expect(Resampler.resample([], from: 16_000, to: 48_000).isEmpty)
    }
}
