/// Words that are not said as written: abbreviations ("Dr.", "etc.", "e.g."), initialisms ("U.S.",
/// "GPU"), "OK", "w/" and "No. 5".
extension SpokenFormExpander {
    mutating func word(at index: Int) -> Int {
        // Cheap tests first: most words are none of these, and this runs for every word.
        let length = tokens[index].text.utf8.count
        if tokens[index].startsUppercase, length >= 3, let used = monthFirstDate(at: index) { return used }
        if length == 1, let used = dottedLetters(at: index) { return used }
        if length <= 6, let used = abbreviation(at: index) { return used }
        output.say(Self.reading(of: tokens[index].text))
        return 1
    }

    /// "e.g." -> "for example", "i.e." -> "that is", "O.K." -> "okay", "U.S.A." -> "u s a",
    /// "a.m." -> "a m".
    private mutating func dottedLetters(at index: Int) -> Int? {
        var letters: [String] = []
        var position = index
        var endsWithDot = false
        while let letter = token(position), letter.kind == .word, letter.text.count == 1,
              position == index || !letter.spaceBefore {
            letters.append(letter.text)
            position += 1
            endsWithDot = isSymbol(position, ".")
            guard endsWithDot else { break }
            position += 1
        }
        guard letters.count >= 2 else { return nil }
        let joined = letters.joined().lowercased()
        let capital = letters[0].first?.isUppercase == true
        switch joined {
        case "eg": output.say(capital ? "For example" : "for example")
        case "ie": output.say(capital ? "That is" : "that is")
        case "ok": output.say(capital ? "Okay" : "okay")
        default:
            output.say(letters.map { $0.lowercased() }.joined(separator: " "))
            if endsWithDot, endsSentence(before: position) { output.punctuate(".") }
        }
        return position - index
    }

    /// Titles before names, street words after them, and Latin shorthands.
    private mutating func abbreviation(at index: Int) -> Int? {
        let text = tokens[index].text
        let dotted = isSymbol(index + 1, ".")
        let after = dotted ? index + 2 : index + 1
        let beforeName = token(after).map { $0.spaceBefore && $0.kind == .word && $0.startsUppercase } ?? false
        let undotted = ["vs", "etc", "approx", "Vs", "Etc", "Approx"].contains(text)
        guard dotted || beforeName || undotted || isSymbol(index + 1, "/") else { return nil }
        let lower = text.lowercased()
        let afterName = token(index - 1).map { $0.kind == .word && $0.startsUppercase } ?? false

        func say(_ expansion: String, canEndSentence: Bool) -> Int {
            output.say(text.first?.isUppercase == true ? expansion.prefix(1).uppercased() + expansion.dropFirst() : expansion)
            if canEndSentence, dotted, endsSentence(before: after) { output.punctuate(".") }
            return after - index
        }

        // "Main St." / "Elm Dr." after a name and before the end of a clause; "St. Louis" / "Dr. Smith".
        if lower == "st" || lower == "dr", text.first?.isUppercase == true, dotted || beforeName {
            let clauseEnds = token(after).map { $0.kind == .symbol && ",;:!?)".contains($0.character) } ?? true
            let place = afterName && !beforeName && (dotted || clauseEnds)
            if lower == "st" { return place ? say("street", canEndSentence: true) : say("saint", canEndSentence: false) }
            return place ? say("drive", canEndSentence: true) : say("doctor", canEndSentence: false)
        }
        if let title = SpokenVocabulary.titles[lower], dotted || (beforeName && text.first?.isUppercase == true) {
            return say(title, canEndSentence: false)
        }
        if lower == "no", dotted, token(after)?.kind == .number {
            return say("number", canEndSentence: false)
        }
        if lower == "w", isSymbol(index + 1, "/") {
            if let o = attached(index + 2, .word), o.text.lowercased() == "o" {
                output.say(text == "W" ? "Without" : "without")
                return 3
            }
            return say("with", canEndSentence: false) + 1
        }
        if let expansion = SpokenVocabulary.abbreviations[lower],
           dotted || SpokenVocabulary.undottedAbbreviations.contains(lower) {
            return say(expansion, canEndSentence: true)
        }
        return nil
    }

    /// An ordinary word, or "OK" and all-capital initialisms read letter by letter: "GPU" -> "g p u",
    /// "GPUs" -> "g p u's". Why lower-case letters: the spelled form must not look like an acronym
    /// again, so expanding twice changes nothing.
    static func reading(of word: String) -> String {
        let length = word.utf8.count
        guard length >= 2, length <= 6 else { return word }
        // Lower-case words other than "ok" are never spelled.
        if let first = word.utf8.first, first >= 97, first <= 122, first != 111 { return word }
        if length == 2, word.lowercased() == "ok" { return word.first?.isUppercase == true ? "Okay" : "okay" }
        let isCapital = { (scalar: Unicode.Scalar) in scalar.value >= 65 && scalar.value <= 90 }
        if word.unicodeScalars.allSatisfy(isCapital) {
            guard length <= 5, !SpokenVocabulary.readAsWords.contains(word) else { return word }
            return spelled(word)
        }
        let stem = word.dropLast()
        if length >= 3, word.last == "s", stem.unicodeScalars.allSatisfy(isCapital),
           !SpokenVocabulary.readAsWords.contains(String(stem)) {
            return spelled(stem) + "'s"
        }
        return word
    }

    private static func spelled(_ letters: some StringProtocol) -> String {
        letters.lowercased().map(String.init).joined(separator: " ")
    }
}
