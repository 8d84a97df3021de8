import FleetAudio
import Foundation

/// Text in, speech a person understands out: 48 kHz mono Float samples in -1...1, as the rest of
/// the fleet's audio.
///
/// The text is first put in its spoken form (numbers, times, units said as words; `SpokenForm`),
/// then flite speaks it in the voice's flite voice, pitch and rate; the result is resampled to
/// 48 kHz for Opus and normalised to a loudness target rather than a peak, so every voice and
/// every sentence sounds equally loud. Deterministic: the same text, voice and speed always give
/// the same samples.
public struct SpeechSynthesizer: Sendable {
    /// Integrated loudness of every utterance, in LUFS: about what speech services deliver.
    public static let targetLoudness = -19.0

    public let voice: Voice

    public init(voice: Voice) {
        self.voice = voice
    }

    /// Speaks `text`. `speed` > 1 talks faster (2 = about half the duration). Text with nothing
    /// to say gives an empty array.
    public func synthesize(_ text: String, speed: Double = 1) -> [Float] {
        let spoken = Self.flitePrepared(SpokenForm.expand(text))
        guard spoken.contains(where: { $0.isLetter || $0.isNumber }) else { return [] }
        let wave = FliteEngine.shared.synthesize(spoken, voice: voice.family, pitch: voice.pitch,
                                                 rate: voice.rate * max(0.25, min(4, speed)))
        guard !wave.samples.isEmpty else { return [] }
        let floats = wave.samples.map { Float($0) / 32_768 }
        let resampled = Resampler.resample(floats, from: wave.sampleRate, to: AudioFormat.sampleRate)
        return Loudness.normalized(resampled, sampleRate: AudioFormat.sampleRate, target: Self.targetLoudness)
    }

    /// flite reads bytes as Latin text: accents are folded ("café" -> "cafe") and anything else
    /// outside printable ASCII becomes a space, so no input reaches flite's error path.
    static func flitePrepared(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        return String(folded.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? Character($0) : " " })
    }
}
