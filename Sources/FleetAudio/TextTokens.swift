import Foundation

/// What the synthesizer reads out of text: words, and the pauses punctuation asks for.
enum TextToken: Sendable, Hashable {
    case word(String)
    case pause(PauseKind)
}

enum PauseKind: Sendable, Hashable {
    /// Comma, semicolon, colon, dash: a short pause with a "more to come" rise.
    case phraseBreak
    case statementEnd
    case questionEnd
    case exclamationEnd
}

extension LetterToSound {
    /// Splits text into words (lower-cased, accents folded, digits spelled out) and the pauses
    /// its punctuation implies.
    static func tokens(in text: String) -> [TextToken] {
        // Fold accents ("café" -> "cafe") so every letter maps to a rule.
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var tokens: [TextToken] = []
        var word = ""
        func endWord() {
            if !word.isEmpty { tokens.append(.word(word)) }
            word = ""
        }
        func pause(_ kind: PauseKind) {
            endWord()
            // Collapse runs like "?!" or ", -" into the strongest single pause.
            if case .pause(let previous) = tokens.last {
                if previous == .phraseBreak { tokens[tokens.count - 1] = .pause(kind) }
                return
            }
            if !tokens.isEmpty { tokens.append(.pause(kind)) }
        }
        for character in folded {
            switch character {
            case "a"..."z": word.append(character)
            case "0"..."9":
                endWord()
                if let digit = character.wholeNumberValue, digitNames.indices.contains(digit) {
                    tokens.append(.word(digitNames[digit]))
                }
            case "'", "’": continue  // "don't" reads as "dont"
            case ",", ";", ":", "—", "–": pause(.phraseBreak)
            case ".", "…": pause(.statementEnd)
            case "?": pause(.questionEnd)
            case "!": pause(.exclamationEnd)
            default: endWord()
            }
        }
        endWord()
        return tokens
    }

    private static let digitNames = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
}
