import Foundation
import ServiceKit

/// The guardrails' settings: the original's limits under their GUARDRAILS_* names, plus the stub
/// classifier's latency.
struct GuardrailsConfig: Sendable {
    /// GUARDRAILS_MAX_INPUT_LENGTH: characters a user's text may have (the original's 1000).
    var maxInputLength = 1000
    /// GUARDRAILS_TOXICITY_THRESHOLD: output scoring above this (0...1) is blocked (the original's 0.7).
    var toxicityThreshold = 0.7
    /// GUARDRAILS_EXTRA_INJECTION_PHRASES: comma-separated phrases to block on top of the built-in list.
    var extraInjectionPhrases: [String] = []
    /// GUARDRAILS_MAX_BODY_BYTES: the largest request body accepted (413 above it). Output texts
    /// are not length-limited by the rules, so this is what bounds them.
    var maxBodyBytes = 64 * 1024

    /// The check's cost: the original ran toxic-bert (a BERT-base classifier) on CPU, ~20-60 ms
    /// per short text. We model the accelerated case a deployment would use — ONNX/quantised, or a
    /// small GPU — at a median of 3 ms and a p99 of 20 ms (a cold cache, a GC pause), plus 10 µs
    /// per character for longer texts: LATENCY_PROFILE's default (`original` models the CPU
    /// classifier), overridden by GUARDRAILS_LATENCY_MEDIAN / _P99 / _PER_CHAR (seconds).
    var latency = LatencyProfile.default.guardrails

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        maxInputLength = try reader.parsed("guardrails.max.input.length", default: maxInputLength) {
            Int($0).flatMap { $0 > 0 ? $0 : nil }
        }
        toxicityThreshold = try reader.parsed("guardrails.toxicity.threshold", default: toxicityThreshold) {
            Double($0).flatMap { (0...1).contains($0) ? $0 : nil }
        }
        extraInjectionPhrases = try reader.parsed("guardrails.extra.injection.phrases", default: extraInjectionPhrases) { raw in
            raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        maxBodyBytes = try reader.parsed("guardrails.max.body.bytes", default: maxBodyBytes) {
            Int($0).flatMap { $0 >= 1024 ? $0 : nil }
        }
        latency = settings.latencyProfile.guardrails
        let median = try reader.parsed("guardrails.latency.median", default: latency.baseMedian) {
            Double($0).flatMap { $0 > 0 ? $0 : nil }
        }
        let p99 = try reader.parsed("guardrails.latency.p99", default: max(latency.baseP99, median)) {
            Double($0).flatMap { $0 >= median ? $0 : nil }
        }
        let perChar = try reader.parsed("guardrails.latency.per.char", default: latency.perUnit) {
            Double($0).flatMap { $0 >= 0 ? $0 : nil }
        }
        latency = LatencyModel(median: median, p99: p99, perUnit: perChar)
    }

    /// The policy these settings describe.
    var policy: GuardrailPolicy {
        var policy = GuardrailPolicy()
        policy.maxInputLength = maxInputLength
        policy.toxicityThreshold = toxicityThreshold
        policy.injectionPhrases += extraInjectionPhrases.map { $0.lowercased() }
        return policy
    }
}
