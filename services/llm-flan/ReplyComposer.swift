import FleetContracts
import Foundation
import ServiceKit

/// Writes the assistant's reply to a conversation: the deterministic stand-in for FLAN-T5.
///
/// The reply depends only on the messages and the clock: the same conversation gets the same
/// answer (jokes and greetings are picked by a stable hash of the text), except that a time
/// question is answered with the real current time and a forecast changes with the date.
/// Replies are written to be spoken: no symbols or markup a speech synthesiser would stumble on.
struct ReplyComposer: Sendable {
    struct Reply: Sendable, Equatable {
        var intent: Intent
        var text: String
    }

    static let defaultPersona = "Atlas"

    static let jokes = [
        "Why don't skeletons fight each other? They don't have the guts.",
        "I told my computer I needed a break, and it said: no problem, I'll go to sleep.",
        "Why did the scarecrow win an award? Because he was outstanding in his field.",
        "What do you call a fake noodle? An impasta.",
        "Why do programmers prefer dark mode? Because light attracts bugs.",
        "I'm reading a book about anti-gravity. It's impossible to put down.",
        "Why did the bicycle fall over? It was two tired.",
        "What do you call a bear with no teeth? A gummy bear.",
        "Parallel lines have so much in common. It's a shame they'll never meet.",
        "Why can't you trust an atom? Because they make up everything.",
        "I used to hate facial hair, but then it grew on me.",
        "What did the ocean say to the beach? Nothing, it just waved.",
    ]

    /// Words that carry no topic, left out when echoing what the user asked about.
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "for", "with", "about",
        "from", "by", "as", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "can", "could", "would",
        "should", "will", "shall", "may", "might", "must", "i", "me", "my", "you", "your", "we", "our", "it", "its",
        "this", "that", "these", "those", "what", "which", "who", "whom", "why", "how", "when", "where", "there",
        "here", "please", "tell", "say", "know", "think", "some", "any", "just", "really", "very", "much", "many",
        "more", "most", "all", "not", "no", "yes", "have", "has", "had", "get", "got", "want", "like", "hey", "ok",
        "okay", "atlas", "assistant", "i'm", "it's", "what's", "don't", "can't", "let's", "give", "explain",
    ]

    func reply(to messages: [ChatMessage], now: Date) -> Reply {
        let persona = Self.persona(from: messages)
        let userMessages = messages.filter { $0.role == "user" }
        let last = userMessages.last?.content ?? ""
        var intent = Intent.detect(last)
        // "Another one" after a joke is another joke, and so on: follow-ups keep the topic.
        if intent == .fallback, Self.isFollowUp(last), userMessages.count > 1 {
            intent = Intent.detect(userMessages[userMessages.count - 2].content)
        }
        let previousReply = messages.last { $0.role == "assistant" }?.content
        let text: String
        switch intent {
        case .time: text = Self.timeAnswer(now: now)
        case .weather: text = Self.weatherAnswer(for: last, now: now)
        case .joke: text = Self.joke(for: last, avoiding: previousReply)
        case .help: text = Self.helpAnswer(persona: persona)
        case .greeting: text = Self.greeting(for: last, persona: persona)
        case .fallback: text = Self.fallbackAnswer(for: last)
        }
        return Reply(intent: intent, text: text)
    }

    // MARK: Persona

    /// The assistant's name: "You are Nova, ..." in a system message makes it Nova.
    static func persona(from messages: [ChatMessage]) -> String {
        for message in messages where message.role == "system" || message.role == "developer" {
            let words = message.content.split(whereSeparator: \.isWhitespace)
            for index in words.indices.dropLast() where words[index].lowercased() == "are"
                && index > 0 && words[index - 1].lowercased() == "you" {
                let name = words[index + 1].trimmingCharacters(in: .punctuationCharacters)
                if let first = name.first, first.isUppercase { return name }
            }
        }
        return defaultPersona
    }

    static func isFollowUp(_ text: String) -> Bool {
        let words = Set(Intent.normalizedWords(text))
        return !words.isDisjoint(with: ["another", "again", "more"]) && words.count <= 6
    }

    // MARK: Answers

    /// "It's 2:05 PM UTC on Tuesday, June 3, 2025." Spelled out from the Gregorian calendar's
    /// components rather than by DateFormatter: that one runs on ICU, whose pages (5 MiB resident in
    /// llm-flan at 100 speakers, measured) the service would carry for one sentence.
    static func timeAnswer(now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: now)
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0
        let clock = "\((hour + 11) % 12 + 1):\(minute < 10 ? "0" : "")\(minute) \(hour < 12 ? "AM" : "PM")"
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7], month = months[((parts.month ?? 1) - 1) % 12]
        return "It's \(clock) UTC on \(weekday), \(month) \(parts.day ?? 1), \(parts.year ?? 1970)."
    }

    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]

    static func weatherAnswer(for text: String, now: Date) -> String {
        let place = location(in: text) ?? "your area"
        let tomorrow = Intent.normalizedWords(text).contains("tomorrow")
        let day = now.addingTimeInterval(tomorrow ? 86_400 : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        var generator = SeededGenerator(text: "\(place.lowercased())|\(parts.year ?? 0)-\(parts.month ?? 0)-\(parts.day ?? 0)")

        // Conditions with the chance of rain that fits them.
        let conditions: [(sky: String, rain: ClosedRange<Int>)] = [
            ("sunny skies", 0...10), ("mostly sunny", 0...15), ("partly cloudy", 10...25), ("overcast", 20...40),
            ("light rain on and off", 50...70), ("scattered showers", 40...60), ("a foggy morning, then clearing", 5...20),
            ("breezy and clear", 0...10),
        ]
        let condition = conditions[generator.next(below: conditions.count)]
        let high = 4 + generator.next(below: 26)  // 4..29 °C
        let low = high - 4 - generator.next(below: 7)
        let rain = condition.rain.lowerBound + generator.next(below: condition.rain.count) / 5 * 5
        let wind = 5 + generator.next(below: 26)
        let direction = ["north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"][generator.next(below: 8)]
        let fahrenheit = Int((Double(high) * 9 / 5 + 32).rounded())
        return "This is a simulated forecast, since I can't reach a live weather service: "
            + "\(tomorrow ? "tomorrow" : "today") in \(place), \(condition.sky), with a high of \(high) degrees Celsius, "
            + "that's \(fahrenheit) Fahrenheit, and a low of \(low). Wind from the \(direction) at \(wind) kilometres per hour, "
            + "and a \(rain) percent chance of rain."
    }

    /// "weather in new york tomorrow" -> "New York"; nil when no place is named.
    static func location(in text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace).map { $0.trimmingCharacters(in: .punctuationCharacters) }
        let notPlaces: Set<String> = ["the", "a", "my", "this", "today", "tomorrow", "tonight", "week", "weekend", "here",
                                      "it", "there", "now", "like", "general"]
        guard let marker = words.lastIndex(where: { ["in", "for", "at"].contains($0.lowercased()) }) else { return nil }
        let place = words[(marker + 1)...].prefix { word in
            !word.isEmpty && !notPlaces.contains(word.lowercased()) && word.allSatisfy { $0.isLetter || $0 == "-" || $0 == "'" }
        }.prefix(3)
        guard !place.isEmpty else { return nil }
        return place.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    static func joke(for text: String, avoiding previous: String?) -> String {
        var generator = SeededGenerator(text: text)
        var index = generator.next(below: jokes.count)
        if jokes[index] == previous { index = (index + 1) % jokes.count }
        return jokes[index]
    }

    static func helpAnswer(persona: String) -> String {
        "I'm \(persona), your voice assistant. Ask me what time it is, for a weather forecast, which is simulated "
            + "since I have no live data, or for a joke, and I'm happy to think through questions with you. "
            + "In the voice channel, start with \"hey \(persona)\" and I'll answer out loud."
    }

    static func greeting(for text: String, persona: String) -> String {
        if Intent.normalizedWords(text).joined(separator: " ").contains("how are you") {
            return "I'm doing well, thanks for asking! What can I do for you?"
        }
        // Short, as a voice assistant answers a hello: the channel's first turn is a greeting, and
        // its reply is what a freshly started fleet plays first.
        let greetings = [
            "Hello! How can I help?",
            "Hi, \(persona) here. What can I do for you?",
            "Hey! What would you like to know?",
        ]
        var generator = SeededGenerator(text: text)
        return greetings[generator.next(below: greetings.count)]
    }

    static func fallbackAnswer(for text: String) -> String {
        let topics = keywords(in: text)
        switch topics.count {
        case 0:
            return "I'm not sure I caught that. Could you say it another way? I can also tell you the time, "
                + "give you a simulated forecast, or tell a joke."
        case 1:
            return "That's a good question about \(topics[0]). I'm a compact model without access to the internet, "
                + "so I can't look up facts, but I'd start with what you already know about \(topics[0]) and what you "
                + "want to do with it. Tell me a bit more and we can work through it together."
        default:
            let list = topics.dropLast().joined(separator: ", ") + " and " + topics.last!
            return "You're asking about \(list). I can't look anything up, but here's how I'd approach it: "
                + "start with \(topics[0]), then think about how \(topics[1]) changes the picture, and decide which "
                + "part matters most to you. Want me to go deeper on any of it?"
        }
    }

    /// Up to three topic words, in the order the user said them.
    static func keywords(in text: String) -> [String] {
        var seen = Set<String>()
        return Intent.normalizedWords(text)
            .filter { $0.count >= 3 && !stopWords.contains($0) && $0.contains(where: \.isLetter) && seen.insert($0).inserted }
            .prefix(3)
            .map { $0 }
    }
}

extension SeededGenerator {
    /// A generator seeded by text alone (FLEET_SEED plays no part), so the same words always get
    /// the same joke or forecast, in every process.
    init(text: String) {
        self.init(seed: 0, stream: text)
    }

    /// A uniform draw from 0..<bound.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
