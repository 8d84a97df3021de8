/// One piece of written text as `SpokenForm` sees it: a run of letters (with apostrophes inside it),
/// a run of ASCII digits, a single other character, or a whole e-mail or web address. Addresses are
/// recognised up front because their dots, hyphens and digits would otherwise read as sentence ends,
/// ranges and quantities.
struct SpokenToken: Sendable {
    enum Kind: Sendable { case word, number, symbol, email, web }

    let kind: Kind
    let text: String
    /// Whitespace (or the start of the text, or a silent symbol) came before it. "5 km" and "5km"
    /// read the same, but "-5" and "a - b" do not, and "555-867-5309" is a phone number only when
    /// nothing separates it.
    let spaceBefore: Bool

    var character: Character { text.first ?? " " }

    /// Capitalised, as names, months and sentence starts are. ASCII first: cheap on every word.
    var startsUppercase: Bool {
        guard let byte = text.utf8.first else { return false }
        if byte < 128 { return byte >= 65 && byte <= 90 }
        return text.first?.isUppercase ?? false
    }
}

/// Splits text into `SpokenToken`s. Why by hand, over Unicode scalars: one linear scan, no regular
/// expressions, and ASCII classified by a table, since Unicode property look-ups on every
/// character would cost more than everything else the expander does.
enum SpokenTokenizer {
    /// Characters some rule reads or that phrase speech; every other symbol (quotes, brackets,
    /// asterisks, emoji) is silent and splits like a space. Why not keep those as tokens: a dropped
    /// symbol must not change what its neighbours mean ("*Dr* Smith", "[5 km]").
    private static let meaningfulSymbols: Set<Unicode.Scalar> = [
        ".", ",", "?", "!", ";", ":", "-", "\u{2212}", "\u{2010}", "\u{2013}", "\u{2014}", "\u{2026}",
        "$", "\u{20AC}", "\u{00A3}", "\u{00A5}", "\u{20B9}", "\u{00A2}", "%", "\u{00B0}", "\u{00BA}",
        "\u{2103}", "\u{2109}", "&", "+", "=", "@", "\u{00D7}", "\u{00F7}", "\u{00B1}", "\u{00BD}",
        "\u{00BC}", "\u{00BE}", "~", "\u{2248}", "#", "/", "(", ")", "'", "\u{2019}", "\u{00B2}", "\u{00B3}",
    ]

    enum ScalarClass { case separator, silent, letter, digit, symbol }

    private static let asciiClasses: [ScalarClass] = (0..<128).map { code in
        let scalar = Unicode.Scalar(UInt8(code))
        if code < 33 || code == 127 { return .separator }
        if (48...57).contains(code) { return .digit }
        if (65...90).contains(code) || (97...122).contains(code) { return .letter }
        return meaningfulSymbols.contains(scalar) ? .symbol : .silent
    }

    /// Whitespace and control characters separate: a stray NUL or escape must not glue or split
    /// words differently than a space would. Combining marks belong to the letters they follow.
    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        if scalar.value < 128 { return asciiClasses[Int(scalar.value)] }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return .letter
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control:
            return .separator
        default:
            return meaningfulSymbols.contains(scalar) ? .symbol : .silent
        }
    }

    static func isDigit(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii >= 48 && ascii <= 57
    }

    static func tokens(of text: String) -> [SpokenToken] {
        var scan = Scan(text)
        var index = 0
        while index < scan.scalars.count {
            if scan.classes[index] == .separator {
                index += 1
                continue
            }
            var end = index
            while end < scan.scalars.count, scan.classes[end] != .separator { end += 1 }
            scan.chunk(index..<end)
            index = end
        }
        return scan.tokens
    }

    /// Wrapping punctuation that may surround an address in running text: "(jane@example.com)." .
    /// A switch, not a set: it is asked at both ends of every whitespace-separated run.
    fileprivate static func isLeadingWrapper(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "(", "[", "{", "<", "\"", "'", "\u{201C}", "\u{2018}": true
        default: false
        }
    }

    fileprivate static func isTrailingWrapper(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", ",", ";", ":", "!", "?", ")", "]", "}", ">", "\"", "'", "\u{201D}", "\u{2019}": true
        default: false
        }
    }
}

/// The text being split: its scalars, their classes, and where each starts in the UTF-8 bytes, so a
/// token's text is one copy of its bytes rather than scalars appended one by one.
private struct Scan {
    let scalars: [Unicode.Scalar]
    let classes: [SpokenTokenizer.ScalarClass]
    private let bytes: [UInt8]
    /// Byte offset of each scalar, and one past the last.
    private let offsets: [Int]
    var tokens: [SpokenToken] = []

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        classes = scalars.map(SpokenTokenizer.classify)
        bytes = Array(text.utf8)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        self.offsets = offsets
        tokens.reserveCapacity(scalars.count / 3 + 1)
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[offsets[range.lowerBound]..<offsets[range.upperBound]], as: UTF8.self)
    }

    /// One whitespace-free run: an address in its middle becomes one token, the rest splits finely.
    mutating func chunk(_ range: Range<Int>) {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, SpokenTokenizer.isLeadingWrapper(scalars[start]) { start += 1 }
        while end > start, SpokenTokenizer.isTrailingWrapper(scalars[end - 1]) { end -= 1 }
        if end - start >= 4, mayBeAddress(start..<end) {
            let core = string(start..<end)
            if let kind = SpokenAddress.kind(of: core) {
                split(range.lowerBound..<start, spaced: true)
                tokens.append(SpokenToken(kind: kind, text: core, spaceBefore: start == range.lowerBound))
                split(end..<range.upperBound, spaced: false)
                return
            }
        }
        split(range, spaced: true)
    }

    /// A cheap first look: every address has a dot followed by two letters ("example.com") or a
    /// scheme ("http://localhost"); "p.m", "e.g" and "1,234.50" do not, and skip the full check.
    private func mayBeAddress(_ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        while index + 2 < range.upperBound {
            if scalars[index] == ".", classes[index + 1] == .letter, classes[index + 2] == .letter { return true }
            if scalars[index] == ":", scalars[index + 1] == "/", scalars[index + 2] == "/" { return true }
            index += 1
        }
        return false
    }

    private mutating func split(_ range: Range<Int>, spaced: Bool) {
        var index = range.lowerBound
        var spaceBefore = spaced
        while index < range.upperBound {
            var next = index + 1
            let kind: SpokenToken.Kind
            var text: String
            switch classes[index] {
            case .digit:
                while next < range.upperBound, classes[next] == .digit { next += 1 }
                kind = .number
                text = string(index..<next)
            case .letter:
                var curlyApostrophe = false
                while next < range.upperBound {
                    if classes[next] == .letter {
                        next += 1
                    } else if scalars[next] == "'" || scalars[next] == "\u{2019}", next + 1 < range.upperBound,
                              classes[next + 1] == .letter {
                        curlyApostrophe = curlyApostrophe || scalars[next] != "'"
                        next += 2
                    } else {
                        break
                    }
                }
                kind = .word
                text = string(index..<next)
                if curlyApostrophe { text = text.replacingApostrophes() }
            case .symbol:
                kind = .symbol
                text = string(index..<next)
            case .silent, .separator:
                spaceBefore = true
                index = next
                continue
            }
            tokens.append(SpokenToken(kind: kind, text: text, spaceBefore: spaceBefore))
            spaceBefore = false
            index = next
        }
    }
}

private extension String {
    /// "what’s" -> "what's": one apostrophe for the synthesizer and the dictionary.
    func replacingApostrophes() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{2019}" ? "'" : $0 }))
    }
}
