import FleetContracts
import Foundation

/// The rules both directions of a conversation pass through, as plain functions of the text.
///
/// Input (what the user said): control characters stripped, then blocked when empty, longer than
/// `maxInputLength`, or carrying a prompt-injection phrase; PII redacted. Output (what the model
/// answered): control characters stripped, blocked when empty or when its toxicity score is above
/// `toxicityThreshold`; PII redacted. Toxicity is scored both ways and reported, but only blocks
/// output: a rude user still deserves a polite answer, a rude assistant must not be heard.
struct GuardrailPolicy: Sendable {
    enum Direction: String, Sendable { case input, output }

    /// The original's phrases and the common variations seen in the wild. Matched
    /// case-insensitively after whitespace is collapsed, so "IGNORE   previous" is caught too.
    static let defaultInjectionPhrases = [
        "ignore previous", "ignore all previous", "ignore the previous", "ignore prior", "ignore your instructions",
        "ignore the above", "disregard previous", "disregard all previous", "disregard your instructions",
        "disregard the above", "forget your instructions", "forget all previous", "override your instructions",
        "system:", "system prompt", "[inst]", "[/inst]", "<|im_start|>", "<<sys>>", "### instruction",
        "jailbreak", "pretend to be", "pretend you are", "act as if you have no", "you are now dan", "do anything now",
        "developer mode", "reveal your instructions", "reveal your prompt",
    ]

    var maxInputLength = 1000
    var toxicityThreshold = 0.7
    var injectionPhrases = GuardrailPolicy.defaultInjectionPhrases
    var scorer = ToxicityScorer()
    var redactor = PIIRedactor()

    func validateInput(_ text: String) -> ValidationResult {
        validate(text, direction: .input)
    }

    func validateOutput(_ text: String) -> ValidationResult {
        validate(text, direction: .output)
    }

    func validate(_ text: String, direction: Direction) -> ValidationResult {
        let stripped = Self.stripControlCharacters(text)
        let redaction = redactor.redact(stripped)
        let toxicity = scorer.score(stripped).value
        let sanitized = redaction.text
        let filtered = sanitized != text

        // Blocking reasons first, in the order a person would explain them.
        let blockedBy: String?
        if stripped.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            blockedBy = "empty"
        } else if direction == .input && stripped.count > maxInputLength {
            blockedBy = "too_long"
        } else if direction == .input && injectionPhrase(in: stripped) != nil {
            blockedBy = "prompt_injection"
        } else if direction == .output && toxicity > toxicityThreshold {
            blockedBy = "toxicity"
        } else {
            blockedBy = nil
        }

        let reason = blockedBy
            ?? (redaction.kinds.isEmpty ? nil : "pii")
            ?? (stripped != text ? "control_characters" : nil)
        return ValidationResult(safe: blockedBy == nil, reason: reason, sanitized: sanitized, filtered: filtered,
                                toxicityScore: toxicity, redactions: redaction.kinds.map(\.rawValue))
    }

    /// The first injection phrase the text contains, if any.
    func injectionPhrase(in text: String) -> String? {
        let normalized = Self.normalizedForMatching(text)
        return injectionPhrases.first { normalized.contains(Self.normalizedForMatching($0)) }
    }

    /// Lower-cased, accents and full-width forms folded, runs of whitespace made one space: the
    /// usual tricks to slip a phrase past a substring match.
    static func normalizedForMatching(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Removes control characters except newline and tab, and the invisible format characters
    /// (zero-width spaces, bidirectional overrides) used to hide text from people reading a log.
    /// A CRLF line end keeps its LF. The zero-width joiner stays: emoji sequences need it.
    static func stripControlCharacters(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\t" {
                scalars.append(scalar)
            } else if scalar.properties.generalCategory == .control || invisible.contains(scalar.value) {
                continue
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Zero-width space/non-joiner, word joiner, byte-order mark, bidi embeddings/overrides/isolates.
    static let invisible: Set<UInt32> = [0x200B, 0x200C, 0x2060, 0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                         0x2066, 0x2067, 0x2068, 0x2069]
}
