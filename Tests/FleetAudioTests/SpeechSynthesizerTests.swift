import FleetAudio
import Foundation
import Testing

@Suite("Speech synthesizer")
struct SpeechSynthesizerTests {
    static let texts = [
        "Hi.",
        "Turn the lights off.",
        "Could you turn the lights off in the kitchen, please?",
        "Could you turn the lights off in the kitchen, please? And after that, set a timer for ten minutes so I remember the oven.",
    ]

    @Test("duration grows with the text and matches expectedDuration within 5 %")
    func durations() {
        let synthesizer = SpeechSynthesizer(voice: .default)
        var previous = 0.0
        for text in Self.texts {
            let duration = Double(synthesizer.synthesize(text).count) / 48_000
            let expected = SpeechSynthesizer.expectedDuration(of: text)
            #expect(duration > previous, "\(text)")
            #expect(abs(duration - expected) <= 0.05 * expected, "\(text): \(duration) s vs \(expected) s")
            previous = duration
        }
    }

    @Test("speaking rate follows wordsPerMinute and speed")
    func rate() throws {
        let text = try #require(Self.texts.last)
        let words = Double(text.split(separator: " ").count)
        let normal = SpeechSynthesizer.expectedDuration(of: text)
        let wordsPerMinute = words / normal * 60
        #expect((140...190).contains(wordsPerMinute), "\(wordsPerMinute) wpm")
        let fast = Double(SpeechSynthesizer(voice: .default).synthesize(text, speed: 2).count) / 48_000
        #expect(abs(fast - normal / 2) < 0.05 * normal)
        let slow = SpeechSynthesizer.expectedDuration(of: text, wordsPerMinute: 110)
        #expect(abs(slow - normal * 165 / 110) < 0.05 * slow)
    }

    @Test("the same text and voice give identical samples; anything else differs")
    func determinism() {
        let text = "Same input, same output."
        let a = SpeechSynthesizer(voice: .default).synthesize(text)
        let b = SpeechSynthesizer(voice: .default).synthesize(text)
        #expect(a == b)
        #expect(a != SpeechSynthesizer(voice: Voice.all[3]).synthesize(text))
        #expect(a != SpeechSynthesizer(voice: .default).synthesize("Same input, other output."))
    }

    @Test("voices differ in pitch, in the order of their base pitch")
    func voicePitch() throws {
        let text = "We were away a year ago."  // mostly voiced
        let low = try #require(Voice.named("v2/en_speaker_1"))
        let high = try #require(Voice.named("v2/en_speaker_4"))
        let lowF0 = try #require(TestSignals.estimateF0(SpeechSynthesizer(voice: low).synthesize(text)))
        let highF0 = try #require(TestSignals.estimateF0(SpeechSynthesizer(voice: high).synthesize(text)))
        print("f0: \(low.id) \(lowF0) Hz (base \(low.basePitchHz)), \(high.id) \(highF0) Hz (base \(high.basePitchHz))")
        #expect(abs(lowF0 / low.basePitchHz - 1) < 0.2)
        #expect(abs(highF0 / high.basePitchHz - 1) < 0.2)
        #expect(highF0 > lowF0 * 1.8)
    }

    @Test("questions end higher than statements")
    func questionRise() throws {
        let voice = Voice.default
        let statement = SpeechSynthesizer(voice: voice).synthesize("You are going home now.")
        let question = SpeechSynthesizer(voice: voice).synthesize("You are going home now?")
        let tail = TestSignals.samples(seconds: 0.3)
        let statementEnd = try #require(TestSignals.estimateF0(Array(statement.suffix(tail))))
        let questionEnd = try #require(TestSignals.estimateF0(Array(question.suffix(tail))))
        #expect(questionEnd > statementEnd * 1.15, "question \(questionEnd) Hz, statement \(statementEnd) Hz")
    }

    @Test("output peaks at -3 dBFS and never clips, for every voice")
    func levels() {
        for voice in Voice.all {
            let level = LevelStats.measure(SpeechSynthesizer(voice: voice).synthesize("Checking levels: sss, shh, ahh!"))
            #expect(abs(level.peakDbfs - -3) < 0.1, "\(voice.id)")
            #expect(level.clippingRatio == 0)
            #expect(level.rmsDbfs > -30, "\(voice.id)")
        }
    }

    @Test("the catalogue has Bark-style ids, unique, low and high voices")
    func catalogue() {
        let ids = Voice.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for index in 0...5 { #expect(ids.contains("v2/en_speaker_\(index)")) }
        #expect(Voice.all.contains { $0.basePitchHz < 110 } && Voice.all.contains { $0.basePitchHz > 200 })
        #expect(Voice.named("nobody") == nil)
    }

    @Test("custom voices with nonsense parameters still render finite audio")
    func customVoice() {
        for voice in [Voice(id: "zero", basePitchHz: 0, formantShift: .nan, brightness: 7), Voice(id: "huge", basePitchHz: 1e9, formantShift: 40, brightness: -3)] {
            let samples = SpeechSynthesizer(voice: voice, wordsPerMinute: .infinity).synthesize("Still speaking.", speed: -1)
            #expect(!samples.isEmpty)
            #expect(samples.allSatisfy { $0.isFinite })
        }
    }

    @Test("text without words gives no audio; odd text gives some", arguments: ["", "   ", "?!...", "—"])
    func emptyText(text: String) {
        #expect(SpeechSynthesizer(voice: .default).synthesize(text).isEmpty)
        #expect(SpeechSynthesizer.expectedDuration(of: text) == 0)
    }

    @Test("digits, accents, emoji and consonant-only words are spoken", arguments: ["42", "Café déjà vu", "ok 👍", "hmm, psst", "CAPITALS"])
    func unusualText(text: String) {
        let samples = SpeechSynthesizer(voice: .default).synthesize(text)
        #expect(samples.count > 4_800)
        #expect(samples.allSatisfy { $0.isFinite })
    }

    @Test("synthesizing 10 s of speech takes well under 0.5 s", .enabled(if: !isDebugBuild))
    func performance() {
        let text = String(repeating: "The quick brown fox jumps over the lazy dog, and then it rests. ", count: 3)
        let clock = ContinuousClock()
        var samples: [Float] = []
        // Best of three, so a busy CI machine running other suites in parallel does not decide.
        let seconds = (0..<3).map { _ in
            let elapsed = clock.measure { samples = SpeechSynthesizer(voice: Voice.all[1]).synthesize(text) }
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }.min() ?? .infinity
        let audio = Double(samples.count) / 48_000
        print("synthesized \(audio) s of audio in \(seconds) s (the lowest voice, the most harmonics)")
        #expect(audio >= 10)
        #expect(seconds / audio * 10 < 0.25)
    }
}

#if DEBUG
let isDebugBuild = true
#else
let isDebugBuild = false
#endif
