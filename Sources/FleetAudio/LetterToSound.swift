import Foundation

/// Spelling-to-sound rules for English: no dictionary, just the regular patterns
/// (magic e, vowel digraphs, r-coloured vowels, consonant digraphs) plus a small lexicon
/// for the frequent words the rules get wrong. Good enough for intelligible-sounding
/// syllables, which is all the fleet's simulated speakers need.
enum LetterToSound {
    /// Words that carry no lexical stress in running speech.
    static let functionWords: Set<String> = [
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "but", "is", "are", "was",
        "were", "be", "been", "it", "its", "as", "by", "with", "from", "that", "this", "i", "you", "he",
        "she", "we", "they", "me", "my", "your", "our", "his", "her", "do", "does", "can", "will", "would",
        "could", "should", "have", "has", "had", "so", "if", "than", "then", "im", "whats",
    ]

    static func sounds(for word: String) -> [SpeechSound] {
        if let known = lexicon[word] { return known }
        var reader = RuleReader(word)
        let sounds = reader.read()
        // Every word must carry a voiced nucleus ("hmm", "st"): add a neutral vowel.
        return sounds.contains(where: \.isVowel) ? sounds : sounds + [.monophthong(.ax)]
    }

    /// Frequent words whose spelling the rules read wrongly, in ARPAbet-like notation.
    private static let lexicon: [String: [SpeechSound]] = {
        let entries: [String: String] = [
            "the": "dh ax", "a": "ax", "i": "ay", "you": "y uw", "to": "t uw", "of": "ah v", "one": "w ah n",
            "two": "t uw", "four": "f ao r", "eight": "ey t", "are": "aa r", "was": "w ah z", "is": "ih z",
            "his": "h ih z", "as": "ae z", "has": "h ae z", "do": "d uw", "does": "d ah z", "what": "w ah t",
            "whats": "w ah t s", "who": "h uw", "there": "dh eh r", "where": "w eh r", "were": "w er",
            "have": "h ae v", "give": "g ih v", "live": "l ih v", "come": "k ah m", "some": "s ah m",
            "done": "d ah n", "gone": "g ao n", "said": "s eh d", "says": "s eh z", "again": "ax g eh n",
            "any": "eh n iy", "many": "m eh n iy", "been": "b ih n", "your": "y ao r", "our": "aw r",
            "hello": "h ax l ow", "they": "dh ey", "be": "b iy", "he": "h iy", "she": "sh iy", "we": "w iy",
            "me": "m iy", "my": "m ay", "by": "b ay", "hi": "h ay", "how": "h aw", "now": "n aw",
            "know": "n ow", "no": "n ow", "so": "s ow", "go": "g ow", "from": "f r ah m",
            "would": "w uh d", "could": "k uh d", "should": "sh uh d", "music": "m y uw z ih k",
            "okay": "ow k ey", "ok": "ow k ey", "its": "ih t s", "dont": "d ow n t", "cant": "k ae n t",
            "im": "ay m", "today": "t ax d ey", "weather": "w eh dh er", "please": "p l iy z",
            "people": "p iy p ax l", "water": "w ao t er", "very": "v eh r iy", "only": "ow n l iy",
            "their": "dh eh r", "other": "ah dh er", "mother": "m ah dh er", "father": "f aa dh er",
            "with": "w ih dh", "this": "dh ih s", "that": "dh ae t", "then": "dh eh n", "than": "dh ae n",
            "them": "dh eh m", "these": "dh iy z", "those": "dh ow z", "though": "dh ow",
            "discord": "d ih s k ao r d", "assistant": "ax s ih s t ax n t", "voice": "v oy s",
        ]
        return entries.mapValues(parse)
    }()

    private static func parse(_ notation: String) -> [SpeechSound] {
        notation.split(separator: " ").compactMap { symbol -> SpeechSound? in
            switch symbol {
            case "iy": .monophthong(.iy)
            case "ih": .monophthong(.ih)
            case "eh": .monophthong(.eh)
            case "ae": .monophthong(.ae)
            case "aa": .monophthong(.aa)
            case "ao": .monophthong(.ao)
            case "oh": .monophthong(.oh)
            case "uh": .monophthong(.uh)
            case "uw": .monophthong(.uw)
            case "ah": .monophthong(.ah)
            case "er": .monophthong(.er)
            case "ax": .monophthong(.ax)
            case "ay": .ay
            case "ey": .ey
            case "ow": .ow
            case "aw": .aw
            case "oy": .oy
            default: consonants[String(symbol)].map(SpeechSound.consonant)
            }
        }
    }

    private static let consonants: [String: ConsonantSound] = [
        "s": .s, "z": .z, "sh": .sh, "zh": .zh, "f": .f, "v": .v, "th": .th, "dh": .dh, "h": .h,
        "p": .p, "b": .b, "t": .t, "d": .d, "k": .k, "g": .g, "ch": .ch, "jh": .jh,
        "m": .m, "n": .n, "ng": .ng, "l": .l, "r": .r, "w": .w, "y": .y,
    ]
}

/// Applies the spelling rules to one lower-case ASCII word, left to right.
private struct RuleReader {
    private let letters: [Character]
    private var index = 0
    private var sounds: [SpeechSound] = []
    /// Index of the vowel lengthened by a silent final "e" ("make", "time", "home").
    private let magicVowel: Int?
    private let endsInSilentE: Bool

    init(_ word: String) {
        letters = Array(word)
        let count = letters.count
        let vowelLetters: Set<Character> = ["a", "e", "i", "o", "u"]
        if count >= 3, letters[count - 1] == "e", !vowelLetters.contains(letters[count - 2]),
           letters[..<(count - 2)].contains(where: { vowelLetters.contains($0) || $0 == "y" }) {
            endsInSilentE = true
            let candidate = count - 3
            let single = vowelLetters.contains(letters[candidate]) && (candidate == 0 || !vowelLetters.contains(letters[candidate - 1]))
            magicVowel = single ? candidate : nil
        } else {
            endsInSilentE = false
            magicVowel = nil
        }
    }

    mutating func read() -> [SpeechSound] {
        let end = endsInSilentE ? letters.count - 1 : letters.count
        while index < end {
            if isVowel(at: index) { readVowel(end: end) } else { readConsonant(end: end) }
        }
        return sounds
    }

    private func letter(_ offset: Int) -> Character? {
        let position = index + offset
        return position >= 0 && position < letters.count ? letters[position] : nil
    }

    private func isVowel(at position: Int) -> Bool {
        guard position >= 0, position < letters.count else { return false }
        switch letters[position] {
        case "a", "e", "i", "o", "u": return true
        case "y": return position > 0 && !isVowel(at: position - 1)
        default: return false
        }
    }

    private func matches(_ text: String) -> Bool {
        for (offset, character) in text.enumerated() where letter(offset) != character {
            return false
        }
        return true
    }

    private mutating func emit(_ sound: SpeechSound, advance: Int) {
        sounds.append(sound)
        index += advance
    }

    private mutating func readVowel(end: Int) {
        let current = letters[index]
        let next = letter(1)
        let afterNext = letter(2)
        let atWordEnd = index + 1 >= end
        // An "r" closing the syllable colours the vowel ("car", "her", "for").
        let rColoured = next == "r" && !isVowel(at: index + 2)

        switch (current, next) {
        case ("i", "g") where afterNext == "h": emit(.ay, advance: 3)  // "night"
        case ("e", "e"), ("e", "a"), ("i", "e"): emit(.monophthong(.iy), advance: 2)
        case ("a", "i"), ("a", "y"), ("e", "i"), ("e", "y"): emit(.ey, advance: 2)
        case ("o", "a"), ("o", "e"): emit(.ow, advance: 2)
        case ("o", "o"): emit(.monophthong(.uw), advance: 2)
        case ("o", "u"): emit(.aw, advance: 2)
        case ("o", "w"): emit(index + 2 >= end ? .ow : .aw, advance: 2)  // "show" / "town"
        case ("o", "i"), ("o", "y"): emit(.oy, advance: 2)
        case ("a", "u"), ("a", "w"): emit(.monophthong(.ao), advance: 2)
        case ("u", "e"), ("e", "w"), ("u", "i"): emit(.monophthong(.uw), advance: 2)
        case ("e", "r") where rColoured, ("i", "r") where rColoured, ("u", "r") where rColoured:
            emit(.monophthong(.er), advance: 2)
        case ("a", "r") where rColoured:
            emit(.monophthong(.aa), advance: 1)
        case ("o", "r") where rColoured:
            emit(.monophthong(.ao), advance: 1)
        default:
            let long = index == magicVowel
            switch current {
            case "a": emit(long ? .ey : .monophthong(.ae), advance: 1)
            case "e": emit(long || (atWordEnd && letters.count <= 3) ? .monophthong(.iy) : .monophthong(.eh), advance: 1)
            case "i": emit(long ? .ay : .monophthong(.ih), advance: 1)
            case "o": emit(long || atWordEnd ? .ow : .monophthong(.aa), advance: 1)
            case "u": emit(long ? .monophthong(.uw) : .monophthong(.ah), advance: 1)
            default:  // "y" acting as a vowel
                let onlyVowel = !letters[..<index].contains(where: { "aeiou".contains($0) })
                if atWordEnd { emit(onlyVowel ? .ay : .monophthong(.iy), advance: 1) } else { emit(.monophthong(.ih), advance: 1) }
            }
        }
    }

    private mutating func readConsonant(end: Int) {
        let current = letters[index]
        let next = letter(1)
        let frontVowelFollows = next == "e" || next == "i" || next == "y"

        if matches("tion") { sounds += [.consonant(.sh), .monophthong(.ax), .consonant(.n)]; index += 4; return }
        if matches("sion") { sounds += [.consonant(.zh), .monophthong(.ax), .consonant(.n)]; index += 4; return }
        if matches("tch") { emit(.consonant(.ch), advance: 3); return }
        if index == 0, matches("kn") || matches("gn") || matches("wr") {
            index += 1  // silent first letter
            return
        }
        switch (current, next) {
        case ("s", "h"): emit(.consonant(.sh), advance: 2)
        case ("c", "h"): emit(.consonant(.ch), advance: 2)
        case ("t", "h"): emit(.consonant(.th), advance: 2)
        case ("p", "h"): emit(.consonant(.f), advance: 2)
        case ("c", "k"): emit(.consonant(.k), advance: 2)
        case ("w", "h"): emit(.consonant(.w), advance: 2)
        case ("n", "g"): emit(.consonant(.ng), advance: 2)
        case ("n", "k"): emit(.consonant(.ng), advance: 1)
        case ("g", "h"): index += 2  // silent: "though", "light"
        case ("q", "u"): sounds += [.consonant(.k), .consonant(.w)]; index += 2
        case ("d", "g"): emit(.consonant(.jh), advance: 2)
        default:
            if let next, next == current {  // doubled letters are one sound
                index += 1
                return
            }
            switch current {
            case "x": sounds += [.consonant(.k), .consonant(.s)]; index += 1
            case "c": emit(.consonant(frontVowelFollows ? .s : .k), advance: 1)
            case "g": emit(.consonant(frontVowelFollows && index + 2 >= letters.count ? .jh : .g), advance: 1)
            case "s":
                // Voiced between vowels and after a voiced sound at the end of a word ("rose", "dogs").
                let betweenVowels = isVowel(at: index - 1) && isVowel(at: index + 1)
                let finalAfterVoiced = index + 1 >= end && index > 0 && voicedBefore()
                emit(.consonant(betweenVowels || finalAfterVoiced ? .z : .s), advance: 1)
            default: emit(Self.single[current].map(SpeechSound.consonant) ?? .monophthong(.ax), advance: 1)
            }
        }
    }

    private func voicedBefore() -> Bool {
        guard let last = sounds.last else { return false }
        switch last {
        case .vowel: return true
        case .consonant(let consonant): return consonant.isVoiced
        }
    }

    private static let single: [Character: ConsonantSound] = [
        "b": .b, "d": .d, "f": .f, "h": .h, "j": .jh, "k": .k, "l": .l, "m": .m, "n": .n, "p": .p,
        "r": .r, "t": .t, "v": .v, "w": .w, "y": .y, "z": .z,
    ]
}
