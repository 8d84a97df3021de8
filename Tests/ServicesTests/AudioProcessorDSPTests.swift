import FleetAudio
import FleetContracts
import Testing
@testable import AudioProcessorService

private typealias Fixture = AudioProcessorFixture

@Suite("audio-processor: DSP")
struct AudioProcessorDSPTests {
    let pipeline = AudioPipeline(config: AudioProcessorConfig())

    @Test("segment processing trims the silence around speech to ~100 ms margins")
    func trimsSilence() {
        let speech = Fixture.speech()
        let input = Fixture.decoded(Fixture.padded(speech, before: 1.0, after: 1.5))
        let result = pipeline.processSegment(input)
        let speechSeconds = Double(speech.count) / Fixture.rate
        #expect(input.duration > speechSeconds + 2.4)
        // The synthesiser's own leading/trailing quiet is trimmed too, so allow a little under.
        #expect(result.metrics.durationSeconds < speechSeconds + 0.3)
        #expect(result.metrics.durationSeconds > speechSeconds - 0.3)
        #expect(result.trimmedSeconds > 2.2)
        #expect(result.metrics.speechSeconds > 0.5 * speechSeconds)
    }

    @Test("segment processing normalises quiet speech to about -20 dBFS RMS under a -1 dBFS peak")
    func normalisesLevel() {
        let quiet = Fixture.decoded(Fixture.padded(Fixture.speech(gain: 0.05)))
        let before = LevelStats.measure(quiet.samples)
        let result = pipeline.processSegment(quiet)
        #expect(before.rmsDbfs < -35)
        // Either the RMS reaches the target or the peak ceiling stopped it short.
        let reachedTarget = abs(result.metrics.rmsDbfs - -20) < 0.5
        let limitedByPeak = abs(result.metrics.peakDbfs - -1) < 0.05 && result.metrics.rmsDbfs < -20
        #expect(reachedTarget || limitedByPeak)
        #expect(result.metrics.peakDbfs <= -0.99)
        #expect(result.metrics.rmsDbfs > before.rmsDbfs + 10)
    }

    @Test("segment processing keeps a speechless clip as it came")
    func keepsSilence() {
        let noise = Fixture.decoded(Fixture.noise(count: 48_000, dBFS: -70), comments: ["TITLE": "room tone"])
        let result = pipeline.processSegment(noise)
        #expect(result.samples == noise.samples)
        #expect(result.metrics.speechSeconds == 0)
        #expect(result.comments["TITLE"] == "room tone")
    }

    @Test("the high-pass removes rumble and keeps the voice band")
    func highPass() {
        let rumble = Fixture.sine(30, seconds: 1, amplitude: 0.5)
        let voice = Fixture.sine(1_000, seconds: 1, amplitude: 0.5)
        let steady = { (samples: [Float]) in LevelStats.measure(Array(samples.suffix(24_000))).rmsDbfs }
        let rumbleDrop = steady(rumble) - steady(Filters.highPass(rumble, cutoffHz: 80, sampleRate: 48_000))
        let voiceDrop = steady(voice) - steady(Filters.highPass(voice, cutoffHz: 80, sampleRate: 48_000))
        #expect(rumbleDrop > 15)
        #expect(abs(voiceDrop) < 0.2)
    }

    @Test("spectral subtraction lowers the noise between words and raises the quality score")
    func denoise() {
        let clean = Fixture.padded(Fixture.speech(), before: 0.8, after: 0.8)
        let noisy = zip(clean, Fixture.noise(count: clean.count, dBFS: -45)).map { $0 + $1 }
        let result = pipeline.denoise(Fixture.decoded(noisy))
        let pauseBefore = LevelStats.measure(Array(noisy[4_800..<28_800])).rmsDbfs
        let pauseAfter = LevelStats.measure(Array(result.samples[4_800..<28_800])).rmsDbfs
        #expect(pauseAfter < pauseBefore - 10)
        #expect(QualityScore.analyze(samples: result.samples).estimatedSNR
                > QualityScore.analyze(samples: noisy).estimatedSNR + 6)
        #expect(result.metrics.qualityScore > result.metrics.inputQualityScore)
    }

    @Test("with no noise estimate, spectral subtraction gives back its input")
    func subtractionIsTransparentOnSilence() {
        let clean = Fixture.padded(Fixture.speech(), before: 0.5, after: 0.5)
        // Digital silence between words measures zero noise: nothing is subtracted.
        let speechOnly = [0.5...(Double(clean.count) / Fixture.rate - 0.5)]
        let output = Filters.spectralSubtraction(clean, speech: speechOnly, sampleRate: 48_000)
        let error = zip(clean, output).map { abs($0 - $1) }.max() ?? 1
        #expect(output.count == clean.count)
        #expect(error < 1e-4)
    }

    @Test("enhancement keeps the length, normalises, and turns the pauses down")
    func enhance() {
        let noisy = zip(Fixture.padded(Fixture.speech(gain: 0.2)), Fixture.noise(count: Fixture.padded(Fixture.speech()).count, dBFS: -60))
            .map { $0 + $1 }
        let result = pipeline.enhance(Fixture.decoded(noisy, comments: [OpusComment.referenceTranscript: "x"]))
        #expect(result.samples.count == noisy.count)
        #expect(abs(result.metrics.rmsDbfs - -20) < 1 || result.metrics.peakDbfs > -1.05)
        #expect(result.comments[OpusComment.referenceTranscript] == "x")
        // The first 0.8 s are a pause: gated by 12 dB relative to what normalisation alone would give.
        let gain = result.metrics.rmsDbfs - LevelStats.measure(noisy).rmsDbfs
        let pauseIn = LevelStats.measure(Array(noisy[0..<38_400])).rmsDbfs
        let pauseOut = LevelStats.measure(Array(result.samples[0..<38_400])).rmsDbfs
        #expect(pauseOut < pauseIn + gain - 9)
    }
}
