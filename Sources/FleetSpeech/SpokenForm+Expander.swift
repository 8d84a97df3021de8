/// The spoken text being assembled. Why its own type: spacing is decided here, once, so no rule has
/// to think about it: words get one space before them, sentence punctuation none, a hyphen joins.
struct SpokenOutput {
    private(set) var text = ""
    private var lastPunctuation: Character?
    private var joining = false

    mutating func say(_ words: String) {
        guard !words.isEmpty else { return }
        if !text.isEmpty, !joining { text.append(" ") }
        text += words
        lastPunctuation = nil
        joining = false
    }

    /// Keeps at most one mark between words, and never a pause before the first word: ", ," and
    /// ".," read as one pause anyway, and the comma a digit group ends on may meet the text's own.
    mutating func punctuate(_ mark: Character) {
        if mark == "," {
            if text.isEmpty || lastPunctuation != nil { return }
        } else if lastPunctuation == "," {
            text.removeLast()
        }
        text.append(mark)
        lastPunctuation = mark
        joining = false
    }

    /// A hyphen between two words that were written joined ("well-known").
    mutating func join() {
        guard !text.isEmpty, lastPunctuation == nil, !joining else { return }
        text.append("-")
        joining = true
    }
}

/// Walks the tokens once, left to right: the first rule that recognises a pattern at the current
/// token speaks it and says how many tokens it used; words no rule claims pass through unchanged,
/// symbols no rule claims are dropped (a synthesizer would spell or garble them).
struct SpokenFormExpander {
    let tokens: [SpokenToken]
    var output = SpokenOutput()

    init(_ text: String) {
        tokens = SpokenTokenizer.tokens(of: text)
    }

    mutating func expand() -> String {
        var index = 0
        while index < tokens.count {
            index += max(1, step(at: index))
        }
        return output.text
    }

    private mutating func step(at index: Int) -> Int {
        switch tokens[index].kind {
        case .email: output.say(SpokenAddress.spokenEmail(tokens[index].text)); return 1
        case .web: output.say(SpokenAddress.spokenWeb(tokens[index].text)); return 1
        case .number: return number(at: index)
        case .word: return word(at: index)
        case .symbol: return symbol(at: index)
        }
    }

    // MARK: Look-ahead helpers

    func token(_ index: Int) -> SpokenToken? {
        index >= 0 && index < tokens.count ? tokens[index] : nil
    }

    /// The token at `index` if it directly follows the previous one (no space) and is of `kind`.
    func attached(_ index: Int, _ kind: SpokenToken.Kind) -> SpokenToken? {
        guard let token = token(index), !token.spaceBefore, token.kind == kind else { return nil }
        return token
    }

    func isSymbol(_ index: Int, _ symbol: Character, attached mustAttach: Bool = true) -> Bool {
        guard let token = token(index), token.kind == .symbol, token.character == symbol else { return false }
        return !mustAttach || !token.spaceBefore
    }

    /// Whether the dot of an abbreviation at the end of `index - 1` also ends the sentence: at the
    /// end of the text, or before a capitalised word that usually starts one ("etc. The ...").
    /// Why a list: "Dr. Smith" and "U.S. Army" must not get a full stop in the middle.
    func endsSentence(before index: Int) -> Bool {
        guard let next = token(index) else { return true }
        return next.spaceBefore && next.kind == .word && SpokenVocabulary.sentenceStarters.contains(next.text)
    }

    // MARK: Symbols

    private static let currencySymbols: Set<Character> = ["$", "\u{20AC}", "\u{00A3}", "\u{00A5}", "\u{20B9}"]
    private static let dashes: Set<Character> = ["-", "\u{2212}", "\u{2010}", "\u{2013}", "\u{2014}"]
    private static let spokenSymbols: [Character: String] = [
        "&": "and", "+": "plus", "=": "equals", "%": "percent", "@": "at", "\u{00B0}": "degrees",
        "\u{00BA}": "degrees", "\u{00D7}": "times", "\u{00F7}": "divided by", "\u{00B1}": "plus or minus",
        "\u{00BD}": "one half", "\u{00BC}": "one quarter", "\u{00BE}": "three quarters",
    ]

    private mutating func symbol(at index: Int) -> Int {
        let character = tokens[index].character
        if Self.currencySymbols.contains(character) {
            return money(at: index, negative: false) ?? 1
        }
        if Self.dashes.contains(character) { return dash(at: index) }
        switch character {
        case "#":
            if attached(index + 1, .number) != nil { output.say("number") }
            return 1
        case ".":
            if tokens[index].spaceBefore, let fraction = attached(index + 1, .number) {
                output.say("point " + NumberWords.digits(fraction.text, zero: "zero"))
                return 2
            }
            // "Node.js", "index.html": a dot inside a name is said, not a full stop.
            if !tokens[index].spaceBefore, token(index - 1)?.kind == .word, attached(index + 1, .word) != nil {
                output.say("dot")
                return 1
            }
            output.punctuate(".")
            return 1
        case ",", "?", "!", ";", ":":
            output.punctuate(character)
            return 1
        case "\u{2026}":
            for _ in 0..<3 { output.punctuate(".") }
            return 1
        case "~", "\u{2248}":
            if token(index + 1)?.kind == .number { output.say("about") }
            return 1
        case "(":
            return phoneInParentheses(at: index) ?? 1
        default:
            if let spoken = Self.spokenSymbols[character] { output.say(spoken) }
            return 1
        }
    }

    /// A minus sign, a range, a hyphen inside a word, or a dash that is a pause.
    private mutating func dash(at index: Int) -> Int {
        let current = tokens[index]
        let previous = token(index - 1)
        let next = token(index + 1)
        let nextAttached = next.map { !$0.spaceBefore } ?? false
        let signLike = current.character == "-" || current.character == "\u{2212}"
        if signLike, nextAttached, current.spaceBefore || (previous?.kind == .symbol && previous?.character != ")") {
            if next?.kind == .number { return 1 + quantity(at: index + 1, negative: true) }
            if let next, Self.currencySymbols.contains(next.character), let money = money(at: index + 1, negative: true) {
                return 1 + money
            }
        }
        let between = { (token: SpokenToken?) in token?.kind == .number || token?.kind == .word }
        if !current.spaceBefore, nextAttached, previous?.kind == .number, next?.kind == .number {
            output.say("to")
            return 1
        }
        if current.character == "-" || current.character == "\u{2010}",
           !current.spaceBefore, nextAttached, between(previous), between(next) {
            output.join()
            return 1
        }
        if current.spaceBefore, next?.spaceBefore == true, previous?.kind == .number, next?.kind == .number {
            output.say("minus")
            return 1
        }
        var run = 1
        while isSymbol(index + run, "-") || isSymbol(index + run, "\u{2014}") { run += 1 }
        let spacedAlone = current.spaceBefore && !nextAttached
        if run > 1 || spacedAlone || current.character == "\u{2014}" || current.character == "\u{2013}" {
            output.punctuate(",")
        }
        return run
    }

    /// "(555) 867-5309": a US phone number with its area code in parentheses.
    private mutating func phoneInParentheses(at index: Int) -> Int? {
        guard let area = attached(index + 1, .number), area.text.count == 3, isSymbol(index + 2, ")"),
              let exchange = token(index + 3), exchange.kind == .number, exchange.text.count == 3,
              isSymbol(index + 4, "-") || isSymbol(index + 4, "."),
              let line = attached(index + 5, .number), line.text.count == 4 else { return nil }
        sayDigitGroups([area.text, exchange.text, line.text])
        return 6
    }

    /// Phone, card and ID numbers: each group digit by digit, a pause between groups.
    mutating func sayDigitGroups(_ groups: [String]) {
        output.say(groups.map { NumberWords.digits($0, zero: "oh") }.joined(separator: ", "))
    }
}
