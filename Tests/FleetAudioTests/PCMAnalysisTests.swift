import FleetAudio
import Foundation
import Testing

@Suite("Levels, normalization and quality score")
struct PCMAnalysisTests {
    static let speech = TestSignals.speech("Could you tell me what the weather will be like tomorrow morning?")

    @Test("levels of known signals")
    func knownLevels() {
        let sine = LevelStats.measure(TestSignals.sine(hertz: 440, seconds: 1, amplitude: 0.5))
        #expect(abs(sine.rmsDbfs - (20 * log10(0.5 / 2.0.squareRoot()))) < 0.01)
        #expect(abs(sine.peakDbfs - 20 * log10(0.5)) < 0.01)
        #expect(sine.clippingRatio == 0)

        let square = LevelStats.measure((0..<1_000).map { $0 % 2 == 0 ? 1 : -1 })
        #expect(square.clippingRatio == 1)
        #expect(abs(square.rmsDbfs) < 1e-9)
    }

    @Test("silence and empty input sit at the -120 dBFS floor, never -inf or NaN")
    func silenceFloor() {
        for samples in [[Float](), [Float](repeating: 0, count: 960), [.nan, .nan]] {
            let level = LevelStats.measure(samples)
            #expect(level.rmsDbfs == -120)
            #expect(level.peakDbfs == -120)
            #expect(level.clippingRatio == 0)
        }
    }

    @Test("normalize reaches the RMS target unless the peak ceiling forbids it")
    func normalization() {
        let quiet = Self.speech.map { $0 * 0.05 }
        let normalized = LevelStats.measure(normalize(quiet, targetRMSDBFS: -26))
        #expect(abs(normalized.rmsDbfs - -26) < 0.01)

        let capped = LevelStats.measure(normalize(quiet, targetRMSDBFS: -6, peakCeilingDBFS: -1))
        #expect(abs(capped.peakDbfs - -1) < 0.01)
        #expect(capped.rmsDbfs < -6)
        #expect(normalize([0, 0, 0]) == [0, 0, 0])
    }

    @Test("clean speech > noisy speech > clipped noisy speech")
    func ordering() {
        let clean = QualityScore.score(samples: Self.speech)
        let noisy = TestSignals.withNoise(Self.speech, snrDB: 12, seed: 1)
        let noisyScore = QualityScore.score(samples: noisy)
        let clipped = noisy.map { min(1, max(-1, $0 * 4)) }
        let clippedScore = QualityScore.score(samples: clipped)
        print("quality: clean \(clean), noisy (12 dB) \(noisyScore), clipped \(clippedScore)")
        #expect(clean >= 0.8)
        #expect(noisyScore < clean)
        #expect(clippedScore < noisyScore)
        #expect(LevelStats.measure(clipped).clippingRatio > 0.01)
    }

    @Test("speech in white noise at 0 dB SNR scores well below clean speech")
    func heavyNoise() {
        let analysis = QualityScore.analyze(samples: TestSignals.withNoise(Self.speech, snrDB: 0, seed: 2))
        print("quality at 0 dB SNR: \(analysis)")
        #expect(analysis.value < 0.4)
        #expect(analysis.estimatedSNR < 15)
    }

    @Test("packet loss lowers the score")
    func packetLoss() {
        let none = QualityScore.score(samples: Self.speech)
        let some = QualityScore.score(samples: Self.speech, packetLossRatio: 0.05)
        let lots = QualityScore.score(samples: Self.speech, packetLossRatio: 0.3)
        #expect(none > some && some > lots)
        #expect((0...1).contains(lots))
    }

    @Test("faint or empty input scores low, always within 0...1")
    func edgeCases() {
        #expect(QualityScore.score(samples: []) == 0)
        #expect(QualityScore.score(samples: [Float](repeating: 0, count: 48_000)) == 0)
        let faint = Self.speech.map { $0 * 0.001 }  // -60 dB
        #expect(QualityScore.score(samples: faint) < 0.2)
        #expect((0...1).contains(QualityScore.score(samples: [.nan, 1, -1], packetLossRatio: .nan)))
    }
}
