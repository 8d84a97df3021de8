import FleetAudio
import FleetSpeech
import Foundation
import Testing

@Suite("Speech synthesizer (flite)")
struct SpeechSynthesizerTests {
    static let sentences = [
        "Turn the lights off.",
        "Could you turn the lights off in the kitchen, please?",
        "Could you turn the lights off in the kitchen, please? And after that, set a timer so I remember the oven.",
    ]

    static func seconds(_ samples: [Float]) -> Double {
        Double(samples.count) / Double(AudioFormat.sampleRate)
    }

    @Test("the same text, voice and speed give identical samples; anything else differs")
    func determinism() throws {
        let text = "Same input, same output."
        // Compared as Bools: a failing comparison of two arrays of 60,000 samples would print them.
        for voice in Voice.all {
            let a = SpeechSynthesizer(voice: voice).synthesize(text)
            let again = a == SpeechSynthesizer(voice: voice).synthesize(text)
            #expect(!a.isEmpty && again, "\(voice.id)")
        }
        let a = SpeechSynthesizer(voice: .default).synthesize(text)
        let otherVoice = a != SpeechSynthesizer(voice: try #require(Voice.named("v2/en_speaker_3"))).synthesize(text)
        let otherText = a != SpeechSynthesizer(voice: .default).synthesize("Same input, other output.")
        let otherSpeed = a != SpeechSynthesizer(voice: .default).synthesize(text, speed: 1.5)
        #expect(otherVoice && otherText && otherSpeed)
    }

    @Test("calls from many tasks at once give what one call alone gives")
    func concurrentCallsAgree() async throws {
        let voices = try ["v2/en_speaker_0", "v2/en_speaker_1", "v2/en_speaker_2", "v2/en_speaker_3", "v2/en_speaker_4"]
            .map { try #require(Voice.named($0)) }
        let text = "Several speakers talk at the same time."
        let alone = voices.map { SpeechSynthesizer(voice: $0).synthesize(text) }
        let together = await withTaskGroup(of: (Int, [Float]).self) { group in
            for _ in 0..<4 {
                for index in voices.indices {
                    group.addTask { (index, SpeechSynthesizer(voice: voices[index]).synthesize(text)) }
                }
            }
            return await group.reduce(into: [(Int, [Float])]()) { $0.append($1) }
        }
        #expect(together.count == 4 * voices.count)
        for (index, samples) in together {
            let same = samples == alone[index]
            #expect(same, "\(voices[index].id)")
        }
    }

    @Test("48 kHz speech at a person's pace (2-4 words a second), longer for longer text")
    func durationFitsTheWords() {
        for voice in Voice.all {
            var previous = 0.0
            for text in Self.sentences {
                let duration = Self.seconds(SpeechSynthesizer(voice: voice).synthesize(text))
                let words = Double(text.split(separator: " ").count)
                #expect((2...4).contains(words / duration), "\(voice.id), \(text): \(words / duration) words/s")
                #expect(duration > previous, "\(voice.id): \(text)")
                previous = duration
            }
        }
    }

    @Test("every preset is normalised to -19 LUFS within 0.5 LU, peaks below full scale and is finite")
    func loudness() throws {
        let text = "Checking levels for every voice: sss, shh, ahh, and a long sentence to measure."
        for voice in Voice.all {
            let samples = SpeechSynthesizer(voice: voice).synthesize(text)
            let loudness = try #require(Loudness.integrated(samples, sampleRate: AudioFormat.sampleRate), "\(voice.id)")
            #expect(abs(loudness - SpeechSynthesizer.targetLoudness) <= 0.5, "\(voice.id): \(loudness) LUFS")
            #expect(samples.allSatisfy { $0.isFinite && abs($0) < 1 }, "\(voice.id)")
            #expect(LevelStats.measure(samples).clippingRatio == 0, "\(voice.id)")
        }
    }

    @Test("text with nothing to say gives no audio", arguments: ["", "   ", "?!...", "—", "☕ 👍", "\n\t"])
    func nothingToSay(text: String) {
        #expect(SpeechSynthesizer(voice: .default).synthesize(text).isEmpty)
    }

    @Test("accents, emoji, symbols and capitals are spoken, not crashed on",
          arguments: ["café ☕ naïve", "Café déjà vu", "ok 👍", "CAPITALS", "hmm, psst", "Zürich → Straße"])
    func unusualText(text: String) {
        let samples = SpeechSynthesizer(voice: .default).synthesize(text)
        #expect(Self.seconds(samples) > 0.3, "\(text)")
        #expect(samples.allSatisfy { $0.isFinite })
    }

    @Test("speed 2 is shorter than speed 1, speed 0.5 longer", arguments: ["v2/en_speaker_0", "v2/en_speaker_1", "v2/en_speaker_3"])
    func speed(id: String) throws {
        let synthesizer = SpeechSynthesizer(voice: try #require(Voice.named(id)))
        let text = Self.sentences[1]
        let normal = Self.seconds(synthesizer.synthesize(text))
        let fast = Self.seconds(synthesizer.synthesize(text, speed: 2))
        let slow = Self.seconds(synthesizer.synthesize(text, speed: 0.5))
        #expect(fast < normal * 0.75, "\(id): \(fast) s at speed 2, \(normal) s at 1")
        #expect(slow > normal * 1.4, "\(id): \(slow) s at speed 0.5, \(normal) s at 1")
    }

    @Test("a higher-pitched preset speaks higher than its lower sibling of the same flite voice",
          arguments: [("v2/en_speaker_5", "v2/en_speaker_4"), ("v2/en_speaker_3", "v2/en_speaker_7"), ("v2/en_speaker_1", "v2/en_speaker_9")])
    func pitch(lowID: String, highID: String) throws {
        let low = try #require(Voice.named(lowID)), high = try #require(Voice.named(highID))
        #expect(low.family == high.family && low.pitch < high.pitch)
        let text = "We were away a year ago, on a sunny morning."  // mostly voiced
        let lowF0 = try #require(MedianPitch.estimate(SpeechSynthesizer(voice: low).synthesize(text)))
        let highF0 = try #require(MedianPitch.estimate(SpeechSynthesizer(voice: high).synthesize(text)))
        // The presets' pitch factors differ by 18-24 %; ask for at least half of that. (Not rms:
        // its F0 comes from flite's spamf0 model, which ignores the pitch factor.)
        #expect(highF0 / lowF0 > 1 + (high.pitch / low.pitch - 1) / 2, "\(lowID) \(lowF0) Hz, \(highID) \(highF0) Hz")
    }

    @Test("the catalogue: ten Bark-style ids, unique and distinguishable, over four flite voices")
    func catalogue() {
        let ids = Voice.all.map(\.id)
        #expect(ids == (0...9).map { "v2/en_speaker_\($0)" })
        #expect(Set(Voice.all.map(\.summary)).count == Voice.all.count, "two presets read alike: \(Voice.all.map(\.summary))")
        #expect(Set(Voice.all.map(\.family)).count >= 4, "presets spread over flite's voices")
        #expect(Voice.named("v2/en_speaker_3")?.family == .slt)
        #expect(Voice.named("nobody") == nil)
        #expect(Voice.default.id == "v2/en_speaker_0")
    }
}

/// Median f0 of the voiced stretches, by normalised autocorrelation on an 8 kHz copy (60-400 Hz):
/// enough to tell two pitch variants of one voice apart.
enum MedianPitch {
    static func estimate(_ samples: [Float]) -> Double? {
        let factor = 6, rate = Double(AudioFormat.sampleRate / factor)
        let decimated = stride(from: 0, to: samples.count - factor + 1, by: factor).map { start in
            samples[start..<(start + factor)].reduce(0.0) { $0 + Double($1) } / Double(factor)
        }
        let frame = 320, lags = Int(rate / 400)...Int(rate / 60)
        var estimates: [Double] = []
        for start in stride(from: 0, to: decimated.count - frame - lags.upperBound, by: frame / 2) {
            let energy = decimated[start..<(start + frame)].reduce(0) { $0 + $1 * $1 }
            guard energy / Double(frame) > 1e-3 else { continue }  // loud (voiced) frames only
            var bestLag = 0, bestScore = 0.6
            for lag in lags {
                var cross = 0.0, lagged = 0.0
                for index in start..<(start + frame) {
                    cross += decimated[index] * decimated[index + lag]
                    lagged += decimated[index + lag] * decimated[index + lag]
                }
                let score = cross / (energy * lagged).squareRoot()
                if score > bestScore { (bestLag, bestScore) = (lag, score) }
            }
            if bestLag > 0 { estimates.append(rate / Double(bestLag)) }
        }
        return estimates.isEmpty ? nil : estimates.sorted()[estimates.count / 2]
    }
}
