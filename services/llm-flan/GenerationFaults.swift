import FleetTelemetry
import ServiceKit
import Tracing

/// What the model's fault scenarios do to one generation, drawn once when it starts:
///
/// - `llmSlowFirstToken`: that many seconds more before the first token.
/// - `llmTimeout`: the generation hangs before its first token for `hangSeconds`, far beyond any
///   caller's timeout (the orchestrator's is 30 s). A streamed one sends SSE keep-alive comments
///   meanwhile, and the first that cannot be written — the caller has gone — ends it.
/// - `llmStreamCut`: a streamed reply stops about halfway, mid-sentence, and the connection drops.
struct GenerationFaults: Sendable, Equatable {
    /// A hung generation's wait for its first token: bounded, as no request should live forever.
    static let hangSeconds = 300.0

    /// Seconds added to the first-token wait (`llmSlowFirstToken`).
    var slowFirstToken = 0.0
    /// True when the generation hangs (`llmTimeout`).
    var hangs = false
    /// The tokens a cut stream sends before it drops (`llmStreamCut`); nil when it runs to the end.
    var cutAfterTokens: Int?

    init() {}

    /// Draws a generation's faults from `board`. Only a stream can be cut.
    init(board: ScenarioBoard, tokens: Int, streamed: Bool) {
        slowFirstToken = board.severity(.llmSlowFirstToken) ?? 0
        hangs = board.strikes(.llmTimeout)
        if streamed && board.strikes(.llmStreamCut) { cutAfterTokens = max(1, tokens / 2) }
    }

    /// The whole extra wait before the first token.
    var firstTokenDelay: Double { slowFirstToken + (hangs ? Self.hangSeconds : 0) }

    /// Names the scenario on the generate span (the most drastic, when several apply).
    func annotate(_ span: any Span) {
        let applied = [(hangs, Scenario.llmTimeout), (cutAfterTokens != nil, .llmStreamCut),
                       (slowFirstToken > 0, .llmSlowFirstToken)].first { $0.0 }
        guard let (_, scenario) = applied else { return }
        span.attributes[Scenario.spanAttribute] = scenario.key
        if slowFirstToken > 0 { span.attributes["llm.first_token_delay_seconds"] = slowFirstToken }
        if let cutAfterTokens { span.attributes["llm.stream_cut_after_tokens"] = cutAfterTokens }
    }
}

/// A streamed reply stopped on purpose by `llmStreamCut`: thrown from the body writer, so the
/// server drops the connection mid-body, as a crashed worker or a broken proxy would.
struct StreamCut: Error, CustomStringConvertible {
    let sent: Int
    let of: Int

    var description: String {
        "the reply stream was cut after \(sent) of \(of) tokens (fault scenario llmStreamCut is on)"
    }
}
