/// A voice the fleet speaks with: a Bark-style preset name, the flite voice behind it and how it
/// is varied (pitch and rate), so ten presets come out of flite's five voices.
public struct Voice: Sendable, Hashable {
    /// Bark-style preset id, e.g. `v2/en_speaker_3`, so callers of the original keep their names.
    public let id: String
    /// The flite voice that speaks it; what the intelligibility test calls its family.
    public let family: FliteVoice
    /// Multiplies the flite voice's own pitch.
    public let pitch: Double
    /// Multiplies its speaking rate (1.1 talks a tenth faster).
    public let rate: Double

    public init(id: String, family: FliteVoice, pitch: Double = 1, rate: Double = 1) {
        self.id = id
        self.family = family
        self.pitch = pitch
        self.rate = rate
    }

    /// Ten presets named like Bark's English speakers, from four of flite's five voices. kal speaks at
    /// telephone bandwidth (8 kHz) and a 16 kHz recognizer gets half its words wrong (54 % WER,
    /// against 5-15 % for the others), so kal16, the same speaker at 16 kHz, is used instead. The
    /// variants stay within about ±18 % of a voice's own pitch and ±10 % of its rate: further out,
    /// flite's speech gets harder to follow. slt is a little fast to follow at its own rate (17 %
    /// WER against 15 % at 0.94), so its presets speak slower.
    public static let all: [Voice] = [
        Voice(id: "v2/en_speaker_0", family: .rms),
        Voice(id: "v2/en_speaker_1", family: .kal16, pitch: 0.92),
        Voice(id: "v2/en_speaker_2", family: .awb),
        Voice(id: "v2/en_speaker_3", family: .slt, rate: 0.94),
        Voice(id: "v2/en_speaker_4", family: .slt, pitch: 1.12),
        Voice(id: "v2/en_speaker_5", family: .slt, pitch: 0.9, rate: 0.9),
        // rms takes its intonation from a model applied after any pitch factor, so its presets
        // differ in rate alone.
        Voice(id: "v2/en_speaker_6", family: .rms, rate: 0.92),
        Voice(id: "v2/en_speaker_7", family: .slt, pitch: 1.18, rate: 0.97),
        Voice(id: "v2/en_speaker_8", family: .rms, rate: 1.08),
        Voice(id: "v2/en_speaker_9", family: .kal16, pitch: 1.1, rate: 1.05),
    ]

    /// `v2/en_speaker_0`.
    public static let `default` = all[0]

    /// The preset with this id, or nil.
    public static func named(_ id: String) -> Voice? {
        all.first { $0.id == id }
    }

    /// What a person choosing a voice wants to know.
    public var summary: String {
        let speaker = switch family {
        case .kal: "Male American voice, telephone bandwidth (flite kal)"
        case .kal16: "Male American voice (flite kal16)"
        case .slt: "Female American voice (flite slt)"
        case .rms: "Male American voice (flite rms)"
        case .awb: "Male Scottish voice (flite awb)"
        }
        // With the amount, so two variants of one voice (slt 12 % and 18 % higher) read differently.
        func change(_ factor: Double, _ up: String, _ down: String) -> String? {
            let percent = Int((abs(factor - 1) * 100).rounded())
            return percent == 0 ? nil : "\(percent) % \(factor > 1 ? up : down)"
        }
        let variants = [change(pitch, "higher", "lower"), change(rate, "faster", "slower")].compactMap { $0 }
        return variants.isEmpty ? speaker : speaker + ", " + variants.joined(separator: " and ")
    }
}
