import Foundation

/// What the user asked for, read from their last message. The stub answers by intent, the way a
/// small instruction-tuned model mostly does for a voice assistant's everyday questions.
enum Intent: String, Sendable, CaseIterable {
    case time, weather, joke, help, greeting, fallback

    /// Cues per intent, matched as whole words or phrases; checked in this order, so
    /// "hey Atlas, what time is it" is a time question, not a greeting.
    static let cues: [(Intent, [String])] = [
        (.time, ["what time", "the time", "time is it", "current time", "what's the time", "clock", "what day is it",
                 "what's the date", "what is the date", "today's date", "what date"]),
        (.weather, ["weather", "forecast", "temperature", "raining", "rain", "snow", "sunny", "umbrella", "how hot",
                    "how cold"]),
        (.joke, ["joke", "jokes", "funny", "make me laugh", "pun", "something silly"]),
        (.help, ["help", "what can you do", "what do you do", "how do i use", "your capabilities", "commands",
                 "who are you", "what are you"]),
        (.greeting, ["hello", "hi", "hey", "hiya", "howdy", "good morning", "good afternoon", "good evening",
                     "greetings", "how are you", "yo", "sup"]),
    ]

    static func detect(_ text: String) -> Intent {
        let words = normalizedWords(text)
        let padded = " " + words.joined(separator: " ") + " "
        for (intent, phrases) in cues where phrases.contains(where: { padded.contains(" " + normalizedWords($0).joined(separator: " ") + " ") }) {
            return intent
        }
        return .fallback
    }

    /// Lower-cased words with punctuation removed, apostrophes kept ("what's").
    static func normalizedWords(_ text: String) -> [String] {
        text.lowercased()
            .replacingOccurrences(of: "’", with: "'")
            .split { !($0.isLetter || $0.isNumber || $0 == "'") }
            .map(String.init)
    }
}
