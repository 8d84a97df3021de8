import FleetContracts

/// GET /rules: the active rules, so anyone wondering why a text was blocked can read exactly what
/// it was checked against (the original kept them in code only).
struct RuleSet: Codable, Sendable, Equatable {
    struct Input: Codable, Sendable, Equatable {
        var maxLength: Int
        var injectionPhrases: [String]
        var stripsControlCharacters: Bool
        var redacts: [String]
    }

    struct Output: Codable, Sendable, Equatable {
        var toxicityThreshold: Double
        var toxicityTerms: [ToxicityScorer.Term]
        var stripsControlCharacters: Bool
        var redacts: [String]
    }

    struct PIIKind: Codable, Sendable, Equatable {
        var kind: String
        var replacement: String
        var matches: String
    }

    var input: Input
    var output: Output
    var pii: [PIIKind]
    /// How the toxicity score is computed, in a sentence.
    var toxicityScoring: String
    /// Reasons a result can carry, in the order they take precedence.
    var reasons: [String]

    init(policy: GuardrailPolicy) {
        let kinds = PIIRedactor.Kind.allCases.map(\.rawValue)
        input = Input(maxLength: policy.maxInputLength, injectionPhrases: policy.injectionPhrases,
                      stripsControlCharacters: true, redacts: kinds)
        output = Output(toxicityThreshold: policy.toxicityThreshold, toxicityTerms: policy.scorer.terms,
                        stripsControlCharacters: true, redacts: kinds)
        pii = PIIRedactor.Kind.allCases.map { PIIKind(kind: $0.rawValue, replacement: $0.tag, matches: $0.summary) }
        toxicityScoring = "Whole-word matches of weighted terms (* matches inflections), combined as 1 - Π(1 - weight); "
            + "weights below \(ToxicityScorer.severeWeight) are diluted by sqrt(\(Int(ToxicityScorer.shortText)) / words) "
            + "in texts longer than \(Int(ToxicityScorer.shortText)) words."
        reasons = ["empty", "too_long", "prompt_injection", "toxicity", "pii", "control_characters"]
    }
}
