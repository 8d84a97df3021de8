import FleetContracts

/// Finds the wake phrase in a transcript the way the original did: RapidFuzz's `partial_ratio`
/// (the best similarity of the shorter string against any equally long window of the longer one)
/// over lower-cased text with punctuation removed, accepted at a score of 90 or more.
///
/// One deliberate difference: only the opening words of the transcript are searched. The
/// original searched everywhere, so "I left my atlas at home" woke the assistant; a wake phrase
/// is how an utterance starts, give or take a filler word ("um, hey Atlas").
public struct WakePhraseMatcher: Sendable {
    public struct Match: Sendable, Equatable {
        /// The configured phrase that matched, as configured.
        public let phrase: String
        /// The partial_ratio score, 0...100.
        public let score: Double
        /// The transcript after the wake phrase, trimmed of the punctuation that followed it.
        public let remainder: String
    }

    /// The original's phrases, shared with stt so its language model expects them.
    public static let defaultPhrases = FleetPhrases.wakePhrases

    public let phrases: [String]
    public let threshold: Double
    /// How many leading words of the transcript may hold the wake phrase.
    public let searchWords: Int

    public init(phrases: [String] = WakePhraseMatcher.defaultPhrases, threshold: Double = 90, searchWords: Int = 3) {
        self.phrases = phrases.filter { !Self.normalize($0).text.isEmpty }
        self.threshold = threshold
        self.searchWords = searchWords
    }

    /// The best-scoring wake phrase at or above the threshold, or nil. On equal scores the longer
    /// phrase wins, so "hey atlas, ..." strips both words rather than leaving "hey".
    public func match(_ transcript: String) -> Match? {
        let normalized = Self.normalize(transcript)
        let searchEnd = Self.endOfWord(searchWords, in: normalized.text)
        let opening = Array(normalized.text[0..<searchEnd])
        var best: (phrase: String, score: Double, end: Int)?
        for phrase in phrases {
            let needle = Self.normalize(phrase).text
            // partial_ratio slides the shorter string over the longer; a transcript shorter than
            // the phrase is matched whole.
            let window = needle.count <= opening.count ? Self.bestWindow(needle, in: opening)
                : (score: Self.bestWindow(opening, in: needle).score, end: opening.count)
            guard window.score >= threshold else { continue }
            if let current = best, current.score > window.score
                || (current.score == window.score && current.phrase.count >= phrase.count) {
                continue
            }
            best = (phrase, window.score, window.end)
        }
        guard let best else { return nil }
        return Match(phrase: best.phrase, score: best.score,
                     remainder: Self.remainder(of: transcript, after: best.end, normalized: normalized))
    }

    /// RapidFuzz `partial_ratio`: 0...100.
    public static func partialRatio(_ first: String, _ second: String) -> Double {
        let a = normalize(first).text, b = normalize(second).text
        return a.count <= b.count ? bestWindow(a, in: b).score : bestWindow(b, in: a).score
    }

    /// RapidFuzz `ratio`: 100 * (1 - indel distance / total length), where the indel distance is
    /// the Levenshtein distance with substitutions costing 2 (a deletion plus an insertion).
    public static func ratio(_ first: [Character], _ second: [Character]) -> Double {
        let total = first.count + second.count
        guard total > 0 else { return 100 }
        let distance = total - 2 * longestCommonSubsequence(first, second)
        return 100 * (1 - Double(distance) / Double(total))
    }

    // MARK: Internals

    /// The best `ratio` of `needle` against every window of `haystack` as long as the needle,
    /// plus the shorter windows at either edge (as RapidFuzz does), and where that window ends.
    /// The needle must not be longer than the haystack.
    static func bestWindow(_ needle: [Character], in haystack: [Character]) -> (score: Double, end: Int) {
        let length = needle.count
        guard length > 0, !haystack.isEmpty else { return (needle.isEmpty && haystack.isEmpty ? 100 : 0, 0) }
        precondition(length <= haystack.count, "bestWindow slides the shorter string over the longer")
        var windows: [Range<Int>] = []
        for end in 1..<length { windows.append(0..<end) }
        for start in 0...(haystack.count - length) { windows.append(start..<(start + length)) }
        for start in (haystack.count - length + 1)..<haystack.count { windows.append(start..<haystack.count) }
        var best: (score: Double, end: Int) = (0, 0)
        for window in windows {
            let score = ratio(needle, Array(haystack[window]))
            if score > best.score { best = (score, window.upperBound) }
            if score == 100 { break }
        }
        return best
    }

    static func longestCommonSubsequence(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Lower-cased letters and digits, every run of anything else collapsed to one space, with the
    /// index in the original string of each kept character (to cut the original text later).
    struct Normalized {
        var text: [Character] = []
        var sourceIndex: [String.Index] = []
    }

    static func normalize(_ text: String) -> Normalized {
        var result = Normalized()
        var pendingSpace = false
        for index in text.indices {
            let character = text[index]
            // Apostrophes vanish rather than split words: "what's" stays one word.
            if character == "'" || character == "\u{2019}" { continue }
            if character.isLetter || character.isNumber {
                if pendingSpace, !result.text.isEmpty {
                    result.text.append(" ")
                    result.sourceIndex.append(index)
                }
                pendingSpace = false
                for lower in character.lowercased() {
                    result.text.append(lower)
                    result.sourceIndex.append(index)
                }
            } else {
                pendingSpace = true
            }
        }
        return result
    }

    /// The index just past the `count`-th word of normalised text.
    static func endOfWord(_ count: Int, in text: [Character]) -> Int {
        var words = 0
        for (offset, character) in text.enumerated() where character == " " {
            words += 1
            if words == count { return offset }
        }
        return text.count
    }

    /// The original transcript after normalised position `end`, continued to the end of the word
    /// it falls in (a fuzzy window can stop mid-word) and without the punctuation that followed.
    static func remainder(of transcript: String, after end: Int, normalized: Normalized) -> String {
        var cut = end
        while cut < normalized.text.count, normalized.text[cut] != " " { cut += 1 }
        guard cut < normalized.text.count else { return "" }
        let rest = transcript[normalized.sourceIndex[cut]...]
        return String(rest.drop { !($0.isLetter || $0.isNumber) })
    }
}
