/// A deterministic formant speech synthesizer: text in, 48 kHz mono speech-like audio out.
///
/// It stands in for a neural TTS in tests and simulations: the output has syllables, vowel
/// formants, fricatives and stop bursts, phrase intonation (falling statements, rising
/// questions) and natural pauses, so voice activity detection, Opus, STT plumbing and level
/// metering all see realistic signals. It is not meant to be understood word for word.
///
/// The same text, voice and speed always give bit-identical samples (the only noise source
/// is seeded from them), peaking at -3 dBFS.
public struct SpeechSynthesizer: Sendable {
    public let voice: Voice
    public let wordsPerMinute: Double

    /// - Parameters:
    ///   - voice: any voice; out-of-range custom parameters are clamped (f0 50-400 Hz, formant shift 0.7-1.5).
    ///   - wordsPerMinute: speaking rate for ordinary prose, pauses included (clamped to 40-500).
    public init(voice: Voice, wordsPerMinute: Double = 165) {
        self.voice = voice
        self.wordsPerMinute = wordsPerMinute
    }

    /// Speaks `text`. `speed` > 1 talks faster (2 = half the duration). Text without any
    /// letters or digits gives an empty array.
    public func synthesize(_ text: String, speed: Double = 1.0) -> [Float] {
        let plan = SpeechPlanner.plan(text, wordsPerMinute: wordsPerMinute, speed: speed)
        var seed = StableHash()
        seed.combine(text)
        seed.combine(voice.id)
        return FormantRenderer(voice: voice.sanitized, seed: seed.value).render(plan)
    }

    /// The duration in seconds that ``synthesize(_:speed:)`` will produce for `text`, computed
    /// from the same timing plan without rendering (so it is exact to within one sample).
    public static func expectedDuration(of text: String, wordsPerMinute: Double = 165, speed: Double = 1.0) -> Double {
        let duration = SpeechPlanner.plan(text, wordsPerMinute: wordsPerMinute, speed: speed).duration
        return (duration * Double(AudioFormat.sampleRate)).rounded() / Double(AudioFormat.sampleRate)
    }
}
