import Foundation
import Testing
@testable import OrchestratorService

@Suite("Sentence splitter")
struct SentenceSplitterTests {
    @Test("full stops, exclamation and question marks end sentences; a newline does too")
    func endsSentences() {
        #expect(SentenceSplitter.split("It is sunny. Take a hat! Want more?\nAsk me.")
            == ["It is sunny.", "Take a hat!", "Want more?", "Ask me."])
    }

    @Test("abbreviations, initials and decimals do not end a sentence", arguments: [
        "Bring a coat, e.g. the blue one.",
        "Dr. Smith is in.",
        "The U.S. dollar rose 3.5 percent.",
        "J. R. R. Tolkien wrote it.",
        "It was, i.e. in short, fine.",
    ])
    func keepsAbbreviations(text: String) {
        #expect(SentenceSplitter.split(text) == [text])
    }

    @Test("closing quotes stay with their sentence, and punctuation alone is no sentence")
    func closersAndEmptyPieces() {
        #expect(SentenceSplitter.split("He said \"stop.\" Then left... !") == ["He said \"stop.\"", "Then left..."])
    }

    @Test("text fed a token at a time gives the same sentences, each as soon as it is complete")
    func streamedFeeding() {
        let text = "The time is 3.45 pm. Dr. Who will call you back! Is that fine?"
        var splitter = SentenceSplitter()
        var seen: [[String]] = []
        for character in text { seen.append(splitter.feed(String(character))) }
        let last = splitter.finish()
        #expect(seen.flatMap { $0 } + last == SentenceSplitter.split(text))
        #expect(seen.flatMap { $0 } == ["The time is 3.45 pm.", "Dr. Who will call you back!"])
        #expect(last == ["Is that fine?"])
        // "pm." is complete only when the space after it arrives, not at the full stop.
        let firstAt = seen.firstIndex { !$0.isEmpty }
        #expect(firstAt == text.firstIndex(of: "D").map { text.distance(from: text.startIndex, to: $0) - 1 })
    }

    @Test("a long clause is cut at a comma after about 120 characters, a run-on at a space after 300")
    func longClauses() {
        let opening = String(repeating: "word ", count: 26) + "and more"  // 138 characters, no comma
        let text = "Short, clause. " + opening + ", then the rest of it."
        #expect(SentenceSplitter.split(text) == ["Short, clause.", opening + ",", "then the rest of it."])

        let runOn = String(repeating: "word ", count: 100)
        let pieces = SentenceSplitter.split(runOn)
        #expect(pieces.count == 2)
        #expect(pieces.allSatisfy { $0.count <= 310 })  // cut at the first space past 300
        #expect(pieces.joined(separator: " ") == runOn.trimmingCharacters(in: .whitespaces))
    }
}
