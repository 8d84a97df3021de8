public import ServiceKit

/// POST /validate/input and /validate/output — the original's `{text, validation_type}` ->
/// `{safe, reason, sanitized, filtered}`, plus the toxicity score and what was redacted.
public struct ValidationRequest: Codable, Sendable, Equatable {
    public var text: String
    public var validationType: String?

    public init(text: String, validationType: String? = nil) {
        self.text = text
        self.validationType = validationType
    }
}

public struct ValidationResult: Codable, Sendable, Equatable {
    /// False when the text must not go on (too long, injection, toxic).
    public var safe: Bool
    /// Why it was blocked or changed: too_long, prompt_injection, toxicity, pii, control_characters, empty.
    public var reason: String?
    /// The text with control characters stripped and PII replaced by `[EMAIL_REDACTED]` and friends.
    public var sanitized: String
    /// True when `sanitized` differs from the input.
    public var filtered: Bool
    public var toxicityScore: Double
    /// The kinds of PII redacted, e.g. ["EMAIL", "PHONE"].
    public var redactions: [String]

    public init(safe: Bool, reason: String?, sanitized: String, filtered: Bool, toxicityScore: Double,
                redactions: [String]) {
        self.safe = safe
        self.reason = reason
        self.sanitized = sanitized
        self.filtered = filtered
        self.toxicityScore = toxicityScore
        self.redactions = redactions
    }
}

/// What the orchestrator needs from the guardrails service.
public protocol Guardrails: Peer {
    func validateInput(_ text: String) async throws -> ValidationResult
    func validateOutput(_ text: String) async throws -> ValidationResult
}

/// Guardrails over HTTP.
public struct GuardrailsClient: Guardrails, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func validateInput(_ text: String) async throws -> ValidationResult {
        try await client.postJSON("/validate/input", ValidationRequest(text: text, validationType: "input"))
    }

    public func validateOutput(_ text: String) async throws -> ValidationResult {
        try await client.postJSON("/validate/output", ValidationRequest(text: text, validationType: "output"))
    }
}
