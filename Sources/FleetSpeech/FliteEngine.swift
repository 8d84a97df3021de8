import CFlite
import Foundation

/// flite, once per process: voices registered on first use, then one utterance per call.
///
/// Each call gets its own utterance, and the pitch and rate are set on the utterance, not the
/// shared voice, so concurrent calls do not see each other's settings. flite documents synthesis
/// as thread-safe; the clustergen voices still keep lazily built tables inside the voice, so calls
/// on one voice take turns (a lock per voice) while the diphone voices run in parallel. Synthesis
/// costs about 2 % of real time, so taking turns costs little.
///
/// The clustergen voices (slt, rms, awb) draw their noise excitation from C's process-wide
/// `rand()`. So that the same text always gives the same samples, each of their syntheses reseeds
/// it and holds one lock shared by all three, so no other synthesis draws from it meanwhile.
final class FliteEngine: Sendable {
    static let shared = FliteEngine()

    /// flite's output: 16-bit PCM at the voice's own rate (8 kHz for kal, 16 kHz for the others).
    struct Wave {
        var samples: [Int16]
        var sampleRate: Int
    }

    private let registration = NSLock()
    nonisolated(unsafe) private var voices: [FliteVoice: UnsafeMutablePointer<cst_voice>] = [:]
    private let voiceLocks: [FliteVoice: NSLock] = Dictionary(uniqueKeysWithValues: FliteVoice.allCases.map { ($0, NSLock()) })
    private let randomExcitation = NSLock()

    private init() {
        _ = flite_init()
    }

    /// Speaks `text` (plain ASCII words and punctuation; `SpokenForm` prepares it). `pitch` and
    /// `rate` are multipliers of the voice's own: 1.2 is higher, 1.25 talks a quarter faster.
    func synthesize(_ text: String, voice: FliteVoice, pitch: Double, rate: Double) -> Wave {
        guard let handle = handle(for: voice) else { return Wave(samples: [], sampleRate: 16_000) }
        let lock = voice.isDiphone ? voiceLocks[voice]! : randomExcitation
        lock.lock()
        defer { lock.unlock() }
        if !voice.isDiphone { srand(1) }
        let utterance = new_utterance()
        defer { delete_utterance(utterance) }
        _ = utt_set_input_text(utterance, text)
        _ = utt_init(utterance, handle)
        let features = utterance!.pointee.features
        flite_feat_set_float(features, "duration_stretch", Float(1 / max(0.25, rate)))
        if voice.isDiphone {
            flite_feat_set_float(features, "int_f0_target_mean", Float(voice.naturalPitchHz * pitch))
        } else {
            flite_feat_set_float(features, "f0_shift", Float(pitch))
        }
        guard utt_synth(utterance) != nil, let wave = utt_wave(utterance) else {
            return Wave(samples: [], sampleRate: 16_000)
        }
        let count = Int(wave.pointee.num_samples)
        let samples = count > 0 ? Array(UnsafeBufferPointer(start: wave.pointee.samples, count: count)) : []
        return Wave(samples: samples, sampleRate: Int(wave.pointee.sample_rate))
    }

    private func handle(for voice: FliteVoice) -> UnsafeMutablePointer<cst_voice>? {
        registration.lock()
        defer { registration.unlock() }
        if let known = voices[voice] { return known }
        let registered = voice.register()
        voices[voice] = registered
        return registered
    }
}
