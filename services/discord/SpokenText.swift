/// What a speaker said and when, on the bridge's stream of that speaker's audio, so a segment can
/// carry the words it actually holds as its reference transcript. A segment the VAD cut short
/// (a quiet microphone, a loud room) then lacks the words it missed — often the wake phrase —
/// instead of claiming the whole phrase was heard.
struct SpokenText: Sendable {
    let text: String
    /// Stream seconds from the first to the last sample of speech.
    let speech: ClosedRange<Double>

    /// A segment this much of the speech long holds all of it: it is the whole phrase, give or take
    /// the VAD's edges and a jitter buffer's shift of the stream.
    static let wholeShare = 0.8
    /// How far outside a segment a word's middle may fall and still count as heard.
    static let tolerance = 0.15

    /// The words whose middle falls within a segment from `start` to `end` (stream seconds),
    /// assuming the synthesiser spreads words over the speech in proportion to their letters; the
    /// whole text when the segment spans the speech.
    func words(from start: Double, to end: Double) -> String {
        let duration = speech.upperBound - speech.lowerBound
        guard duration > 0 else { return text }
        let overlap = min(end, speech.upperBound) - max(start, speech.lowerBound)
        if overlap >= duration * Self.wholeShare { return text }
        let words = text.split(whereSeparator: \.isWhitespace)
        let letters = Double(words.reduce(0) { $0 + $1.count })
        var before = 0.0
        var heard: [Substring] = []
        for word in words {
            let middle = speech.lowerBound + duration * (before + Double(word.count) / 2) / letters
            before += Double(word.count)
            if middle >= start - Self.tolerance, middle <= end + Self.tolerance {
                heard.append(word)
            }
        }
        return heard.joined(separator: " ")
    }
}
