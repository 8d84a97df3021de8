@testable import FleetAudio
import Foundation
import Testing

@Suite("Loudness (BS.1770-4 / EBU R 128)")
struct LoudnessTests {
    static func sine(hertz: Double, seconds: Double = 3, sampleRate: Int = 48_000, amplitude: Float = 1) -> [Float] {
        TestSignals.sine(hertz: hertz, seconds: seconds, sampleRate: Double(sampleRate), amplitude: amplitude)
    }

    static func lufs(_ samples: [Float], sampleRate: Int = 48_000) -> Double {
        Loudness.integrated(samples, sampleRate: sampleRate) ?? -.infinity
    }

    /// Noise shaped roughly like speech (low-passed, so most energy sits below a few kHz) in bursts of
    /// syllable-to-word length at varying levels, separated by pauses: what the gate and the target see.
    static func speechLikeBursts(seconds: Double, sampleRate: Int = 48_000, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        var output: [Float] = []
        var smoothed: Float = 0
        while Double(output.count) < seconds * Double(sampleRate) {
            let burst = Int(Double(sampleRate) * Double.random(in: 0.15...0.6, using: &generator))
            let pause = Int(Double(sampleRate) * Double.random(in: 0.05...0.4, using: &generator))
            let level = Float(pow(10, Double.random(in: -18 ... -6, using: &generator) / 20))
            for index in 0..<burst {
                smoothed = 0.7 * smoothed + 0.3 * Float.random(in: -1...1, using: &generator)
                let envelope = Float(sin(Double.pi * Double(index) / Double(burst)))
                output.append(level * envelope * smoothed)
            }
            output += [Float](repeating: 0, count: pause)
        }
        return output
    }

    @Test("the 48 kHz coefficients are the standard's table")
    func tableAt48kHz() {
        let filter = KWeighting(sampleRate: 48_000)
        let shelf = [filter.shelf.b0, filter.shelf.b1, filter.shelf.b2, filter.shelf.a1, filter.shelf.a2]
        let table = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585]
        for (derived, tabled) in zip(shelf, table) { #expect(abs(derived - tabled) < 1e-8) }
        #expect(abs(filter.highPass.a1 - -1.99004745483398) < 1e-8)
        #expect(abs(filter.highPass.a2 - 0.99007225036621) < 1e-8)
    }

    @Test("filtering span by span carries the filter state across spans, as one continuous pass")
    func spansAreContinuous() {
        let input = Self.speechLikeBursts(seconds: 1, seed: 9)
        var single = KWeighting(sampleRate: 16_000), spans = single
        let expected = input.reduce(0.0) { sum, sample in
            let weighted = single.process(Double(sample))
            return sum + weighted * weighted
        }
        let boundaries = [0, 1_103, 2_205, 4_411, 9_000, input.count]
        let measured = input.withUnsafeBufferPointer { buffer in
            zip(boundaries, boundaries.dropFirst()).reduce(0.0) { $0 + spans.sumOfSquares(buffer, $1.0..<$1.1) }
        }
        #expect(abs(measured - expected) <= 1e-9 * expected)
        #expect(abs(spans.process(0.25) - single.process(0.25)) < 1e-9)
    }

    @Test("a full-scale 997 Hz sine reads -3.01 LUFS", arguments: [48_000, 44_100, 16_000, 8_000])
    func fullScaleSine(sampleRate: Int) {
        let loudness = Self.lufs(Self.sine(hertz: 997, sampleRate: sampleRate), sampleRate: sampleRate)
        #expect(abs(loudness - -3.01) < 0.1, "\(sampleRate) Hz: \(loudness) LUFS")
    }

    @Test("a sine 20 dB down reads 20 LU lower")
    func scalesWithLevel() {
        let full = Self.lufs(Self.sine(hertz: 997))
        let tenth = Self.lufs(Self.sine(hertz: 997, amplitude: 0.1))
        #expect(abs((full - tenth) - 20) < 0.01)
    }

    @Test("K-weighting: low tones count less (RLB high-pass), high tones more (shelf)")
    func frequencyWeighting() {
        let oneKilohertz = Self.lufs(Self.sine(hertz: 1_000, amplitude: 0.5))
        let hundredHertz = Self.lufs(Self.sine(hertz: 100, amplitude: 0.5))
        let twentyHertz = Self.lufs(Self.sine(hertz: 20, amplitude: 0.5))
        let fourKilohertz = Self.lufs(Self.sine(hertz: 4_000, amplitude: 0.5))
        #expect(oneKilohertz - hundredHertz > 0.5 && oneKilohertz - hundredHertz < 2, "100 Hz: \(hundredHertz - oneKilohertz) dB")
        #expect(oneKilohertz - twentyHertz > 8, "20 Hz: \(twentyHertz - oneKilohertz) dB")
        #expect(fourKilohertz - oneKilohertz > 3 && fourKilohertz - oneKilohertz < 4, "4 kHz: \(fourKilohertz - oneKilohertz) dB")
    }

    @Test("silence, sub-block input and audio below the absolute gate have no loudness")
    func noLoudness() {
        #expect(Loudness.integrated([], sampleRate: 48_000) == nil)
        #expect(Loudness.integrated([Float](repeating: 0, count: 96_000), sampleRate: 48_000) == nil)
        #expect(Loudness.integrated(Self.sine(hertz: 997, seconds: 0.39), sampleRate: 48_000) == nil)
        #expect(Loudness.integrated(Self.sine(hertz: 997, seconds: 0.4), sampleRate: 48_000) != nil)
        // -80 dBFS: every block is under -70 LUFS.
        #expect(Loudness.integrated(Self.sine(hertz: 997, amplitude: 1e-4), sampleRate: 48_000) == nil)
        #expect(Loudness.integrated(Self.sine(hertz: 997), sampleRate: 0) == nil)
    }

    @Test("the relative gate ignores long quiet passages but keeps moderately quieter speech")
    func relativeGate() {
        let loud = Self.sine(hertz: 997, seconds: 3, amplitude: 0.5)
        let loudAlone = Self.lufs(loud)
        // 30 s at -40 dB: above the absolute gate, 40 LU under the loud part.
        let whisper = Self.sine(hertz: 997, seconds: 30, amplitude: 0.005)
        let withWhisper = Self.lufs(loud + whisper)
        let whisperAlone = Self.lufs(whisper)
        // What the mean over all blocks would read: energies weighted by duration (3 s vs 30 s).
        let ungated = 10 * log10((3 * pow(10, loudAlone / 10) + 30 * pow(10, whisperAlone / 10)) / 33)
        #expect(loudAlone - ungated > 9, "ungated mean \(ungated) vs \(loudAlone) LUFS")
        // Only the three blocks straddling the change (part loud, part whisper) pull it down, ~0.2 LU.
        #expect(abs(withWhisper - loudAlone) < 0.5, "gated \(withWhisper) vs \(loudAlone) LUFS")

        // A part 6 dB down passes the relative gate and does pull the figure down.
        let softer = Self.sine(hertz: 997, seconds: 3, amplitude: 0.25)
        let mixed = Self.lufs(loud + softer)
        let expected = 10 * log10((pow(10, loudAlone / 10) + pow(10, Self.lufs(softer) / 10)) / 2)
        #expect(abs(mixed - expected) < 0.2, "\(mixed) vs \(expected) LUFS")
    }

    @Test("normalized lands on the target", arguments: [(48_000, -19.0), (16_000, -19.0), (48_000, -23.0)])
    func reachesTarget(sampleRate: Int, target: Double) {
        for seed in UInt64(1)...3 {
            let bursts = Self.speechLikeBursts(seconds: 6, sampleRate: sampleRate, seed: seed)
            for scale: Float in [0.05, 1] {
                let input = bursts.map { $0 * scale }
                let output = Loudness.normalized(input, sampleRate: sampleRate, target: target)
                let reached = Self.lufs(output, sampleRate: sampleRate)
                #expect(abs(reached - target) < 0.2, "seed \(seed) ×\(scale): \(reached) LUFS")
                #expect(LevelStats.measure(output).peakDbfs <= -1)
            }
        }
    }

    @Test("normalized stops at the peak ceiling on a peaky signal")
    func respectsPeakCeiling() {
        // A click every 100 ms: high peak, little energy. Reaching -19 LUFS would need peaks far above 0 dBFS.
        var clicks = [Float](repeating: 0, count: 48_000 * 4)
        for index in stride(from: 0, to: clicks.count, by: 4_800) { clicks[index] = 0.5 }
        let loudness = Self.lufs(clicks)
        // -19 LUFS would need more gain than the 5 dB to full scale (-6 dBFS peaks).
        #expect(loudness > -70 && loudness < -19 - 6, "\(loudness) LUFS")
        for ceiling in [-1.0, -3.0] {
            let output = Loudness.normalized(clicks, sampleRate: 48_000, peakCeiling: ceiling)
            let peak = output.map { abs($0) }.max() ?? 0
            #expect(peak <= Float(pow(10, ceiling / 20)))
            #expect(abs(LevelStats.measure(output).peakDbfs - ceiling) < 0.01)
            #expect(Self.lufs(output) < -19)
        }
    }

    @Test("silence is returned unchanged")
    func silenceUnchanged() {
        let silence = [Float](repeating: 0, count: 48_000)
        #expect(Loudness.normalized(silence, sampleRate: 48_000) == silence)
        let short: [Float] = [0.5, -0.5, 0.25]
        #expect(Loudness.normalized(short, sampleRate: 48_000) == short)
    }

    @Test("non-finite samples count as 0 and come back as 0")
    func nonFiniteSamples() {
        var signal = Self.sine(hertz: 997, seconds: 2, amplitude: 0.1)
        let clean = Self.lufs(signal)
        for (index, bad) in [(100, Float.nan), (20_000, .infinity), (40_000, -.infinity)] { signal[index] = bad }
        let dirty = Self.lufs(signal)
        #expect(dirty.isFinite)
        #expect(abs(dirty - clean) < 0.05)
        let output = Loudness.normalized(signal, sampleRate: 48_000)
        #expect(output.allSatisfy { $0.isFinite })
        #expect(output[100] == 0 && output[20_000] == 0)
        #expect(abs(Self.lufs(output) - -19) < 0.2)
    }
}
