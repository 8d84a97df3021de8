/// A small deterministic tokenizer standing in for FLAN-T5's SentencePiece vocabulary, close
/// enough for usage counts, context limits and streaming granularity.
///
/// Text is cut into pieces that concatenate back to exactly the original: each word or number
/// carries the whitespace before it (" world", as BPE/SentencePiece pieces do), each punctuation
/// mark is a piece of its own (an apostrophe inside a word stays in it), and words longer than `maxPieceLetters` are split into chunks, the
/// way rare words break into sub-words. English prose comes out at about 1.3 pieces per word.
enum Tokenizer {
    /// Letters per piece before a word is split (common English words fit in one piece).
    static let maxPieceLetters = 6

    /// The pieces of `text`, in order; `pieces(text).joined() == text`.
    static func pieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var pendingSpace = ""
        var word = ""

        func flushWord() {
            guard !word.isEmpty else { return }
            var rest = Substring(word)
            var first = true
            while !rest.isEmpty {
                let chunk = rest.prefix(maxPieceLetters)
                pieces.append((first ? pendingSpace : "") + chunk)
                rest = rest.dropFirst(chunk.count)
                first = false
            }
            pendingSpace = ""
            word = ""
        }

        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            let insideWord = !word.isEmpty && (character == "'" || character == "’")
                && index + 1 < characters.count && characters[index + 1].isLetter
            if character.isLetter || character.isNumber || insideWord {
                // An apostrophe between letters stays in the word: "don't" is one piece, not three.
                word.append(character)
            } else if character.isWhitespace {
                flushWord()
                pendingSpace.append(character)
            } else {
                // Punctuation, symbols, emoji: a piece each, with any whitespace before it.
                flushWord()
                pieces.append(pendingSpace + String(character))
                pendingSpace = ""
            }
        }
        flushWord()
        if !pendingSpace.isEmpty {
            // Trailing whitespace joins the last piece, so nothing is lost.
            if pieces.isEmpty { pieces.append(pendingSpace) } else { pieces[pieces.count - 1] += pendingSpace }
        }
        return pieces
    }

    static func count(_ text: String) -> Int {
        pieces(text).count
    }

    /// Tokens a chat prompt takes: every message's content plus a few for its role and
    /// separators (OpenAI documents 3-4 per message), plus 3 to prime the reply.
    static func promptTokens(_ messages: [(role: String, content: String)]) -> Int {
        messages.reduce(3) { $0 + 4 + count($1.content) }
    }
}
