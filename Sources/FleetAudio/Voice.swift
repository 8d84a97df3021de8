/// A synthetic speaker: how high it speaks, how large its vocal tract is, how bright it sounds.
public struct Voice: Sendable, Hashable {
    /// Bark-style preset id, e.g. `v2/en_speaker_3`, so the TTS service can take Bark's names.
    public let id: String
    /// Average speaking pitch (f0); intonation moves around it.
    public let basePitchHz: Double
    /// Multiplies all formant frequencies: ~1.0 for an adult male vocal tract, ~1.15-1.2 for a female one.
    public let formantShift: Double
    /// 0 = dark, soft voice (steep spectral tilt) ... 1 = bright, pressed voice.
    public let brightness: Double

    public init(id: String, basePitchHz: Double, formantShift: Double, brightness: Double) {
        self.id = id
        self.basePitchHz = basePitchHz
        self.formantShift = formantShift
        self.brightness = brightness
    }

    /// Ten presets named like Bark's English speakers: 0-2, 6 and 8 lower (male-like) voices,
    /// the rest higher (female-like), each with its own timbre.
    public static let all: [Voice] = [
        Voice(id: "v2/en_speaker_0", basePitchHz: 112, formantShift: 1.0, brightness: 0.5),
        Voice(id: "v2/en_speaker_1", basePitchHz: 92, formantShift: 0.94, brightness: 0.3),
        Voice(id: "v2/en_speaker_2", basePitchHz: 132, formantShift: 1.04, brightness: 0.75),
        Voice(id: "v2/en_speaker_3", basePitchHz: 205, formantShift: 1.17, brightness: 0.55),
        Voice(id: "v2/en_speaker_4", basePitchHz: 232, formantShift: 1.2, brightness: 0.8),
        Voice(id: "v2/en_speaker_5", basePitchHz: 178, formantShift: 1.12, brightness: 0.35),
        Voice(id: "v2/en_speaker_6", basePitchHz: 122, formantShift: 0.98, brightness: 0.2),
        Voice(id: "v2/en_speaker_7", basePitchHz: 250, formantShift: 1.24, brightness: 0.6),
        Voice(id: "v2/en_speaker_8", basePitchHz: 102, formantShift: 0.97, brightness: 0.9),
        Voice(id: "v2/en_speaker_9", basePitchHz: 192, formantShift: 1.15, brightness: 0.25),
    ]

    /// `v2/en_speaker_0`.
    public static let `default` = all[0]

    /// The same voice with every parameter forced into a range the renderer can use, so a
    /// custom voice built from user input (0 Hz, NaN) degrades instead of crashing.
    var sanitized: Voice {
        func clamp(_ value: Double, _ range: ClosedRange<Double>, otherwise fallback: Double) -> Double {
            value.isFinite ? min(max(value, range.lowerBound), range.upperBound) : fallback
        }
        return Voice(
            id: id,
            basePitchHz: clamp(basePitchHz, 50...400, otherwise: 120),
            formantShift: clamp(formantShift, 0.7...1.5, otherwise: 1),
            brightness: clamp(brightness, 0...1, otherwise: 0.5)
        )
    }

    /// The preset with this id, or nil.
    public static func named(_ id: String) -> Voice? {
        all.first { $0.id == id }
    }
}
