/// The word lists behind `SpokenForm`'s abbreviation and initialism rules. Small on purpose: each
/// entry is something assistant replies and the fleet's phrases actually contain.
enum SpokenVocabulary {
    /// Titles said before a name, with or without their dot ("Dr. Smith", "Mr Jones").
    static let titles = [
        "mr": "mister", "mrs": "missus", "ms": "miz", "prof": "professor", "mt": "mount",
        "capt": "captain", "sgt": "sergeant", "lt": "lieutenant", "gov": "governor",
    ]

    /// Shorthands that need their dot to be recognised ("Ave." but not "ave").
    static let abbreviations = [
        "ave": "avenue", "blvd": "boulevard", "rd": "road", "jr": "junior", "sr": "senior",
        "inc": "incorporated", "ltd": "limited", "dept": "department", "approx": "approximately",
        "vs": "versus", "etc": "et cetera", "tel": "telephone",
    ]

    /// Shorthands recognised without a dot too: no English word is spelled like them.
    static let undottedAbbreviations: Set<String> = ["vs", "etc", "approx"]

    /// All-capital words read as words, not letter by letter: acronyms people pronounce, the fleet's
    /// own names, and everyday words written in capitals for emphasis ("STOP", "HEY ATLAS").
    static let readAsWords: Set<String> = [
        // Pronounced acronyms.
        "NASA", "NATO", "COVID", "AIDS", "LASER", "RADAR", "SONAR", "SCUBA", "OPEC", "FIFA", "NAFTA",
        "IKEA", "GIF", "JPEG", "PIN", "SIM", "RAM", "ROM", "LAN", "WAN", "YOLO", "FOMO", "POTUS",
        "UNESCO", "ASCII", "CAPTCHA", "OPUS", "SWAT", "AWOL", "NIMBY", "TESOL",
        // The fleet's names.
        "ATLAS", "BARK", "FLAN", "FLITE",
        // Everyday words.
        "A", "I", "AM", "AN", "AND", "ANY", "ARE", "AS", "AT", "BE", "BIG", "BUT", "BY", "CAN", "DAY",
        "DID", "DO", "DOES", "DONE", "DONT", "DOWN", "EVEN", "EVER", "FOR", "FREE", "FROM", "GET", "GO",
        "GOOD", "GOT", "HAD", "HAS", "HAVE", "HE", "HELLO", "HELP", "HER", "HERE", "HEY", "HI", "HIM",
        "HIS", "HOW", "IF", "IN", "INTO", "IS", "IT", "ITS", "JUST", "KNOW", "LIKE", "LOOK", "LOVE",
        "MAKE", "MANY", "ME", "MORE", "MOST", "MUCH", "MUST", "MY", "NEED", "NEVER", "NEW", "NEXT",
        "NO", "NOT", "NOTE", "NOW", "OF", "OFF", "OH", "OLD", "ON", "ONE", "ONLY", "OR", "OUR", "OUT",
        "OVER", "REAL", "SAID", "SALE", "SAY", "SEE", "SHE", "SO", "SOME", "SORRY", "STOP", "TAKE",
        "THAN", "THANK", "THAT", "THE", "THEIR", "THEM", "THEN", "THERE", "THESE", "THEY", "THIS",
        "TIME", "TO", "TODAY", "TOO", "TWO", "UP", "VERY", "WAIT", "WANT", "WARN", "WAS", "WAY", "WE",
        "WELL", "WERE", "WHAT", "WHEN", "WHERE", "WHICH", "WHO", "WHY", "WILL", "WITH", "WOW", "WOULD",
        "YEAH", "YES", "YET", "YOU", "YOUR", "ALL", "BACK", "BEST", "LAST", "LEFT", "RIGHT", "HIGH",
        "LOW", "SAFE", "OPEN", "CLOSE", "READ", "FIRST", "ERROR", "ALERT", "INFO", "DEBUG", "TRUE",
        "FALSE", "NULL", "OKAY", "PLEASE", "GREAT", "NICE", "FUN", "HOT", "COLD", "FAST", "SLOW",
    ]

    /// Capitalised words that usually begin a sentence, so an abbreviation's dot before one is
    /// also a full stop ("... etc. The next ...").
    static let sentenceStarters: Set<String> = [
        "I", "The", "It", "It's", "We", "He", "She", "They", "This", "That", "These", "Those", "You",
        "There", "A", "An", "But", "And", "So", "Then", "My", "Our", "Your", "What", "How", "When",
        "Why", "Where", "Who", "Is", "Are", "Do", "Does", "Can", "Could", "Would", "Please", "Let's",
        "If", "In", "On", "At", "For", "After", "Before", "Also", "However", "Thanks", "Thank", "Yes",
        "No", "Okay", "OK", "Ok", "Hey", "Hi", "Hello", "I'm", "I'll", "We're", "That's", "There's",
    ]
}
