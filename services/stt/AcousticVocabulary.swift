/// The words the stub recogniser picks from when a clip carries no reference transcript:
/// short, common, voice-assistant-flavoured English, so fallback transcripts read like plausible
/// (if wrong) recognitions rather than noise.
enum AcousticVocabulary {
    static let words: [String] = [
        "the", "a", "to", "and", "of", "is", "it", "you", "that", "in",
        "what", "time", "hey", "atlas", "ok", "please", "can", "me", "tell", "turn",
        "on", "off", "the", "lights", "play", "some", "music", "how", "weather", "today",
        "tomorrow", "set", "timer", "for", "minutes", "call", "mom", "send", "message", "remind",
        "about", "meeting", "news", "joke", "song", "next", "stop", "start", "open", "close",
        "door", "kitchen", "room", "living", "up", "down", "volume", "louder", "quiet", "yes",
        "no", "thanks", "good", "morning", "night", "where", "is", "my", "phone", "find",
        "list", "add", "milk", "eggs", "bread", "coffee", "make", "order", "pizza", "dinner",
        "lunch", "week", "day", "hour", "at", "five", "seven", "ten", "twelve", "o'clock",
        "am", "pm", "then", "now", "later", "again", "more", "less", "warm", "cold",
        "rain", "sun", "outside", "inside", "read", "book", "email", "check", "calendar", "show",
        "search", "web", "for", "recipe", "train", "bus", "traffic", "route", "home", "work",
        "office", "team", "project", "status", "update", "report", "summary", "note", "write", "down",
        "which", "who", "why", "when", "there", "here", "this", "those", "with", "from",
        "would", "could", "should", "will", "like", "want", "need", "know", "think", "say",
        "just", "really", "maybe", "sure", "right", "okay", "well", "so", "but", "not",
    ]

    /// The vocabulary with the words of an `initial_prompt` first, the way a prompt biases
    /// Whisper's decoder toward its spellings and names.
    static func primed(with prompt: String?) -> [String] {
        guard let prompt else { return words }
        var seen = Set<String>()
        let promptWords = prompt.lowercased()
            .split { !($0.isLetter || $0 == "'") }
            .map(String.init)
            .filter { seen.insert($0).inserted }
        return promptWords + words
    }
}
