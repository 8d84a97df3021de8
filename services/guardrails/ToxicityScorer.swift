import Foundation

/// Scores text for toxicity in 0...1 from a weighted word list: the stand-in for the original's
/// unitary/toxic-bert classifier, deterministic and explainable.
///
/// Each listed term has a weight, the score it alone gives a short text. Terms match whole words
/// only (so "class" never matches "ass"), case-insensitively; a term ending in `*` also matches
/// its inflections ("idiot*" matches "idiots"). Hits combine like independent probabilities,
/// `1 - Π(1 - wᵢ)`, so several insults score higher than one.
///
/// Length dilutes insults and profanity — one "stupid" in a long, otherwise friendly reply is not
/// toxic — by scaling their weights with `min(1, sqrt(shortText / words))`. Severe terms (threats,
/// self-harm incitement; weight >= `severeWeight`) are never diluted: no amount of surrounding
/// text makes them acceptable.
struct ToxicityScorer: Sendable {
    struct Term: Sendable, Equatable, Codable {
        var term: String
        var weight: Double
    }

    /// Texts up to this many words are scored undiluted.
    static let shortText = 8.0
    /// Terms at or above this weight keep their full weight in any length of text.
    static let severeWeight = 0.9

    /// The default list: mild profanity low, insults aimed at a person high, threats at the top.
    static let defaultTerms: [Term] = [
        // Mild profanity and dismissiveness: never toxic on its own.
        Term(term: "damn", weight: 0.25), Term(term: "crap*", weight: 0.3), Term(term: "hell", weight: 0.2),
        Term(term: "sucks", weight: 0.35), Term(term: "shut up", weight: 0.45), Term(term: "dumb*", weight: 0.45),
        Term(term: "stupid*", weight: 0.55), Term(term: "loser*", weight: 0.55), Term(term: "pathetic", weight: 0.5),
        Term(term: "hate you", weight: 0.6), Term(term: "ugly", weight: 0.4), Term(term: "worthless", weight: 0.6),
        // Insults aimed at someone, strong profanity: toxic in a short text.
        Term(term: "idiot*", weight: 0.75), Term(term: "moron*", weight: 0.75), Term(term: "imbecile*", weight: 0.75),
        Term(term: "shit*", weight: 0.6), Term(term: "bullshit", weight: 0.6), Term(term: "asshole*", weight: 0.85),
        Term(term: "bastard*", weight: 0.8), Term(term: "bitch*", weight: 0.85), Term(term: "fuck*", weight: 0.85),
        Term(term: "dickhead*", weight: 0.85), Term(term: "screw you", weight: 0.75),
        // Threats and incitement: toxic anywhere.
        Term(term: "kill yourself", weight: 0.99), Term(term: "kys", weight: 0.95), Term(term: "i will kill you", weight: 0.99),
        Term(term: "i'll kill you", weight: 0.99), Term(term: "go die", weight: 0.95), Term(term: "you should die", weight: 0.97),
    ]

    let terms: [Term]
    private let patterns: [(term: Term, regex: NSRegularExpression)]
    private static let wordRegex = try! NSRegularExpression(pattern: #"[\p{L}\p{N}']+"#)

    init(terms: [Term] = ToxicityScorer.defaultTerms) {
        self.terms = terms
        patterns = terms.map { term in
            let stem = term.term.hasSuffix("*") ? String(term.term.dropLast()) : term.term
            // Words inside a phrase may be separated by any run of spaces or punctuation.
            let words = stem.split(separator: " ").map { NSRegularExpression.escapedPattern(for: String($0)) }
            let body = words.joined(separator: #"[\s\p{P}]+"#) + (term.term.hasSuffix("*") ? #"[\p{L}]*"# : "")
            // Word boundaries by lookaround, so terms with apostrophes ("i'll") still anchor correctly.
            let regex = try! NSRegularExpression(pattern: #"(?<![\p{L}\p{N}])"# + body + #"(?![\p{L}\p{N}])"#,
                                                 options: [.caseInsensitive])
            return (term, regex)
        }
    }

    struct Score: Sendable, Equatable {
        var value: Double
        /// The terms that matched, for the span and for debugging a verdict.
        var matched: [String]
    }

    func score(_ text: String) -> Score {
        let range = NSRange(location: 0, length: (text as NSString).length)
        let words = Double(max(1, Self.wordRegex.numberOfMatches(in: text, range: range)))
        let dilution = min(1, (Self.shortText / words).squareRoot())
        var clean = 1.0
        var matched: [String] = []
        for (term, regex) in patterns {
            let hits = regex.numberOfMatches(in: text, range: range)
            guard hits > 0 else { continue }
            matched.append(term.term)
            let weight = term.weight >= Self.severeWeight ? term.weight : term.weight * dilution
            clean *= pow(1 - weight, Double(hits))
        }
        return Score(value: ((1 - clean) * 1000).rounded() / 1000, matched: matched)
    }
}
