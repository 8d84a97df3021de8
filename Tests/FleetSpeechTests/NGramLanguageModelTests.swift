import Foundation
import Testing
@testable import FleetSpeech

/// The recognizer's language model: a proper probability distribution, in the ARPA format
/// pocketsphinx reads, and a dictionary that pronounces every word of it.
@Suite("Speech: language model and dictionary")
struct NGramLanguageModelTests {
    static let sentences = [
        ["hey", "atlas", "what", "time", "is", "it"],
        ["hey", "atlas", "tell", "me", "a", "joke"],
        ["ok", "atlas", "what", "time", "is", "it", "in", "tokyo"],
        ["did", "anyone", "see", "the", "game"],
    ]

    /// log10 probabilities and backoff weights read back from the ARPA text.
    struct Parsed {
        var unigrams: [String: (p: Double, backoff: Double)] = [:]
        var bigrams: [[String]: (p: Double, backoff: Double)] = [:]
        var counts: [Int: Int] = [:]

        init(_ arpa: String) {
            var order = 0
            for line in arpa.split(separator: "\n").map(String.init) {
                if line.hasPrefix("ngram "), let eq = line.firstIndex(of: "=") {
                    counts[Int(line.dropFirst(6).prefix(while: { $0 != "=" }))!] = Int(line[line.index(after: eq)...])!
                } else if line.hasPrefix("\\"), line.hasSuffix("-grams:") {
                    order = Int(line.dropFirst().prefix(1))!
                } else if order > 0, !line.isEmpty, !line.hasPrefix("\\") {
                    let fields = line.split(separator: " ").map(String.init)
                    let p = pow(10, Double(fields[0])!)
                    let words = Array(fields[1...order])
                    let backoff = fields.count > order + 1 ? pow(10, Double(fields[order + 1])!) : 1
                    if order == 1 { unigrams[words[0]] = (p, backoff) }
                    if order == 2 { bigrams[words] = (p, backoff) }
                }
            }
        }
    }

    @Test("the ARPA text declares what it holds, and the unigrams sum to one")
    func arpaShape() {
        let model = NGramLanguageModel(sentences: Self.sentences, extraWords: ["zero"])
        let parsed = Parsed(model.arpa)
        #expect(model.arpa.hasPrefix("\\data\\\n") && model.arpa.hasSuffix("\\end\\\n"))
        #expect(parsed.counts[1] == parsed.unigrams.count)
        #expect(parsed.counts[2] == parsed.bigrams.count)
        #expect(parsed.unigrams["zero"] != nil, "an extra word is in the vocabulary")
        #expect(model.vocabulary.contains("tokyo") && !model.vocabulary.contains("<s>"))
        let total = parsed.unigrams.filter { $0.key != "<s>" }.values.reduce(0) { $0 + $1.p }
        #expect(abs(total - 1) < 1e-4, "unigrams sum to \(total)")
    }

    @Test("after any one word, the next word's probabilities (seen or backed off) sum to one")
    func bigramHistoriesNormalise() {
        let parsed = Parsed(NGramLanguageModel(sentences: Self.sentences).arpa)
        let vocabulary = parsed.unigrams.keys.filter { $0 != "<s>" }
        for history in ["<s>", "atlas", "what", "the"] {
            let backoff = parsed.unigrams[history]!.backoff
            let total = vocabulary.reduce(0.0) { sum, word in
                sum + (parsed.bigrams[[history, word]]?.p ?? backoff * parsed.unigrams[word]!.p)
            }
            #expect(abs(total - 1) < 1e-3, "P(· | \(history)) sums to \(total)")
        }
        // What the corpus says most often after "hey atlas" beats what it never says there.
        #expect(parsed.bigrams[["atlas", "what"]]!.p > parsed.unigrams["game"]!.p * parsed.unigrams["atlas"]!.backoff)
    }

    @Test("the dictionary takes cmudict's pronunciations, and flite's rules for a word cmudict lacks")
    func dictionary() throws {
        let cmudict = URL(fileURLWithPath: SpeechRecognitionEngine.defaultModelDirectory)
            .appendingPathComponent("cmudict-en-us.dict")
        let dictionary = try PronunciationDictionary(vocabulary: ["atlas", "read", "zorblax"], cmudict: cmudict)
        #expect(dictionary.lines.contains("atlas AE T L AH S"))
        #expect(dictionary.lines.filter { $0.hasPrefix("read") }.count >= 2, "every variant: read(2)")
        #expect(dictionary.guessed == ["zorblax"])
        let guessed = try #require(dictionary.lines.first { $0.hasPrefix("zorblax ") })
        let phones = guessed.split(separator: " ").dropFirst()
        #expect(phones.count >= 5 && phones.allSatisfy { $0 == $0.uppercased() && !$0.contains(where: \.isNumber) })
    }
}
