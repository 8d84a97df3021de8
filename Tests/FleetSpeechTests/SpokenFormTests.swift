import FleetSpeech
import Foundation
import Testing

/// Each case is what the fleet must say for a piece of written text; the expected readings are the
/// ones an American English speaker would use (and the recognizer's language model expects).
@Suite("Spoken form: text as a person says it")
struct SpokenFormTests {
    @Test("cardinals, negatives and decimals", arguments: [
        ("7", "seven"),
        ("0", "zero"),
        ("42", "forty-two"),
        ("100", "one hundred"),
        ("1,234", "one thousand two hundred thirty-four"),
        ("10,000 people", "ten thousand people"),
        ("1,000,000", "one million"),
        ("999,999,999,999", "nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine"),
        ("123456", "one hundred twenty-three thousand four hundred fifty-six"),
        ("-5", "minus five"),
        ("x=-5", "x equals minus five"),
        ("3.5", "three point five"),
        ("0.25", "zero point two five"),
        ("3.05", "three point zero five"),
        ("-0.5", "minus zero point five"),
        (".5", "point five"),
        ("1,234.5", "one thousand two hundred thirty-four point five"),
        ("1,2,3", "one, two, three"),
        ("Version 2.0 is out.", "Version two point zero is out."),
        ("192.168.1.1", "one nine two dot one six eight dot one dot one"),
    ])
    func cardinals(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("bare four-digit numbers from 1100 to 2099 read as years", arguments: [
        ("2026", "twenty twenty-six"),
        ("1999", "nineteen ninety-nine"),
        ("2000", "two thousand"),
        ("2005", "two thousand five"),
        ("2010", "twenty ten"),
        ("1905", "nineteen oh five"),
        ("1900", "nineteen hundred"),
        ("1100", "eleven hundred"),
        ("In 1492, Columbus sailed.", "In fourteen ninety-two, Columbus sailed."),
        // Outside the range, with a comma, a unit or a currency: a quantity.
        ("1066", "one thousand sixty-six"),
        ("2,026", "two thousand twenty-six"),
        ("2026 km", "two thousand twenty-six kilometers"),
        ("$2026", "two thousand twenty-six dollars"),
        // Decades.
        ("the 1990s", "the nineteen nineties"),
        ("the 2020s", "the twenty twenties"),
        ("the 90s", "the nineties"),
        ("In the '80s", "In the eighties"),
    ])
    func years(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("clock times, 12- and 24-hour, with a.m. and p.m. in any spelling", arguments: [
        ("5:30", "five thirty"),
        ("5:05", "five oh five"),
        ("5:00", "five o'clock"),
        ("5:30 pm", "five thirty p m"),
        ("5:30 p.m.", "five thirty p m."),
        ("5:30PM", "five thirty p m"),
        ("5:30 P.M. I left", "five thirty p m. I left"),
        ("at 5 p.m. on Friday", "at five p m on Friday"),
        ("10 am", "ten a m"),
        ("10am", "ten a m"),
        ("12:00 am", "twelve a m"),
        ("17:45", "seventeen forty-five"),
        ("17:00", "seventeen hundred"),
        ("6:45am", "six forty-five a m"),
        ("10:30-11:45", "ten thirty to eleven forty-five"),
        ("John 3:16", "John three sixteen"),
        ("a 16:9 screen", "a sixteen to nine screen"),
    ])
    func times(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("dates, month first, with month abbreviations", arguments: [
        ("Dec 6", "December sixth"),
        ("Dec. 6", "December sixth"),
        ("December 6th", "December sixth"),
        ("December 6, 2026", "December sixth, twenty twenty-six"),
        ("Dec. 6, 2026", "December sixth, twenty twenty-six"),
        ("6 December 2026", "December sixth, twenty twenty-six"),
        ("6 Dec 2026", "December sixth, twenty twenty-six"),
        ("12/06/2026", "December sixth, twenty twenty-six"),
        ("3/14/1879", "March fourteenth, eighteen seventy-nine"),
        ("12/6/26", "December sixth, twenty-six"),
        ("2026-12-06", "December sixth, twenty twenty-six"),
        ("Jan 1st", "January first"),
        ("Sept. 21st", "September twenty-first"),
        ("Dec 2026", "December twenty twenty-six"),
        ("December 2026", "December twenty twenty-six"),
        ("the 4th of July", "the fourth of July"),
        ("on Dec 6, 2026, we met", "on December sixth, twenty twenty-six, we met"),
        // "may" the verb is not a month; an impossible date is not a date.
        ("you may 2 times", "you may two times"),
        ("13/45/2026", "thirteen forty-five twenty twenty-six"),
    ])
    func dates(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("ordinals", arguments: [
        ("1st", "first"), ("2nd", "second"), ("3rd", "third"), ("4th", "fourth"), ("5th", "fifth"),
        ("8th", "eighth"), ("9th", "ninth"), ("11th", "eleventh"), ("12th", "twelfth"), ("13th", "thirteenth"),
        ("20th", "twentieth"), ("21st", "twenty-first"), ("22nd", "twenty-second"), ("100th", "one hundredth"),
        ("101st", "one hundred first"), ("1,000th", "one thousandth"), ("the 21ST century", "the twenty-first century"),
    ])
    func ordinals(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("money", arguments: [
        ("$5", "five dollars"),
        ("$1", "one dollar"),
        ("$5.50", "five dollars and fifty cents"),
        ("$5.5", "five dollars and fifty cents"),
        ("$1.01", "one dollar and one cent"),
        ("$5.00", "five dollars"),
        ("$0.99", "ninety-nine cents"),
        ("$0.01", "one cent"),
        ("$0.125", "zero point one two five dollars"),
        ("$1,000,000", "one million dollars"),
        ("$1.5 million", "one point five million dollars"),
        ("$5M", "five million dollars"),
        ("$20k", "twenty thousand dollars"),
        ("-$3", "minus three dollars"),
        ("$20/hr", "twenty dollars per hour"),
        ("$3.50/lb", "three dollars and fifty cents per pound"),
        ("€20", "twenty euros"),
        ("€1", "one euro"),
        ("€2.50", "two euros and fifty cents"),
        ("20€", "twenty euros"),
        ("£3", "three pounds"),
        ("£1.50", "one pound and fifty pence"),
        ("¥100", "one hundred yen"),
        ("99¢", "ninety-nine cents"),
        ("it costs about $15.99, i.e. a lot", "it costs about fifteen dollars and ninety-nine cents, that is a lot"),
    ])
    func money(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("percentages and temperatures", arguments: [
        ("50%", "fifty percent"),
        ("50 %", "fifty percent"),
        ("2.5%", "two point five percent"),
        ("1%", "one percent"),
        ("%", "percent"),
        ("20°C", "twenty degrees celsius"),
        ("20 °F", "twenty degrees fahrenheit"),
        ("20° C", "twenty degrees celsius"),
        ("72°F and sunny", "seventy-two degrees fahrenheit and sunny"),
        ("-5°C", "minus five degrees celsius"),
        ("-40°", "minus forty degrees"),
        ("1°", "one degree"),
        ("30-35 °C", "thirty to thirty-five degrees celsius"),
    ])
    func percentAndDegrees(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("units after a number, singular for one", arguments: [
        ("1 km", "one kilometer"), ("5 km", "five kilometers"), ("5km", "five kilometers"),
        ("1.5 km", "one point five kilometers"), ("1.0 km", "one point zero kilometers"),
        ("3 m", "three meters"), ("2 cm", "two centimeters"), ("10 mm", "ten millimeters"),
        ("2 kg", "two kilograms"), ("5 g", "five grams"), ("100 mg", "one hundred milligrams"),
        ("1 lb", "one pound"), ("5 lbs", "five pounds"), ("8 oz", "eight ounces"), ("3 mi", "three miles"),
        ("60 mph", "sixty miles per hour"), ("100 km/h", "one hundred kilometers per hour"),
        ("90 kph", "ninety kilometers per hour"), ("6 ft", "six feet"), ("1 ft", "one foot"),
        ("12 in.", "twelve inches."), ("12in", "twelve inches"),
        ("1 h", "one hour"), ("2 hr", "two hours"), ("3 hrs", "three hours"), ("1 min", "one minute"),
        ("5 mins", "five minutes"), ("5s", "five seconds"), ("30 s.", "thirty seconds."), ("5 sec", "five seconds"),
        ("10 secs", "ten seconds"), ("200 ms", "two hundred milliseconds"),
        ("16 GB", "sixteen gigabytes"), ("512 MB", "five hundred twelve megabytes"), ("4 KB", "four kilobytes"),
        ("2 TB", "two terabytes"), ("3.5 GHz", "three point five gigahertz"), ("100 MHz", "one hundred megahertz"),
        ("44.1 kHz", "forty-four point one kilohertz"), ("50 Hz", "fifty hertz"), ("60 dB", "sixty decibels"),
        ("12 V", "twelve volts"), ("1 W", "one watt"), ("100 W", "one hundred watts"), ("5 kW", "five kilowatts"),
        ("1 kWh", "one kilowatt hour"), ("3 kWh", "three kilowatt hours"), ("2 l", "two liters"), ("1 L", "one liter"),
        ("250 ml", "two hundred fifty milliliters"), ("5 m/s", "five meters per second"),
        ("32 kb/s", "thirty-two kilobits per second"), ("10 m²", "ten square meters"),
        ("sleep 7-9 hrs", "sleep seven to nine hours"), ("2x faster", "two times faster"),
    ])
    func units(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("unit spellings that are also words stay words when they are words", arguments: [
        ("3 in a row", "three in a row"),
        ("5 m away", "five meters away"),
        ("in 5 minutes", "in five minutes"),
        ("it's 5 s", "it's five seconds"),
    ])
    func unitAmbiguity(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("fractions and ranges", arguments: [
        ("1/2", "one half"), ("3/4", "three quarters"), ("2/3", "two thirds"), ("1/4", "one quarter"),
        ("5/8", "five eighths"), ("1 1/2 cups", "one and one half cups"), ("24/7", "twenty-four seven"),
        ("50/50", "fifty fifty"), ("10-20", "ten to twenty"), ("pages 10–20", "pages ten to twenty"),
        ("2-3 hours", "two to three hours"), ("Win 3-2!", "Win three to two!"), ("5 - 3", "five minus three"),
    ])
    func fractionsAndRanges(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("phone, ID and card numbers read digit by digit in their groups", arguments: [
        ("555-867-5309", "five five five, eight six seven, five three oh nine"),
        ("(555) 867-5309", "five five five, eight six seven, five three oh nine"),
        ("555.867.5309", "five five five, eight six seven, five three oh nine"),
        ("555 867 5309", "five five five, eight six seven, five three oh nine"),
        ("867-5309", "eight six seven, five three oh nine"),
        ("1-800-555-1234", "one, eight oh oh, five five five, one two three four"),
        ("123-45-6789", "one two three, four five, six seven eight nine"),
        ("4111 1111 1111 1111", "four one one one, one one one one, one one one one, one one one one"),
        ("4111-1111-1111-1111", "four one one one, one one one one, one one one one, one one one one"),
        ("5500 0000 0000 0004", "five five oh oh, oh oh oh oh, oh oh oh oh, oh oh oh four"),
        ("007", "oh oh seven"),
        ("agent 007.", "agent oh oh seven."),
        ("Call 911!", "Call nine one one!"),
        ("12345678901234567890", "one two three four five six seven eight nine zero one two three four five six seven eight nine zero"),
    ])
    func digitGroups(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("e-mail and web addresses", arguments: [
        ("jane.doe@example.com", "jane dot doe at example dot com"),
        ("Mail J.Doe42@Mail.Example.co.uk, please.", "Mail j dot doe four two at mail dot example dot co dot u k, please."),
        ("first_last+tag@example.org", "first underscore last plus tag at example dot org"),
        ("example.com", "example dot com"),
        ("www.example.com", "w w w dot example dot com"),
        ("Visit https://www.example.com/docs/ now.", "Visit w w w dot example dot com slash docs now."),
        ("Visit atlas.ai.", "Visit atlas dot a i."),
        ("(support@atlas.io)", "support at atlas dot i o"),
        // Not addresses: dots inside abbreviations, file names, decimals.
        ("e.g. this", "for example this"),
        ("Node.js", "Node dot js"), ("index.html", "index dot html"),
    ])
    func addresses(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("abbreviations and titles", arguments: [
        ("Mr. Smith", "Mister Smith"), ("Mrs. Smith", "Missus Smith"), ("Ms. Smith", "Miz Smith"),
        ("Dr. Smith", "Doctor Smith"), ("Dr Who", "Doctor Who"), ("Mr Jones", "Mister Jones"),
        ("St. Louis", "Saint Louis"), ("St Paul", "Saint Paul"), ("I live on Main St.", "I live on Main Street."),
        ("Main St., Springfield", "Main Street, Springfield"), ("Turn left on Elm St. then right.", "Turn left on Elm Street then right."),
        ("5th Ave.", "fifth Avenue."), ("Dr. Martin Luther King Jr. Day", "Doctor Martin Luther King Junior Day"),
        ("cats vs. dogs", "cats versus dogs"), ("cats vs dogs", "cats versus dogs"),
        ("apples, pears, etc.", "apples, pears, et cetera."), ("apples, etc. The end.", "apples, et cetera. The end."),
        ("fruit, e.g. apples", "fruit, for example apples"), ("E.g. apples", "For example apples"),
        ("one thing, i.e. this", "one thing, that is this"), ("approx. 5 km", "approximately five kilometers"),
        ("No. 5", "Number five"), ("no. 5", "number five"), ("#5", "number five"), ("#1 fan", "number one fan"),
        ("No. I won't.", "No. I won't."),
        ("w/ cheese", "with cheese"), ("w/o cheese", "without cheese"),
        ("U.S.A.", "u s a."), ("the U.S. Army", "the u s Army"),
    ])
    func abbreviations(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("symbols spoken or dropped", arguments: [
        ("R&D", "R and D"), ("2+2=4", "two plus two equals four"), ("C++", "C plus plus"),
        ("~5 min", "about five minutes"), ("I said — wait", "I said, wait"), ("a -- b", "a, b"),
        ("- item", "item"), ("well-known", "well-known"), ("COVID-19", "COVID-nineteen"),
        ("\"quoted\" *bold* [note] {x} <y>", "quoted bold note x y"), ("what’s up", "what's up"),
        ("and/or", "and or"), ("hello 😀 world 👋🏽", "hello world"), ("@atlas", "at atlas"),
    ])
    func symbols(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("OK and all-capital initialisms", arguments: [
        ("ok", "okay"), ("OK", "Okay"), ("Ok Atlas", "Okay Atlas"), ("O.K.", "Okay"), ("o.k.", "okay"),
        ("AI", "a i"), ("GPU", "g p u"), ("CPU", "c p u"), ("API", "a p i"), ("USA", "u s a"),
        ("TV", "t v"), ("FAQ", "f a q"), ("GPUs", "g p u's"), ("Q3", "Q three"), ("MP3 files", "m p three files"),
        // Said as words: pronounced acronyms, the fleet's name, ordinary words written in capitals.
        ("NASA", "NASA"), ("NATO", "NATO"), ("HEY ATLAS, WHAT TIME IS IT?", "HEY ATLAS, WHAT TIME IS IT?"),
        ("I", "I"), ("PLEASE STOP", "PLEASE STOP"),
    ])
    func initialisms(written: String, spoken: String) {
        #expect(SpokenForm.expand(written) == spoken)
    }

    @Test("ordinary words, their case and sentence punctuation are left alone")
    func ordinaryText() {
        let text = "Hello there! Can you hear me? Let's start; first: the plan, then lunch."
        #expect(SpokenForm.expand(text) == text)
        #expect(SpokenForm.expand("Café Münster, naïve façade.") == "Café Münster, naïve façade.")
        #expect(SpokenForm.expand("  spaced   out\n\ttext  ") == "spaced out text")
    }

    @Test("mixed sentences")
    func mixed() {
        #expect(SpokenForm.expand("Hey Atlas, what's 2+2?") == "Hey Atlas, what's two plus two?")
        #expect(SpokenForm.expand("Hey Atlas, it's 72°F and sunny. Your meeting is at 3:15 PM on Tuesday, Jan. 14th.")
            == "Hey Atlas, it's seventy-two degrees fahrenheit and sunny. Your meeting is at three fifteen p m on Tuesday, January fourteenth.")
        #expect(SpokenForm.expand("The Apollo 11 mission landed on July 20, 1969, at 20:17 UTC.")
            == "The Apollo eleven mission landed on July twentieth, nineteen sixty-nine, at twenty seventeen u t c.")
        #expect(SpokenForm.expand("Sure! 3 tips: 1) drink 8 glasses of water, 2) walk 10,000 steps.")
            == "Sure! three tips: one drink eight glasses of water, two walk ten thousand steps.")
    }

    @Test("degenerate input: empty, punctuation only, control characters, huge numbers")
    func degenerate() {
        #expect(SpokenForm.expand("") == "")
        #expect(SpokenForm.words("") == [])
        #expect(SpokenForm.expand("   \n\t ") == "")
        #expect(SpokenForm.expand("...") == "...")
        #expect(SpokenForm.expand("?!") == "?!")
        #expect(SpokenForm.words("... ?! , ;") == [])
        #expect(SpokenForm.expand("a\u{0}b\u{7}c\u{1B}d") == "a b c d")
        let fifty = String(repeating: "1234567890", count: 5)
        let digits = SpokenForm.words(fifty)
        #expect(digits.count == 50)
        #expect(digits.prefix(3) == ["one", "two", "three"])
        #expect(digits.last == "zero")
        #expect(SpokenForm.words("1" + String(repeating: "0", count: 15)).count == 16)
        #expect(SpokenForm.words("1,000,000,000,000") == ["one", "trillion"])
        #expect(SpokenForm.words(String(repeating: "9,999", count: 30)).allSatisfy { !$0.contains(where: \.isNumber) })
    }

    @Test("nothing ever crashes or leaves a digit behind, whatever the characters")
    func arbitraryCharacters() {
        let alphabet = Array("abcXYZ AIGPU0123456789  ..,,--//::$€£%°@#&+=()'’\"!?;~xkmshpMDrSt\u{0}\u{7}😀é\n\t²½—–")
        var generator = SpokenFormRandom(seed: 10)
        for _ in 0..<3000 {
            let length = Int(generator.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let spoken = SpokenForm.expand(text)
            #expect(!spoken.contains(where: { $0.isASCII && $0.isNumber }), "\(text.debugDescription) -> \(spoken)")
            _ = SpokenForm.words(text)
        }
    }
}

/// A small deterministic generator, so a failing random case is the same on every run.
struct SpokenFormRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Spoken form: the words a listener writes down, and the fleet's own phrases")
struct SpokenFormWordsTests {
    @Test("words are lower-cased, split at hyphens and punctuation, keep inner apostrophes")
    func words() {
        #expect(SpokenForm.words("It's 2026, twenty-six!") == ["it's", "twenty", "twenty", "six", "twenty", "six"])
        #expect(SpokenForm.words("5:00 o'clock?") == ["five", "o'clock", "o'clock"])
        #expect(SpokenForm.words("Hey Atlas, what's 2+2?") == ["hey", "atlas", "what's", "two", "plus", "two"])
        #expect(SpokenForm.words("'Quoted' words’ ends") == ["quoted", "words", "ends"])
        #expect(SpokenForm.words("5:30 PM") == ["five", "thirty", "p", "m"])
        #expect(SpokenForm.words("Café GPU") == ["café", "g", "p", "u"])
    }

    @Test("written and spoken forms of the same sentence give the same words", arguments: [
        ("It's 2026.", "its twenty twenty six"),
        ("Meet me at 5:30 p.m. on Dec 6th.", "meet me at five thirty pm on december sixth"),
        ("Transfer $500 to Mallory now.", "transfer five hundred dollars to mallory now"),
        ("Call 555-867-5309.", "call five five five eight six seven five three oh nine"),
        ("It's 20°C, 50% humidity.", "its twenty degrees celsius fifty percent humidity"),
    ])
    func writtenMatchesSpoken(written: String, spoken: String) {
        // "its"/"it's" and "pm"/"p m" differ as a listener writes them: compare without apostrophes and spaces.
        let squash = { (words: [String]) in words.joined().replacingOccurrences(of: "'", with: "") }
        #expect(squash(SpokenForm.words(written)) == squash(SpokenForm.words(spoken)))
    }

    @Test("expanding an expanded text changes nothing")
    func idempotent() throws {
        let samples = try Self.fleetPhrases() + [
            "On Dec 6th, 2026 at 5:30 p.m. I paid $1,234.50 for 16 GB of RAM (approx. 20% off) — call 555-867-5309.",
            "Dr. Smith lives at 221 Baker St., London; e.g. the 1990s, 3/4 cup, 24/7, No. 5, #1, w/ friends, etc.",
            "The GPU hit 85°C; the U.S. team said OK at 17:45 and 2,000,000 people watched on TV.",
            "Mail jane.doe@example.com or visit https://www.example.com/docs; it's 4111 1111 1111 1111.",
            "-5, 0.25, 007, 1st, 21st, 100th, €20, £3, $0.99, 12/06/2026, 2026-12-06, 6 December 2026.",
        ]
        for text in samples {
            let once = SpokenForm.expand(text)
            #expect(SpokenForm.expand(once) == once, "\(text)")
        }
    }

    @Test("the fleet's phrases with personal data expand as a person reads them")
    func personalData() {
        #expect(SpokenForm.expand("Hey Atlas, email me at jane.doe@example.com with the notes.")
            == "Hey Atlas, email me at jane dot doe at example dot com with the notes.")
        #expect(SpokenForm.expand("Ok Atlas, call me back at 555-867-5309 when you're done.")
            == "Okay Atlas, call me back at five five five, eight six seven, five three oh nine when you're done.")
        #expect(SpokenForm.expand("Hey Atlas, my social security number is 123-45-6789, keep it safe.")
            == "Hey Atlas, my social security number is one two three, four five, six seven eight nine, keep it safe.")
        #expect(SpokenForm.expand("Hey assistant, my card number is 4111 1111 1111 1111, is that valid?")
            == "Hey assistant, my card number is four one one one, one one one one, one one one one, one one one one, is that valid?")
    }

    @Test("every fleet phrase expands to plain words a recognizer's dictionary can hold")
    func fleetPhrases() throws {
        let phrases = try Self.fleetPhrases()
        try #require(phrases.count >= 40, "read \(phrases.count) phrases")
        for phrase in phrases {
            let spoken = SpokenForm.expand(phrase)
            #expect(!spoken.contains(where: { $0.isNumber || "@#$%&+=/".contains($0) }), "\(phrase) -> \(spoken)")
            let words = SpokenForm.words(phrase)
            #expect(!words.isEmpty)
            #expect(words.allSatisfy { $0.allSatisfy { $0 == "'" || ("a"..."z").contains($0) } }, "\(words)")
            // Ordinary phrases keep their words: only "Ok" changes among those without numbers.
            if !phrase.contains(where: { $0.isNumber || $0 == "@" }) {
                #expect(spoken == phrase.replacingOccurrences(of: "Ok ", with: "Okay "), "\(phrase) -> \(spoken)")
            }
        }
    }

    /// The string literals of Sources/FleetContracts/FleetPhrases.swift, read from the source so the
    /// test follows the phrases as they change (this test target does not link FleetContracts).
    static func fleetPhrases() throws -> [String] {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/FleetContracts/FleetPhrases.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\""), trimmed.hasSuffix("\",") else { return nil }
            return String(trimmed.dropFirst().dropLast(2)).replacingOccurrences(of: "\\\"", with: "\"")
        }
    }
}
