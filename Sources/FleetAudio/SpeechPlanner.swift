/// A phone with its timing and the acoustic targets the renderer steers towards.
struct PlannedPhone: Sendable {
    enum Shape: Sendable {
        /// Silence or a steady consonant.
        case steady
        /// A syllable's vowel: rises at the start and decays towards the end, more so phrase-finally.
        case nucleus(phraseFinal: Bool)
        /// A stop release: frication that dies away within the phone.
        case burst
    }

    var start: Double = 0
    var duration: Double
    var formants = VowelQuality.ax.formants
    /// Diphthong end point; the formants glide there over the phone.
    var glide: FormantSet?
    /// Consonants take their formants from the nearest vowel of their word, pulled to this place.
    var locus: PlaceOfArticulation?
    var voicing: Double = 0
    var aspiration: Double = 0
    var frication: Double = 0
    var fricationHz: Double = 4_000
    var fricationBandwidth: Double = 3_000
    /// Nasals have broad, damped formants.
    var bandwidthScale: Double = 1
    var shape: Shape = .steady
    /// Stressed vowels of content words carry a pitch accent.
    var accented = false
    var wordIndex = -1

    var end: Double { start + duration }

    static func pause(_ seconds: Double) -> PlannedPhone {
        PlannedPhone(duration: seconds)
    }
}

struct PitchAccent: Sendable {
    var time: Double
    var width: Double
    /// Relative f0 rise at the peak (0.1 = +10 %).
    var height: Double
}

struct IntonationPhrase: Sendable {
    var start: Double
    var end: Double
    var ending: PauseKind
}

/// Everything the renderer needs: the timed phones and the prosody laid over them.
struct SpeechPlan: Sendable {
    var phones: [PlannedPhone]
    var accents: [PitchAccent]
    var phrases: [IntonationPhrase]
    var duration: Double
}

/// Turns text into a timed phone sequence with durations, stress and phrasing.
///
/// The duration of a plan is the duration of the rendered audio, so
/// ``SpeechSynthesizer/expectedDuration(of:wordsPerMinute:speed:)`` is exact by construction.
enum SpeechPlanner {
    static let referenceWordsPerMinute = 165.0
    /// Scales the phone durations below so that ordinary English prose comes out at the requested
    /// words per minute (measured on a few paragraphs of assistant-style text).
    static let tempoCalibration = 1.13

    static let wordGap = 0.035
    static let phraseBreakPause = 0.22
    static let sentencePause = 0.42

    static func plan(_ text: String, wordsPerMinute: Double, speed: Double) -> SpeechPlan {
        let rate = wordsPerMinute.isFinite && wordsPerMinute > 0 ? min(max(wordsPerMinute, 40), 500) : referenceWordsPerMinute
        let pace = speed.isFinite && speed > 0 ? min(max(speed, 0.25), 4) : 1
        let tempo = tempoCalibration * referenceWordsPerMinute / rate / pace

        var phones: [PlannedPhone] = []
        var phraseRanges: [(range: Range<Int>, ending: PauseKind)] = []
        var phraseStart = 0
        var pendingPause: Double?
        var wordIndex = 0

        for token in LetterToSound.tokens(in: text) {
            switch token {
            case .word(let word):
                if let pause = pendingPause { phones.append(.pause(pause)) }
                if phraseStart > phones.count { phraseStart = phones.count }
                phones += wordPhones(word, index: wordIndex)
                wordIndex += 1
                pendingPause = wordGap
            case .pause(let kind):
                guard phraseStart < phones.count else { continue }
                phraseRanges.append((phraseStart..<phones.count, kind))
                pendingPause = kind == .phraseBreak ? phraseBreakPause : sentencePause
                phraseStart = phones.count + 1  // the next phrase starts after the pause phone
            }
        }
        if phraseStart < phones.count {
            phraseRanges.append((phraseStart..<phones.count, .statementEnd))
        }

        // Phrase-final lengthening: the last syllable of a phrase is drawn out and fades.
        for (range, _) in phraseRanges {
            if let last = range.last(where: { phones[$0].isNucleus }) {
                phones[last].duration *= 1.35
                phones[last].shape = .nucleus(phraseFinal: true)
            }
        }

        var time = 0.0
        for index in phones.indices {
            phones[index].duration *= tempo
            phones[index].start = time
            time += phones[index].duration
        }
        resolveConsonantFormants(&phones)

        var accents: [PitchAccent] = []
        var phrases: [IntonationPhrase] = []
        for (range, ending) in phraseRanges {
            phrases.append(IntonationPhrase(start: phones[range.lowerBound].start, end: phones[range.upperBound - 1].end, ending: ending))
            // The first accent of a phrase is the highest; later ones step down (downstep).
            var height = ending == .exclamationEnd ? 0.2 : 0.13
            for index in range where phones[index].accented {
                let phone = phones[index]
                accents.append(PitchAccent(time: phone.start + phone.duration * 0.4, width: max(0.05, phone.duration * 0.6), height: height))
                height = max(0.05, height * 0.7)
            }
        }
        return SpeechPlan(phones: phones, accents: accents, phrases: phrases, duration: time)
    }

    /// The phones of one word, with unscaled durations.
    private static func wordPhones(_ word: String, index: Int) -> [PlannedPhone] {
        let sounds = LetterToSound.sounds(for: word)
        let isFunctionWord = LetterToSound.functionWords.contains(word)
        let vowelCount = sounds.count(where: \.isVowel)
        // English content words mostly stress the first full vowel ("today": the second).
        let stressed: Int? = isFunctionWord ? nil : sounds.indices.first { position in
            if case .vowel(let quality, _) = sounds[position] { return quality != .ax }
            return false
        }

        var phones: [PlannedPhone] = []
        for (position, sound) in sounds.enumerated() {
            switch sound {
            case .vowel(let quality, let glide):
                let isStressed = position == stressed
                var phone = PlannedPhone(duration: vowelDuration(quality, diphthong: glide != nil))
                phone.formants = quality.formants
                if !isStressed, quality.isReducible, vowelCount > 1 || isFunctionWord {
                    phone.formants = phone.formants.mixed(with: VowelQuality.ax.formants, 0.5)
                }
                phone.glide = glide?.formants
                phone.duration *= isStressed ? 1.2 : (isFunctionWord ? 0.75 : 0.85)
                phone.voicing = quality.loudness * (isStressed ? 1 : (isFunctionWord ? 0.6 : 0.75))
                phone.aspiration = 0.015 * phone.voicing  // a little breath in every vowel
                phone.shape = .nucleus(phraseFinal: false)
                phone.accented = isStressed
                phones.append(phone)
            case .consonant(let consonant):
                let releasedIntoVowel = sounds[(position + 1)...].first.map { next in
                    if case .consonant(let following) = next { return [.l, .r, .w, .y].contains(following) }
                    return true
                } ?? false
                phones += consonantPhones(consonant, releasedIntoVowel: releasedIntoVowel)
            }
        }
        for position in phones.indices { phones[position].wordIndex = index }
        return phones
    }

    private static func vowelDuration(_ quality: VowelQuality, diphthong: Bool) -> Double {
        if diphthong { return 0.14 }
        switch quality {
        case .ax: return 0.055
        case .iy, .uw, .er, .ao, .aa: return 0.11
        default: return 0.085
        }
    }

    /// A consonant as one or more phones: stops are a closure, a burst and (when a vowel follows
    /// an unvoiced stop) aspiration; affricates add a fricative.
    private static func consonantPhones(_ consonant: ConsonantSound, releasedIntoVowel: Bool) -> [PlannedPhone] {
        let make = ConsonantPhoneBuilder(place: consonant.place, releasedIntoVowel: releasedIntoVowel)
        switch consonant {
        // Frication amounts give natural levels against a vowel: /s/ ≈ -8 dB, /ʃ/ ≈ -7 dB,
        // the weak /f/ and /θ/ ≈ -18 dB.
        case .s: return [make.fricative(0.09, 1.0, 6_000, 3_000)]
        case .z: return [make.fricative(0.07, 0.55, 6_000, 3_000, voicing: 0.3)]
        case .sh: return [make.fricative(0.09, 1.9, 3_100, 1_600)]
        case .zh: return [make.fricative(0.07, 1.0, 3_100, 1_600, voicing: 0.3)]
        case .f: return [make.fricative(0.08, 0.22, 5_000, 7_000)]
        case .v: return [make.fricative(0.055, 0.12, 5_000, 7_000, voicing: 0.45)]
        case .th: return [make.fricative(0.075, 0.19, 6_000, 7_000)]
        case .dh: return [make.fricative(0.045, 0.1, 5_000, 7_000, voicing: 0.45)]
        case .h: return [make.breath(0.06, aspiration: 0.35)]
        case .p: return make.stop(closure: 0.055, burstHz: 1_200, burstBandwidth: 2_000, voiced: false)
        case .t: return make.stop(closure: 0.05, burstHz: 4_500, burstBandwidth: 3_000, voiced: false)
        case .k: return make.stop(closure: 0.055, burstHz: 2_200, burstBandwidth: 1_200, voiced: false)
        case .b: return make.stop(closure: 0.045, burstHz: 1_200, burstBandwidth: 2_000, voiced: true)
        case .d: return make.stop(closure: 0.04, burstHz: 4_000, burstBandwidth: 3_000, voiced: true)
        case .g: return make.stop(closure: 0.045, burstHz: 2_000, burstBandwidth: 1_200, voiced: true)
        case .ch:
            // The affricate's own frication replaces the aspiration a plain stop would have.
            return Array(make.stop(closure: 0.045, burstHz: 3_500, burstBandwidth: 2_000, voiced: false).prefix(2))
                + [make.fricative(0.07, 1.8, 3_100, 1_600)]
        case .jh:
            return make.stop(closure: 0.04, burstHz: 3_500, burstBandwidth: 2_000, voiced: true)
                + [make.fricative(0.05, 0.9, 3_100, 1_600, voicing: 0.3)]
        case .m: return [make.sonorant(0.065, FormantSet(f1: 280, f2: 1_100, f3: 2_300), voicing: 0.55, bandwidthScale: 1.8)]
        case .n: return [make.sonorant(0.06, FormantSet(f1: 280, f2: 1_600, f3: 2_500), voicing: 0.55, bandwidthScale: 1.8)]
        case .ng: return [make.sonorant(0.065, FormantSet(f1: 280, f2: 2_000, f3: 2_600), voicing: 0.5, bandwidthScale: 1.8)]
        case .l: return [make.sonorant(0.055, FormantSet(f1: 360, f2: 1_050, f3: 2_650), voicing: 0.65)]
        case .r: return [make.sonorant(0.055, FormantSet(f1: 420, f2: 1_250, f3: 1_650), voicing: 0.65)]
        case .w: return [make.sonorant(0.05, FormantSet(f1: 300, f2: 700, f3: 2_200), voicing: 0.6)]
        case .y: return [make.sonorant(0.045, FormantSet(f1: 280, f2: 2_200, f3: 2_950), voicing: 0.6)]
        }
    }

    /// Obstruents have no formants of their own: they take the next vowel of their word (or the
    /// previous one at the end of a word), bent towards their place of articulation.
    private static func resolveConsonantFormants(_ phones: inout [PlannedPhone]) {
        for index in phones.indices {
            guard let locus = phones[index].locus else { continue }
            let word = phones[index].wordIndex
            let following = phones[(index + 1)...].prefix { $0.wordIndex == word }.first(where: \.isNucleus)
            let preceding = phones[..<index].reversed().prefix { $0.wordIndex == word }.first(where: \.isNucleus)
            let vowel = (following ?? preceding)?.formants ?? VowelQuality.ax.formants
            phones[index].formants = locus.pull(vowel)
        }
    }
}

extension PlannedPhone {
    var isNucleus: Bool {
        if case .nucleus = shape { return true }
        return false
    }
}

/// The phone shapes ``SpeechPlanner`` builds consonants from, for one consonant: its place of
/// articulation (which obstruents take as their formant locus) and whether a vowel follows (which
/// decides a stop's release).
private struct ConsonantPhoneBuilder {
    let place: PlaceOfArticulation
    let releasedIntoVowel: Bool

    /// Noise at `hertz` through a band `bandwidth` wide, with optional voicing underneath.
    func fricative(_ duration: Double, _ amount: Double, _ hertz: Double, _ bandwidth: Double, voicing: Double = 0) -> PlannedPhone {
        var phone = PlannedPhone(duration: duration)
        phone.locus = place
        phone.frication = amount
        phone.fricationHz = hertz
        phone.fricationBandwidth = bandwidth
        phone.voicing = voicing
        return phone
    }

    /// A voiced consonant with formants of its own (nasals and approximants).
    func sonorant(_ duration: Double, _ formants: FormantSet, voicing: Double, bandwidthScale: Double = 1) -> PlannedPhone {
        var phone = PlannedPhone(duration: duration)
        phone.formants = formants
        phone.voicing = voicing
        phone.bandwidthScale = bandwidthScale
        return phone
    }

    /// Breath noise from the glottis: /h/, and the aspiration after an unvoiced stop.
    func breath(_ duration: Double, aspiration: Double) -> PlannedPhone {
        var phone = PlannedPhone(duration: duration)
        phone.locus = .glottal
        phone.aspiration = aspiration
        return phone
    }

    /// Closure, burst and, for an unvoiced stop released into a vowel, aspiration.
    func stop(closure: Double, burstHz: Double, burstBandwidth: Double, voiced: Bool) -> [PlannedPhone] {
        var silence = PlannedPhone(duration: closure)
        silence.locus = place
        // Voiced stops keep a low "voice bar" buzzing through the closure.
        silence.voicing = voiced ? 0.12 : 0
        var burst = fricative(voiced ? 0.01 : 0.014, voiced ? 0.5 : (releasedIntoVowel ? 1.0 : 0.6), burstHz, burstBandwidth)
        burst.shape = .burst
        guard !voiced, releasedIntoVowel else { return [silence, burst] }
        return [silence, burst, breath(0.035, aspiration: 0.3)]
    }
}
