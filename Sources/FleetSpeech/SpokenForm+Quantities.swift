/// Numbers and what follows them: ordinals, percentages, degrees, units, money, decades, and the
/// digit groups of phone, card and ID numbers.
extension SpokenFormExpander {
    /// Every reading that starts at a number token, most specific first.
    mutating func number(at index: Int) -> Int {
        if let used = time(at: index) { return used }
        if let used = spacedDigitGroups(at: index) { return used }
        if let used = separatedNumbers(at: index) { return used }
        if let used = dayFirstDate(at: index) { return used }
        if let used = mixedFraction(at: index) { return used }
        return quantity(at: index, negative: false)
    }

    /// A number with what may follow it: "21st", "50%", "20 °C", "5 km", "10 am", "20€", "1990s", "2x".
    /// Always consumes at least the number.
    mutating func quantity(at index: Int, negative: Bool) -> Int {
        let literal = NumberLiteral.parse(tokens, at: index)
        let next = index + literal.tokenCount
        let sign = negative ? "minus " : ""
        let cardinal = sign + literal.spoken(allowYear: false)

        if literal.fraction == nil, let suffix = attached(next, .word),
           ["st", "nd", "rd", "th"].contains(suffix.text.lowercased()) {
            output.say(sign + literal.spokenOrdinal)
            return next + 1 - index
        }
        if let used = decade(literal, at: next, negative: negative) { return next + used - index }
        if isSymbol(next, "%", attached: false) {
            output.say(cardinal + " percent")
            return next + 1 - index
        }
        if let used = degrees(at: next, amount: cardinal, isOne: literal.isOne) { return next + used - index }
        if !negative, literal.fraction == nil, let value = literal.value, (1...12).contains(value),
           let meridiem = meridiem(at: next) {
            output.say(literal.spoken(allowYear: false) + " " + meridiem.letters)
            if meridiem.endsWithDot, endsSentence(before: next + meridiem.used) { output.punctuate(".") }
            return next + meridiem.used - index
        }
        if let (unit, used) = unit(at: next) {
            let per = perSuffix(at: next + used)
            output.say(cardinal + " " + (literal.isOne ? unit.singular : unit.plural) + per.words)
            return next + used + per.used - index
        }
        if let currency = attached(next, .symbol).flatMap({ Currency.after[$0.character] }) {
            output.say(sign + moneyWords(literal, currency: currency, scale: nil))
            return next + 1 - index
        }
        if let times = attached(next, .word), times.text == "x" {
            output.say(cardinal + (attached(next + 1, .number) != nil ? " by" : " times"))
            return next + 1 - index
        }
        output.say(negative ? cardinal : literal.spoken(allowYear: true))
        return literal.tokenCount
    }

    /// "1990s" -> "nineteen nineties", "the 90s" -> "the nineties"; other "5s" are seconds.
    private mutating func decade(_ literal: NumberLiteral, at index: Int, negative: Bool) -> Int? {
        var used = 1
        if isSymbol(index, "'"), attached(index + 1, .word)?.text == "s" { used = 2 }
        guard used == 2 || attached(index, .word)?.text == "s", !negative, literal.fraction == nil,
              !literal.hasLeadingZero, let value = literal.value, value >= 10, value % 10 == 0 else { return nil }
        output.say(NumberWords.plural(ofSpoken: literal.spoken(allowYear: true)))
        return used
    }

    /// "°", "°C", "° F", "℃": degrees, Celsius or Fahrenheit.
    private mutating func degrees(at index: Int, amount: String, isOne: Bool) -> Int? {
        let degree = isOne ? "degree" : "degrees"
        guard let sign = token(index), sign.kind == .symbol else { return nil }
        switch sign.character {
        case "\u{2103}": output.say(amount + " " + degree + " celsius"); return 1
        case "\u{2109}": output.say(amount + " " + degree + " fahrenheit"); return 1
        case "\u{00B0}", "\u{00BA}":
            let scale = token(index + 1).flatMap { $0.kind == .word ? Self.temperatureScales[$0.text] : nil }
            output.say(amount + " " + degree + (scale.map { " " + $0 } ?? ""))
            return scale == nil ? 1 : 2
        default: return nil
        }
    }

    private static let temperatureScales = ["C": "celsius", "F": "fahrenheit", "K": "kelvin", "c": "celsius", "f": "fahrenheit"]

    /// A unit word after a number. "in" and "s" only when they cannot be the ordinary words
    /// ("5 in a row", "it's") : written against the number, or at the end of a clause.
    private func unit(at index: Int) -> (MeasurementUnit, Int)? {
        guard let word = token(index), word.kind == .word, var unit = MeasurementUnit.table[word.text] else { return nil }
        if unit.restricted {
            let clauseEnd = token(index + 1).map { $0.kind == .symbol && ".,;:!?)".contains($0.character) } ?? true
            guard !word.spaceBefore || clauseEnd else { return nil }
        }
        var used = 1
        if let power = attached(index + 1, .symbol), let prefix = ["\u{00B2}": "square ", "\u{00B3}": "cubic "][power.character] {
            unit = MeasurementUnit(singular: prefix + unit.singular, plural: prefix + unit.plural)
            used = 2
        }
        return (unit, used)
    }

    /// "/h" after a unit or an amount: "per hour".
    func perSuffix(at index: Int) -> (words: String, used: Int) {
        guard isSymbol(index, "/"), let word = attached(index + 1, .word) else { return ("", 0) }
        let singular = MeasurementUnit.table[word.text]?.singular ?? MeasurementUnit.perOnly[word.text] ?? word.text
        return (" per " + singular, 2)
    }

    /// "1 1/2" -> "one and one half".
    private mutating func mixedFraction(at index: Int) -> Int? {
        let whole = tokens[index]
        guard whole.text.count <= 3, let numerator = token(index + 1), numerator.kind == .number, numerator.spaceBefore,
              isSymbol(index + 2, "/"), let denominator = attached(index + 3, .number), !isSymbol(index + 4, "/"),
              let fraction = Self.fractionWords(numerator.text, denominator.text) else { return nil }
        output.say(NumberWords.cardinal(UInt64(whole.text) ?? 0) + " and " + fraction)
        return 4
    }

    /// "3/4" -> "three quarters": only small fractions below one, which no one would write as a date.
    static func fractionWords(_ numeratorText: String, _ denominatorText: String) -> String? {
        guard numeratorText.count <= 2, denominatorText.count <= 2,
              let numerator = UInt64(numeratorText), let denominator = UInt64(denominatorText),
              numerator >= 1, numerator < denominator, denominator <= 10 else { return nil }
        let plural = numerator > 1
        let part: String
        switch denominator {
        case 2: part = plural ? "halves" : "half"
        case 4: part = plural ? "quarters" : "quarter"
        default: part = NumberWords.ordinal(denominator) + (plural ? "s" : "")
        }
        return NumberWords.cardinal(numerator) + " " + part
    }

    // MARK: Money

    /// "$5.50", "€20", "-$3", "$1.5 million", "$5M", "$20/hr". Nil when no amount follows the symbol.
    mutating func money(at index: Int, negative: Bool) -> Int? {
        guard let currency = Currency.before[tokens[index].character], let amount = token(index + 1),
              amount.kind == .number else { return nil }
        let literal = NumberLiteral.parse(tokens, at: index + 1)
        var next = index + 1 + literal.tokenCount
        var scale: String?
        if let suffix = attached(next, .word), let word = Currency.scaleSuffixes[suffix.text] {
            scale = word
            next += 1
        } else if let word = token(next), word.kind == .word, word.spaceBefore,
                  Currency.scaleWords.contains(word.text.lowercased()) {
            scale = word.text.lowercased()
            next += 1
        }
        let per = perSuffix(at: next)
        output.say((negative ? "minus " : "") + moneyWords(literal, currency: currency, scale: scale) + per.words)
        return next + per.used - index
    }

    /// "five dollars and fifty cents", "ninety-nine cents", "one point five million dollars".
    func moneyWords(_ literal: NumberLiteral, currency: Currency, scale: String?) -> String {
        if let scale { return literal.spoken(allowYear: false) + " " + scale + " " + currency.plural }
        // Without a subunit, or with more decimals than cents, the amount reads as a decimal.
        guard let value = literal.value, let subunit = currency.subunit,
              literal.fraction.map({ $0.count <= 2 }) ?? true else {
            return literal.spoken(allowYear: false) + " " + (literal.isOne ? currency.singular : currency.plural)
        }
        let cents = literal.fraction.map { ($0.count == 1 ? 10 : 1) * (Int($0) ?? 0) } ?? 0
        let centWords = NumberWords.cardinal(UInt64(cents)) + " " + (cents == 1 ? subunit.singular : subunit.plural)
        if value == 0, cents > 0 { return centWords }
        let whole = NumberWords.cardinal(value) + " " + (value == 1 ? currency.singular : currency.plural)
        return cents > 0 ? whole + " and " + centWords : whole
    }

    // MARK: Digit groups

    /// "4111 1111 1111 1111" (three or more groups of four) and "555 867 5309", separated by spaces.
    private mutating func spacedDigitGroups(at index: Int) -> Int? {
        var groups: [String] = []
        var position = index
        while let group = token(position), group.kind == .number, position == index || group.spaceBefore {
            // A group must end at a space or at punctuation that does not carry the number on
            // ("1,234", "12.5", "1111th" are not digit groups).
            let follower = attached(position + 1, .symbol) ?? attached(position + 1, .word)
            if let follower, follower.kind == .word || attached(position + 2, .number) != nil { break }
            groups.append(group.text)
            position += 1
            if follower != nil { break }
        }
        let lengths = groups.map(\.count)
        if lengths.count >= 3, lengths.allSatisfy({ $0 == 4 }) {
            sayDigitGroups(groups)
            return groups.count
        }
        if lengths.starts(with: [3, 3, 4]) {
            sayDigitGroups(Array(groups.prefix(3)))
            return 3
        }
        return nil
    }

    /// Numbers joined by one kind of separator with no spaces: phone and ID numbers and ranges
    /// ("-"), dates and fractions ("/"), versions and IP addresses ("."), ratios (":").
    private mutating func separatedNumbers(at index: Int) -> Int? {
        guard let separatorToken = attached(index + 1, .symbol), attached(index + 2, .number) != nil else { return nil }
        let separator = separatorToken.character
        guard "-\u{2010}\u{2013}/.:".contains(separator) else { return nil }
        var groups = [tokens[index].text]
        var position = index + 1
        while isSymbol(position, separator), let group = attached(position + 1, .number) {
            groups.append(group.text)
            position += 2
        }
        let used = position - index
        switch separator {
        case "/": return slashed(groups, used: used)
        case ".": return dotted(groups, used: used)
        case ":":
            guard groups.count == 2 else { return nil }
            output.say(plain(groups[0]) + " to " + plain(groups[1]))
            return used
        default: return hyphenated(groups, used: used)
        }
    }

    private mutating func hyphenated(_ groups: [String], used: Int) -> Int? {
        let lengths = groups.map(\.count)
        if groups.count == 3, lengths == [4, 2, 2], let month = Int(groups[1]), let day = Int(groups[2]),
           sayDate(month: month, day: day, year: groups[0]) {
            return used
        }
        if groups.count >= 3 || lengths == [3, 4] {
            sayDigitGroups(groups)
            return used
        }
        // A range: "10-20" -> "ten to twenty"; the second number reads with whatever follows it.
        output.say(plain(groups[0]) + " to")
        return 2
    }

    private mutating func slashed(_ groups: [String], used: Int) -> Int? {
        if groups.count == 3, groups[2].count == 4 || groups[2].count == 2,
           let month = Int(groups[0]), let day = Int(groups[1]), groups[0].count <= 2, groups[1].count <= 2,
           sayDate(month: month, day: day, year: groups[2]) {
            return used
        }
        if groups.count == 2 {
            if let fraction = Self.fractionWords(groups[0], groups[1]) {
                output.say(fraction)
                return used
            }
            if groups[0].count <= 2, groups[1].count <= 2, let month = Int(groups[0]), let day = Int(groups[1]),
               sayDate(month: month, day: day, year: nil) {
                return used
            }
        }
        output.say(groups.map(plain).joined(separator: " "))
        return used
    }

    private mutating func dotted(_ groups: [String], used: Int) -> Int? {
        guard groups.count >= 3 else { return nil }
        let lengths = groups.map(\.count)
        if lengths == [3, 3, 4] {
            sayDigitGroups(groups)
            return used
        }
        if groups.count == 3, lengths[2] == 4, lengths[0] <= 2, lengths[1] <= 2,
           let day = Int(groups[0]), let month = Int(groups[1]), sayDate(month: month, day: day, year: groups[2]) {
            return used
        }
        if groups.count == 4, groups.allSatisfy({ $0.count <= 3 && (Int($0) ?? 256) <= 255 }) {
            output.say(groups.map { NumberWords.digits($0, zero: "zero") }.joined(separator: " dot "))
            return used
        }
        output.say(groups.map { NumberWords.cardinal(UInt64($0.prefix(NumberWords.bareCardinalDigits)) ?? 0) }
            .joined(separator: " point "))
        return used
    }

    /// A digit run read on its own, as a cardinal or a year.
    func plain(_ digits: String) -> String {
        NumberLiteral(integer: digits, fraction: nil, grouped: false, tokenCount: 1).spoken(allowYear: true)
    }
}

/// A currency's spoken names. Why a subunit is optional: yen and rupees are said as decimals.
struct Currency {
    var singular: String
    var plural: String
    var subunit: (singular: String, plural: String)?

    static let dollar = Currency(singular: "dollar", plural: "dollars", subunit: ("cent", "cents"))
    static let euro = Currency(singular: "euro", plural: "euros", subunit: ("cent", "cents"))
    static let pound = Currency(singular: "pound", plural: "pounds", subunit: ("penny", "pence"))
    static let yen = Currency(singular: "yen", plural: "yen", subunit: nil)
    static let rupee = Currency(singular: "rupee", plural: "rupees", subunit: nil)
    static let cent = Currency(singular: "cent", plural: "cents", subunit: nil)

    /// Symbols written before the amount ("$5").
    static let before: [Character: Currency] = ["$": dollar, "\u{20AC}": euro, "\u{00A3}": pound, "\u{00A5}": yen, "\u{20B9}": rupee]
    /// Symbols written after it ("20€", "99¢").
    static let after: [Character: Currency] = ["$": dollar, "\u{20AC}": euro, "\u{00A3}": pound, "\u{00A2}": cent]
    static let scaleSuffixes = ["k": "thousand", "K": "thousand", "M": "million", "m": "million", "B": "billion",
                                "bn": "billion", "T": "trillion"]
    static let scaleWords: Set<String> = ["thousand", "million", "billion", "trillion"]
}
