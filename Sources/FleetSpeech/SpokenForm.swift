/// Text as a person would say it, and the words a listener would write down.
///
/// Why one place: the synthesizer must *say* "2026" as "twenty twenty-six", the recognizer's language
/// model must *expect* those words, and a word error rate must compare a transcript with what was
/// meant in those same words. If each side normalised on its own, "5:30" spoken as "five thirty"
/// and scored against "5:30" would count as two errors that nobody made.
///
/// `expand` is a single left-to-right pass over tokens (letters, digits, single symbols, and whole
/// e-mail/web addresses) with a few tokens of look-ahead, no regular expressions: linear in the
/// text, a couple of microseconds per word.
public enum SpokenForm {
    /// Text as a person would say it, ready for a synthesizer: numbers, times, dates, money, percentages,
    /// units, ordinals, phone/card/ID digit groups, e-mail addresses and common abbreviations spelled out
    /// in words. Sentence punctuation (. , ? ! ; :) is kept so the synthesizer still phrases; symbols it
    /// cannot say are dropped or spoken ("&" -> "and", "+" -> "plus", "@" in an address -> "at").
    ///
    /// Ordinary words keep their case; whitespace is collapsed to single spaces. Expanding an
    /// expanded text changes nothing.
    public static func expand(_ text: String) -> String {
        var expander = SpokenFormExpander(text)
        return expander.expand()
    }

    /// The words a listener would write down: `expand`, then lower-cased, punctuation removed, hyphens
    /// splitting words ("twenty-six" -> "twenty", "six"), apostrophes inside words kept ("what's",
    /// "o'clock"). This is what both sides of a word error rate are compared in, and what a language
    /// model is built from.
    public static func words(_ text: String) -> [String] {
        let scalars = Array(expand(text).unicodeScalars)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            let kind = SpokenTokenizer.classify(scalar)
            return kind == .letter || kind == .digit
        }
        for (index, scalar) in scalars.enumerated() {
            if isWordScalar(scalar) {
                current.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}", !current.isEmpty, index + 1 < scalars.count,
                      isWordScalar(scalars[index + 1]) {
                current.append("'")
            } else if !current.isEmpty {
                words.append(String(current).lowercased())
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current).lowercased()) }
        return words
    }
}
