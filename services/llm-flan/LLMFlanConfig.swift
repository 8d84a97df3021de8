import Foundation
import ServiceKit

/// llm-flan's settings: the model's limits and the timing of its (stubbed) generation.
struct LLMFlanConfig: Sendable {
    /// The one model served, as the original's GET /models named it.
    static let modelID = "flan-t5-large"

    /// LLM_CONTEXT_TOKENS: prompt tokens accepted; longer prompts are a 400, as OpenAI answers.
    /// FLAN-T5 was trained on 512, but its relative position buckets stretch well past that, and a
    /// conversation with a few turns of history needs the room.
    var contextTokens = 2048
    /// LLM_DEFAULT_MAX_TOKENS: the reply limit when a request sets no max_tokens.
    var defaultMaxTokens = 256
    /// LLM_MAX_BODY_BYTES: the largest request body accepted (413 above it).
    var maxBodyBytes = 1024 * 1024

    /// Time to first token: encoding the prompt and the first decoder step. LATENCY_PROFILE's
    /// (default: FLAN-T5-large (780M) on a mid-range GPU, ~250 ms at the median and ~900 ms at p99
    /// under contention, plus about half a millisecond per prompt token for the encoder pass),
    /// overridden by LLM_TTFT_MEDIAN / LLM_TTFT_P99 / LLM_TTFT_PER_PROMPT_TOKEN (seconds).
    var timeToFirstToken = LatencyProfile.default.llmTimeToFirstToken
    /// LLM_TOKENS_PER_SECOND: the median decoding speed (default profile: 35). Each token's gap is
    /// drawn around 1/rate with a p99 of twice that, so the rate shows visible jitter.
    var tokensPerSecond = LatencyProfile.default.llmTokensPerSecond

    var tokenGap: LatencyModel {
        LatencyModel(median: 1 / tokensPerSecond, p99: 2 / tokensPerSecond)
    }

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        contextTokens = try reader.parsed("llm.context.tokens", default: contextTokens) { Int($0).flatMap { $0 >= 16 ? $0 : nil } }
        defaultMaxTokens = try reader.parsed("llm.default.max.tokens", default: defaultMaxTokens) {
            Int($0).flatMap { $0 >= 1 ? $0 : nil }
        }
        maxBodyBytes = try reader.parsed("llm.max.body.bytes", default: maxBodyBytes) { Int($0).flatMap { $0 >= 1024 ? $0 : nil } }
        timeToFirstToken = settings.latencyProfile.llmTimeToFirstToken
        tokensPerSecond = settings.latencyProfile.llmTokensPerSecond
        let median = try reader.parsed("llm.ttft.median", default: timeToFirstToken.baseMedian) {
            Double($0).flatMap { $0 > 0 ? $0 : nil }
        }
        let p99 = try reader.parsed("llm.ttft.p99", default: max(timeToFirstToken.baseP99, median)) {
            Double($0).flatMap { $0 >= median ? $0 : nil }
        }
        let perToken = try reader.parsed("llm.ttft.per.prompt.token", default: timeToFirstToken.perUnit) {
            Double($0).flatMap { $0 >= 0 ? $0 : nil }
        }
        timeToFirstToken = LatencyModel(median: median, p99: p99, perUnit: perToken)
        tokensPerSecond = try reader.parsed("llm.tokens.per.second", default: tokensPerSecond) {
            Double($0).flatMap { $0 > 0 && $0 <= 10_000 ? $0 : nil }
        }
    }
}
