/// Numbers in American English words: cardinals, ordinals, years, decimals, digit-by-digit readings.
///
/// Why these limits: a cardinal reads to 999 trillion when written with thousands separators, and
/// to 999 billion when bare; longer bare digit strings are identifiers (accounts, order numbers)
/// that people read digit by digit, and reading them so never overflows.
enum NumberWords {
    static let ones = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    /// Most digits a bare number may have and still read as a cardinal (below a trillion).
    static let bareCardinalDigits = 12
    /// Most digits a comma-grouped number may have and still read as a cardinal.
    static let groupedCardinalDigits = 15

    private static let scales: [(size: UInt64, name: String)] = [
        (1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"),
    ]

    /// 1234 -> "one thousand two hundred thirty-four" (no "and": American usage).
    static func cardinal(_ value: UInt64) -> String {
        if value == 0 { return "zero" }
        var parts: [String] = []
        var rest = value
        for scale in scales where rest >= scale.size {
            parts.append(belowThousand(Int(rest / scale.size)) + " " + scale.name)
            rest %= scale.size
        }
        if rest > 0 { parts.append(belowThousand(Int(rest))) }
        return parts.joined(separator: " ")
    }

    static func belowHundred(_ value: Int) -> String {
        if value < 20 { return ones[value] }
        let unit = value % 10
        return tens[value / 10] + (unit == 0 ? "" : "-" + ones[unit])
    }

    private static func belowThousand(_ value: Int) -> String {
        let hundreds = value / 100
        let rest = value % 100
        if hundreds == 0 { return belowHundred(rest) }
        return ones[hundreds] + " hundred" + (rest == 0 ? "" : " " + belowHundred(rest))
    }

    /// 2026 -> "twenty twenty-six", 1905 -> "nineteen oh five", 1900 -> "nineteen hundred",
    /// 2005 -> "two thousand five": how years are said, not counted.
    static func year(_ value: UInt64) -> String {
        if value >= 2000, value < 2010 { return cardinal(value) }
        let century = Int(value / 100)
        let rest = Int(value % 100)
        if rest == 0 { return belowHundred(century) + " hundred" }
        if rest < 10 { return belowHundred(century) + " oh " + ones[rest] }
        return belowHundred(century) + " " + belowHundred(rest)
    }

    /// "5309" -> "five three oh nine" with `zero: "oh"`.
    static func digits(_ digits: some StringProtocol, zero: String) -> String {
        var words: [String] = []
        words.reserveCapacity(digits.count)
        for character in digits {
            guard let ascii = character.asciiValue, ascii >= 48, ascii <= 57 else { continue }
            words.append(ascii == 48 ? zero : ones[Int(ascii - 48)])
        }
        return words.joined(separator: " ")
    }

    /// "twenty-one" -> "twenty-first", "one hundred" -> "one hundredth".
    static func ordinal(ofCardinal spoken: String) -> String {
        let cut = spoken.lastIndex(where: { $0 == " " || $0 == "-" })
        let head = cut.map { String(spoken[...$0]) } ?? ""
        let last = cut.map { String(spoken[spoken.index(after: $0)...]) } ?? spoken
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth",
                         "eight": "eighth", "nine": "ninth", "twelve": "twelfth"]
        if let word = irregular[last] { return head + word }
        if last.hasSuffix("y") { return head + last.dropLast() + "ieth" }
        return head + last + "th"
    }

    /// "nineteen ninety" -> "nineteen nineties": decades ("the 1990s", "the 90s").
    static func plural(ofSpoken spoken: String) -> String {
        if spoken.hasSuffix("y") { return spoken.dropLast() + "ies" }
        if spoken.hasSuffix("x") || spoken.hasSuffix("s") { return spoken + "es" }
        return spoken + "s"
    }

    static func ordinal(_ value: UInt64) -> String { ordinal(ofCardinal: cardinal(value)) }

    /// A two-digit year as said on its own: "26" -> "twenty-six", "05" -> "oh five".
    static func shortYear(_ value: Int) -> String {
        value < 10 ? "oh " + ones[value] : belowHundred(value)
    }
}

/// A number as written, possibly over several tokens: "1,234.5" is "1" "," "234" "." "5".
struct NumberLiteral {
    /// The integer digits without separators.
    var integer: String
    var fraction: String?
    var grouped: Bool
    /// How many tokens it spans.
    var tokenCount: Int

    /// The integer value when it fits a cardinal reading; nil for identifiers too long to count.
    var value: UInt64? {
        integer.count <= (grouped ? NumberWords.groupedCardinalDigits : NumberWords.bareCardinalDigits)
            ? UInt64(integer) : nil
    }

    /// Exactly one whole thing: "1 km" is "one kilometer", "1.0 km" and "1.5 km" are plural.
    var isOne: Bool { fraction == nil && value == 1 }

    var hasLeadingZero: Bool { !grouped && integer.count >= 2 && integer.first == "0" }

    /// Reads the longest number starting at `index` (a number token): thousands separators only in
    /// groups of three, a decimal part only when a single dot joins two digit runs.
    static func parse(_ tokens: [SpokenToken], at index: Int) -> NumberLiteral {
        func attached(_ position: Int, _ kind: SpokenToken.Kind) -> SpokenToken? {
            guard position < tokens.count, !tokens[position].spaceBefore, tokens[position].kind == kind else { return nil }
            return tokens[position]
        }
        func attachedSymbol(_ position: Int, _ symbol: String) -> Bool {
            attached(position, .symbol)?.text == symbol
        }
        var literal = NumberLiteral(integer: tokens[index].text, fraction: nil, grouped: false, tokenCount: 1)
        var next = index + 1
        if literal.integer.count <= 3 {
            while attachedSymbol(next, ","), let group = attached(next + 1, .number), group.text.count == 3 {
                literal.integer += group.text
                literal.grouped = true
                next += 2
            }
        }
        if attachedSymbol(next, "."), let fraction = attached(next + 1, .number),
           !(attachedSymbol(next + 2, ".") && attached(next + 3, .number) != nil) {
            literal.fraction = fraction.text
            next += 2
        }
        literal.tokenCount = next - index
        return literal
    }

    /// The plain reading: a cardinal (or a year, when `allowYear` and it looks like one), a decimal,
    /// or digits one by one for leading zeros ("007"), identifiers too long to count, and "911",
    /// which nobody says as a quantity.
    func spoken(allowYear: Bool) -> String {
        if fraction == nil, hasLeadingZero || integer == "911" { return NumberWords.digits(integer, zero: "oh") }
        let whole: String
        if let value {
            if allowYear, fraction == nil, !grouped, integer.count == 4, (1100...2099).contains(value) {
                return NumberWords.year(value)
            }
            whole = NumberWords.cardinal(value)
        } else {
            whole = NumberWords.digits(integer, zero: "zero")
        }
        guard let fraction else { return whole }
        return whole + " point " + NumberWords.digits(fraction, zero: "zero")
    }

    /// "21" -> "twenty-first"; digits as written when too long to count.
    var spokenOrdinal: String {
        guard let value else { return NumberWords.digits(integer, zero: "zero") }
        return NumberWords.ordinal(value)
    }
}
