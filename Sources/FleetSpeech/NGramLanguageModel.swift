import Foundation

/// A trigram language model in ARPA format, built from a small corpus of sentences, for
/// pocketsphinx.
///
/// Smoothing is interpolated absolute discounting (a fixed discount taken from every seen count
/// and given to the lower order), written as a backoff model as ARPA wants: a seen n-gram keeps
/// its interpolated probability, an unseen one backs off to the lower order with a weight that
/// makes each history's probabilities sum to one. With a corpus of a hundred sentences this keeps
/// the recognizer close to the sentences it knows while still letting it put their words in new
/// orders.
public struct NGramLanguageModel: Sendable {
    /// Taken from every seen bigram and trigram count.
    public static let discount = 0.5

    public let vocabulary: [String]
    private let unigrams: [String: Double]
    private let bigrams: [[String]: Double]
    private let trigrams: [[String]: Double]
    /// Per history (one word, or two): the weight of the lower order for words it was not seen with.
    private let backoff: [[String]: Double]

    /// - Parameter sentences: each a list of words (already in `SpokenForm.words` form).
    /// - Parameter extraWords: words the recognizer should know without any sentence (they get a
    ///   unigram count of one).
    public init(sentences: [[String]], extraWords: [String] = []) {
        var counts1: [String: Double] = [:], counts2: [[String]: Double] = [:], counts3: [[String]: Double] = [:]
        for sentence in sentences where !sentence.isEmpty {
            let padded = ["<s>"] + sentence + ["</s>"]
            for index in padded.indices {
                counts1[padded[index], default: 0] += 1
                if index >= 1 { counts2[Array(padded[(index - 1)...index]), default: 0] += 1 }
                if index >= 2 { counts3[Array(padded[(index - 2)...index]), default: 0] += 1 }
            }
        }
        for word in extraWords where counts1[word] == nil { counts1[word] = 1 }
        vocabulary = counts1.keys.filter { $0 != "<s>" && $0 != "</s>" }.sorted()

        // Unigrams: maximum likelihood over every token but <s>, which is never predicted.
        let total = counts1.filter { $0.key != "<s>" }.values.reduce(0, +)
        var unigrams: [String: Double] = [:]
        for (word, count) in counts1 where word != "<s>" { unigrams[word] = count / total }
        let unigram = { (gram: [String]) in unigrams[gram.last!] ?? 0 }

        let bigrams = Self.discounted(counts2, lower: unigram)
        let bigramBackoff = Self.backoffWeights(for: bigrams, lower: unigram)
        // A bigram's probability, seen or backed off to the unigram: the trigrams' lower order.
        let bigram = { (gram: [String]) -> Double in
            let pair = Array(gram.suffix(2))
            return bigrams[pair] ?? (bigramBackoff[[pair[0]]] ?? 1) * unigram(pair)
        }
        let trigrams = Self.discounted(counts3, lower: bigram)
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.trigrams = trigrams
        backoff = bigramBackoff.merging(Self.backoffWeights(for: trigrams, lower: bigram)) { $1 }
    }

    /// Interpolated absolute discounting for every seen n-gram.
    private static func discounted(_ counts: [[String]: Double], lower: ([String]) -> Double) -> [[String]: Double] {
        var historyTotals: [[String]: Double] = [:], historyTypes: [[String]: Double] = [:]
        for (gram, count) in counts {
            historyTotals[Array(gram.dropLast()), default: 0] += count
            historyTypes[Array(gram.dropLast()), default: 0] += 1
        }
        var result: [[String]: Double] = [:]
        for (gram, count) in counts {
            let history = Array(gram.dropLast())
            let total = historyTotals[history]!
            let gamma = discount * historyTypes[history]! / total
            result[gram] = (count - discount) / total + gamma * lower(gram)
        }
        return result
    }

    /// For each history: the probability left for unseen words over the lower order's share of them.
    private static func backoffWeights(for grams: [[String]: Double], lower: ([String]) -> Double) -> [[String]: Double] {
        var seenMass: [[String]: Double] = [:], lowerMass: [[String]: Double] = [:]
        for (gram, probability) in grams {
            let history = Array(gram.dropLast())
            seenMass[history, default: 0] += probability
            lowerMass[history, default: 0] += lower(gram)
        }
        return seenMass.reduce(into: [:]) { weights, entry in
            weights[entry.key] = max(1e-9, 1 - entry.value) / max(1e-9, 1 - lowerMass[entry.key]!)
        }
    }

    /// The model as ARPA text.
    public var arpa: String {
        func log10(_ value: Double) -> String {
            value > 0 ? String(format: "%.6f", Foundation.log10(value)) : "-99.000000"
        }
        var lines = ["\\data\\", "ngram 1=\(unigrams.count + 1)", "ngram 2=\(bigrams.count)", "ngram 3=\(trigrams.count)", ""]
        lines.append("\\1-grams:")
        lines.append("-99.000000 <s> \(log10(backoff[["<s>"]] ?? 1))")
        for word in unigrams.keys.sorted() {
            lines.append("\(log10(unigrams[word]!)) \(word) \(log10(backoff[[word]] ?? 1))")
        }
        lines.append("")
        lines.append("\\2-grams:")
        for gram in bigrams.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            lines.append("\(log10(bigrams[gram]!)) \(gram.joined(separator: " ")) \(log10(backoff[gram] ?? 1))")
        }
        lines.append("")
        lines.append("\\3-grams:")
        for gram in trigrams.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            lines.append("\(log10(trigrams[gram]!)) \(gram.joined(separator: " "))")
        }
        lines.append("")
        lines.append("\\end\\")
        return lines.joined(separator: "\n") + "\n"
    }
}
