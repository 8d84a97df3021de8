public import FleetContracts
import Foundation
public import ServiceKit

/// Guardrails that block any text containing one of the given phrases (lower-case) with its reason,
/// redact "secret@example.com", and remember every text they were asked about.
public actor FakeGuardrails: Guardrails, InMemoryPeer {
    public nonisolated let name = "guardrails"
    let blockInput: [String: String]
    let blockOutput: [String: String]
    let failure: FleetError?
    public private(set) var inputs: [String] = []
    public private(set) var outputs: [String] = []

    /// `failure`, when set, is thrown by every check, and the fake reads as down to a liveness probe.
    public init(blockInput: [String: String] = ["ignore previous": "prompt_injection"],
                blockOutput: [String: String] = ["idiot": "toxicity"], failure: FleetError? = nil) {
        self.blockInput = blockInput
        self.blockOutput = blockOutput
        self.failure = failure
    }

    public func isLive() async -> Bool { failure == nil }

    public func validateInput(_ text: String) async throws -> ValidationResult {
        inputs.append(text)
        return try verdict(text, blockInput)
    }

    public func validateOutput(_ text: String) async throws -> ValidationResult {
        outputs.append(text)
        return try verdict(text, blockOutput)
    }

    private func verdict(_ text: String, _ rules: [String: String]) throws -> ValidationResult {
        if let failure { throw failure }
        let sanitized = text.replacingOccurrences(of: "secret@example.com", with: "[EMAIL_REDACTED]")
        if let (_, reason) = rules.first(where: { text.lowercased().contains($0.key) }) {
            return ValidationResult(safe: false, reason: reason, sanitized: sanitized, filtered: sanitized != text,
                                    toxicityScore: reason == "toxicity" ? 0.95 : 0, redactions: [])
        }
        return ValidationResult(safe: true, reason: sanitized != text ? "pii" : nil, sanitized: sanitized,
                                filtered: sanitized != text, toxicityScore: 0.01,
                                redactions: sanitized != text ? ["EMAIL"] : [])
    }
}
