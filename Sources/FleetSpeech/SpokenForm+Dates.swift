/// Clock times and calendar dates as people say them: "five thirty p m", "December sixth, twenty
/// twenty-six". Why dates always come out month-first: the fleet speaks American English, and one
/// order keeps the recognizer's language model small.
extension SpokenFormExpander {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]

    private static let monthsByName: [String: (month: Int, abbreviated: Bool)] = {
        var table: [String: (month: Int, abbreviated: Bool)] = [:]
        for (index, name) in monthNames.enumerated() {
            table[name.lowercased()] = (index + 1, false)
            table[String(name.lowercased().prefix(3))] = (index + 1, name.count > 3)
        }
        table["sept"] = (9, true)
        return table
    }()

    /// "5:30", "5:05", "5:00", "17:45", "5:30 pm", "5:30 p.m.", "5:30PM", "5:30:15".
    mutating func time(at index: Int) -> Int? {
        let hourToken = tokens[index]
        guard hourToken.text.count <= 2, let hour = Int(hourToken.text), hour <= 24, isSymbol(index + 1, ":"),
              let minuteToken = attached(index + 2, .number), minuteToken.text.count == 2,
              let minute = Int(minuteToken.text), minute <= 59 else { return nil }
        var used = 3
        var second = 0
        if isSymbol(index + 3, ":"), let secondToken = attached(index + 4, .number), secondToken.text.count == 2,
           let value = Int(secondToken.text), value <= 59 {
            second = value
            used = 5
        }
        let meridiem = meridiem(at: index + used)
        var words = NumberWords.cardinal(UInt64(hour))
        if minute > 0 {
            words += " " + (minute < 10 ? "oh " + NumberWords.ones[minute] : NumberWords.belowHundred(minute))
        } else if meridiem == nil {
            // 24-hour times on the hour are "seventeen hundred"; 12-hour ones "five o'clock".
            words += hour == 0 || hour > 12 ? " hundred" : " o'clock"
        }
        if second > 0 {
            words += " and " + NumberWords.cardinal(UInt64(second)) + (second == 1 ? " second" : " seconds")
        }
        if let meridiem {
            words += " " + meridiem.letters
            used += meridiem.used
        }
        output.say(words)
        if meridiem?.endsWithDot == true, endsSentence(before: index + used) { output.punctuate(".") }
        return used
    }

    /// "am", "PM", "a.m.", "P.M" at `index`: the letters to say and how many tokens they span.
    func meridiem(at index: Int) -> (letters: String, used: Int, endsWithDot: Bool)? {
        guard let word = token(index), word.kind == .word else { return nil }
        let lower = word.text.lowercased()
        if lower == "am" || lower == "pm" { return (String(lower.first!) + " m", 1, false) }
        guard lower == "a" || lower == "p", isSymbol(index + 1, "."),
              let m = attached(index + 2, .word), m.text.lowercased() == "m" else { return nil }
        let dot = isSymbol(index + 3, ".")
        return (lower + " m", dot ? 4 : 3, dot)
    }

    /// The month named at `index` ("December", "Dec", "Dec."), capitalised as names are, and how
    /// many tokens it spans.
    private func month(at index: Int) -> (month: Int, used: Int, abbreviated: Bool)? {
        guard let word = token(index), word.kind == .word, word.startsUppercase,
              let entry = Self.monthsByName[word.text.lowercased()] else { return nil }
        let dotted = entry.abbreviated && isSymbol(index + 1, ".")
        return (entry.month, dotted ? 2 : 1, entry.abbreviated)
    }

    /// A day of the month at `index`: "6" or "6th", not part of a time, range or decimal.
    private func day(at index: Int) -> (day: Int, used: Int)? {
        guard let number = token(index), number.kind == .number, number.spaceBefore, number.text.count <= 2,
              let day = Int(number.text), (1...31).contains(day) else { return nil }
        var used = 1
        if let suffix = attached(index + 1, .word), ["st", "nd", "rd", "th"].contains(suffix.text.lowercased()) {
            used = 2
        }
        if let follower = attached(index + used, .symbol), "-:/.".contains(follower.character),
           attached(index + used + 1, .number) != nil {
            return nil
        }
        return (day, used)
    }

    /// A year after a date: ", 2026" or " 2026".
    private func year(at index: Int) -> (digits: String, used: Int)? {
        var position = index
        if isSymbol(position, ",") { position += 1 }
        guard let number = token(position), number.kind == .number, number.spaceBefore, number.text.count == 4,
              !isSymbol(position + 1, ".") || attached(position + 2, .number) == nil
        else { return nil }
        return (number.text, position + 1 - index)
    }

    /// "Dec 6", "December 6th, 2026", "Dec. 6 2026"; and "Dec 2026" -> "December twenty twenty-six".
    mutating func monthFirstDate(at index: Int) -> Int? {
        guard let month = month(at: index) else { return nil }
        let dayIndex = index + month.used
        guard let day = day(at: dayIndex) else {
            // An abbreviation before a year still reads as the month's name.
            guard month.abbreviated, let number = token(dayIndex), number.kind == .number,
                  number.text.count == 4 else { return nil }
            output.say(Self.monthNames[month.month - 1])
            return month.used
        }
        let year = year(at: dayIndex + day.used)
        _ = sayDate(month: month.month, day: day.day, year: year?.digits)
        return month.used + day.used + (year?.used ?? 0)
    }

    /// "6 December 2026" -> "December sixth, twenty twenty-six"; "the 4th of July" keeps its order
    /// ("the fourth of July"), which is how that form is said.
    mutating func dayFirstDate(at index: Int) -> Int? {
        guard let day = day(at: index) else { return nil }
        var monthIndex = index + day.used
        let spokenOf = token(monthIndex).map { $0.kind == .word && $0.text == "of" } ?? false
        if spokenOf { monthIndex += 1 }
        guard let month = month(at: monthIndex), token(monthIndex)?.spaceBefore == true else { return nil }
        let year = year(at: monthIndex + month.used)
        if spokenOf {
            output.say(NumberWords.ordinal(UInt64(day.day)) + " of " + Self.monthNames[month.month - 1])
            if let year { sayYear(year.digits) }
        } else {
            guard sayDate(month: month.month, day: day.day, year: year?.digits) else { return nil }
        }
        return monthIndex + month.used + (year?.used ?? 0) - index
    }

    /// Says "December sixth[, twenty twenty-six]" when the month and day are possible; false (and
    /// says nothing) otherwise.
    mutating func sayDate(month: Int, day: Int, year: String?) -> Bool {
        guard (1...12).contains(month), (1...31).contains(day) else { return false }
        output.say(Self.monthNames[month - 1] + " " + NumberWords.ordinal(UInt64(day)))
        if let year { sayYear(year) }
        return true
    }

    /// ", twenty twenty-six" after a date; a two-digit year as "twenty-six" or "oh five".
    private mutating func sayYear(_ digits: String) {
        output.punctuate(",")
        output.say(digits.count == 2 ? NumberWords.shortYear(Int(digits) ?? 0) : plain(digits))
    }
}
