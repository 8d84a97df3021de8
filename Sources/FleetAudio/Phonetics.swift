// The sound inventory the synthesizer speaks with: a reduced English phone set (ARPAbet names)
// and, for each phone, the acoustic targets the formant renderer steers towards.

/// Formant frequencies in Hz for an adult male vocal tract; voices scale them.
struct FormantSet: Sendable, Hashable {
    var f1: Double
    var f2: Double
    var f3: Double

    func mixed(with other: FormantSet, _ amount: Double) -> FormantSet {
        FormantSet(
            f1: f1 + (other.f1 - f1) * amount,
            f2: f2 + (other.f2 - f2) * amount,
            f3: f3 + (other.f3 - f3) * amount
        )
    }
}

/// Vowel qualities, named after ARPAbet.
enum VowelQuality: Sendable, Hashable {
    case iy, ih, eh, ae, aa, ao, oh, uh, uw, ah, er, ax

    /// Peterson & Barney (1952) / Hillenbrand (1995) averages for men, rounded.
    var formants: FormantSet {
        switch self {
        case .iy: FormantSet(f1: 290, f2: 2_290, f3: 3_010)
        case .ih: FormantSet(f1: 400, f2: 1_990, f3: 2_550)
        case .eh: FormantSet(f1: 550, f2: 1_840, f3: 2_480)
        case .ae: FormantSet(f1: 660, f2: 1_720, f3: 2_410)
        case .aa: FormantSet(f1: 730, f2: 1_090, f3: 2_440)
        case .ao: FormantSet(f1: 570, f2: 840, f3: 2_410)
        case .oh: FormantSet(f1: 500, f2: 910, f3: 2_400)
        case .uh: FormantSet(f1: 440, f2: 1_020, f3: 2_240)
        case .uw: FormantSet(f1: 310, f2: 870, f3: 2_240)
        case .ah: FormantSet(f1: 640, f2: 1_190, f3: 2_390)
        case .er: FormantSet(f1: 490, f2: 1_350, f3: 1_690)
        case .ax: FormantSet(f1: 500, f2: 1_500, f3: 2_500)
        }
    }

    /// Gain that brings each vowel to its natural intrinsic intensity. Through the cascade an
    /// open /ɑ/ comes out ~12 dB louder than /i/; real speech has about 5 dB between them
    /// (Lehiste & Peterson). Measured on the renderer, relative to /ə/.
    var loudness: Double {
        switch self {
        case .iy: 1.22
        case .ih: 0.86
        case .eh: 0.77
        case .ae: 0.76
        case .aa: 0.55
        case .ao: 0.51
        case .oh: 0.88
        case .uh: 0.76
        case .uw: 1.08
        case .ah: 0.69
        case .er: 0.75
        case .ax: 1.0
        }
    }

    /// Short lax vowels shorten; tense vowels and diphthongs (see ``SpeechSound``) run longer.
    var isReducible: Bool {
        switch self {
        case .ae, .eh, .ih, .aa, .ah: true
        default: false
        }
    }
}

/// Where the tongue or lips close for a consonant; pulls the neighbouring vowel's F2 towards
/// that place's "locus" so transitions into and out of consonants sound like real ones.
enum PlaceOfArticulation: Sendable, Hashable {
    case labial, dental, alveolar, postalveolar, velar, glottal

    func pull(_ vowel: FormantSet) -> FormantSet {
        switch self {
        case .labial: FormantSet(f1: 300, f2: vowel.f2 * 0.5 + 450, f3: vowel.f3 * 0.95)
        case .dental: FormantSet(f1: 320, f2: vowel.f2 * 0.5 + 700, f3: vowel.f3)
        case .alveolar: FormantSet(f1: 320, f2: vowel.f2 * 0.4 + 1_050, f3: vowel.f3 * 1.02)
        case .postalveolar: FormantSet(f1: 320, f2: vowel.f2 * 0.3 + 1_400, f3: vowel.f3 * 0.95)
        case .velar: FormantSet(f1: 320, f2: min(2_400, vowel.f2 * 1.1), f3: vowel.f3 * 0.92)
        case .glottal: vowel
        }
    }
}

enum ConsonantSound: Sendable, Hashable {
    case s, z, sh, zh, f, v, th, dh, h
    case p, b, t, d, k, g
    case ch, jh
    case m, n, ng
    case l, r, w, y

    var place: PlaceOfArticulation {
        switch self {
        case .p, .b, .m, .f, .v, .w: .labial
        case .th, .dh: .dental
        case .s, .z, .t, .d, .n, .l: .alveolar
        case .sh, .zh, .ch, .jh, .r, .y: .postalveolar
        case .k, .g, .ng: .velar
        case .h: .glottal
        }
    }

    var isVoiced: Bool {
        switch self {
        case .s, .sh, .f, .th, .h, .p, .t, .k, .ch: false
        default: true
        }
    }
}

/// One sound of a word as the letter-to-sound rules produce it.
enum SpeechSound: Sendable, Hashable {
    /// A vowel; `glide` makes it a diphthong that moves towards a second quality.
    case vowel(VowelQuality, glide: VowelQuality?)
    case consonant(ConsonantSound)

    static func monophthong(_ quality: VowelQuality) -> SpeechSound { .vowel(quality, glide: nil) }

    // The English diphthongs, in ARPAbet spelling.
    static let ay = SpeechSound.vowel(.aa, glide: .iy)  // "time"
    static let ey = SpeechSound.vowel(.eh, glide: .iy)  // "day"
    static let ow = SpeechSound.vowel(.oh, glide: .uh)  // "go"
    static let aw = SpeechSound.vowel(.aa, glide: .uh)  // "now"
    static let oy = SpeechSound.vowel(.ao, glide: .iy)  // "boy"

    var isVowel: Bool {
        if case .vowel = self { return true }
        return false
    }
}
