/// Cuts a reply into sentences as the model writes it, so each can be checked and spoken while
/// the rest is still being generated.
///
/// A sentence ends at `.`, `!` or `?` (with any closing quotes or brackets) followed by
/// whitespace, or at a newline. A full stop does not end one after an abbreviation ("Dr.",
/// "e.g.", "U.S.", a single initial) nor inside a number ("3.5": no whitespace follows). A clause
/// that runs past `longClause` characters is cut at its next comma, and one past `hardLimit`
/// at its next space, so no piece keeps the listener waiting for its whole length to synthesise.
public struct SentenceSplitter: Sendable {
    /// Characters after which a comma ends the piece.
    public var longClause = 120
    /// Characters after which any space ends the piece.
    public var hardLimit = 300

    private var pending: [Character] = []

    /// Words whose full stop is not the end of a sentence (lower case, without the stop).
    static let abbreviations: Set<String> = [
        "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "approx", "mt", "ft", "inc", "ltd",
    ]
    static let terminators: Set<Character> = [".", "!", "?"]
    static let closers: Set<Character> = ["\"", "'", ")", "]", "\u{201D}", "\u{2019}"]

    public init() {}

    /// Adds text as it arrives; returns the sentences it completed (often none).
    public mutating func feed(_ text: some StringProtocol) -> [String] {
        pending.append(contentsOf: text)
        return cut(final: false)
    }

    /// The text is complete: returns whatever is left as the last sentence (or nothing).
    public mutating func finish() -> [String] {
        cut(final: true)
    }

    /// The sentences of a whole text.
    public static func split(_ text: String) -> [String] {
        var splitter = SentenceSplitter()
        return splitter.feed(text) + splitter.finish()
    }

    private mutating func cut(final: Bool) -> [String] {
        var sentences: [String] = []
        var start = 0, index = 0
        func emit(upTo end: Int) {
            let piece = String(pending[start..<end]).trimmingWhitespace
            // Punctuation alone ("...") has nothing to say.
            if piece.contains(where: { $0.isLetter || $0.isNumber }) { sentences.append(piece) }
            start = end
        }
        scan: while index < pending.count {
            let character = pending[index]
            if character.isNewline {
                emit(upTo: index + 1)
            } else if Self.terminators.contains(character) {
                var end = index + 1
                while end < pending.count, Self.terminators.contains(pending[end]) || Self.closers.contains(pending[end]) {
                    end += 1
                }
                // Undecided until the character after the stop arrives ("3." may become "3.5").
                guard end < pending.count else { break scan }
                if pending[end].isWhitespace, !(character == "." && endsAbbreviation(at: index)) {
                    emit(upTo: end)
                }
                index = end
                continue
            } else if character.isWhitespace, index - start >= hardLimit {
                emit(upTo: index)
            } else if character == ",", index - start >= longClause, index + 1 < pending.count,
                      pending[index + 1].isWhitespace {
                emit(upTo: index + 1)
            }
            index += 1
        }
        if final { emit(upTo: pending.count) }
        pending.removeFirst(start)
        return sentences
    }

    /// Whether the word before the full stop at `stop` is an abbreviation.
    private func endsAbbreviation(at stop: Int) -> Bool {
        var first = stop
        while first > 0, !pending[first - 1].isWhitespace { first -= 1 }
        let word = String(pending[first..<stop]).drop { !$0.isLetter && !$0.isNumber }
        guard !word.isEmpty else { return false }
        if word.contains(".") { return true }  // e.g. i.e. U.S.
        if word.count == 1, word.first?.isUppercase == true { return true }  // an initial: "J. Smith"
        return Self.abbreviations.contains(word.lowercased())
    }
}

extension String {
    var trimmingWhitespace: String {
        var characters = Substring(self)
        while characters.first?.isWhitespace == true { characters.removeFirst() }
        while characters.last?.isWhitespace == true { characters.removeLast() }
        return String(characters)
    }
}
