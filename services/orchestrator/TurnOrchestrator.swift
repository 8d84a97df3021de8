public import FleetContracts
import FleetTelemetry
import Foundation
public import Logging
public import ServiceKit
import Tracing

/// One voice turn, transcript in, reply out:
///
///     guardrails (input) -> history + prompt -> language model -> guardrails (output)
///         -> speech synthesis -> remember the turn
///
/// Failure policy, decided per peer:
/// - guardrails down (either direction): the turn fails (502/504, outcome `error`). We fail closed:
///   nothing unchecked goes to the model or, worse, out loud.
/// - language model down: the turn fails; there is no answer to give.
/// - speech synthesis down: the turn still succeeds with the reply as text and no audio. The answer
///   exists and was checked; the caller can show it (testing-ui) or post it (the voice bridge), and
///   `audioError` says why it is silent. The turn is remembered like any other.
/// A failed turn is not stored, so a retry does not see half of it in its history.
public struct TurnOrchestrator: Sendable {
    public let peers: OrchestratorService.Peers
    public let store: any ConversationStore
    public let config: OrchestratorConfig
    /// The simulated agent step before each model call (the original's LangChain agent).
    let agent: LatencySource?
    let logger: Logger

    /// What a turn produced, beyond the wire response.
    public struct Result: Sendable {
        public var response: TranscriptResponse
        public var outcome: Outcome
        /// Why the reply has no audio although audio was asked for (synthesis failed).
        public var audioError: FleetError?
    }

    /// The span of the agent step before the model call.
    public static let planSpan = "orchestrator.plan"

    /// The orchestrator_turns_total outcome label.
    public enum Outcome: String, Sendable {
        case replied, blockedInput = "blocked_input", blockedOutput = "blocked_output", error
    }

    public init(peers: OrchestratorService.Peers, store: any ConversationStore, config: OrchestratorConfig,
                agent: LatencySource? = nil, logger: Logger = Logger(label: "orchestrator")) {
        self.peers = peers
        self.store = store
        self.config = config
        self.agent = agent
        self.logger = logger
    }

    /// Runs one turn inside the `orchestrator.turn` span and records its metrics.
    public func handle(_ input: TurnInput) async throws -> Result {
        try await measuredTurn(input, outcome: \.outcome) { span, _ in
            let result = try await run(input, span: span)
            span.attributes["voice.turn.number"] = result.response.turn
            return result
        }
    }

    /// The bookkeeping every turn shares, streamed or whole: the `orchestrator.turn` span with the
    /// conversation's attributes and the outcome, the turn counter and duration, the sessions
    /// gauge. `body` gets the span and the turn's start.
    func measuredTurn<R>(_ input: TurnInput, outcome: (R) -> Outcome,
                         body: (any Span, ContinuousClock.Instant) async throws -> R) async throws -> R {
        let start = ContinuousClock.now
        do {
            let result = try await withStageSpan(StageSpan.orchestrate) { span in
                Self.describeTurn(input, on: span)
                do {
                    let result = try await body(span, start)
                    span.attributes["orchestrator.outcome"] = outcome(result).rawValue
                    // Logged inside the span, so the line carries the turn's trace and span ids:
                    // Grafana opens it from the trace, and the trace from it. Counts, never text.
                    logger.info("turn orchestrated", metadata: [
                        "outcome": "\(outcome(result).rawValue)", "new_session": "\(input.isNewSession)",
                        "seconds": "\((ContinuousClock.now - start).seconds)",
                    ])
                    return result
                } catch {
                    span.attributes["orchestrator.outcome"] = Outcome.error.rawValue
                    throw error
                }
            }
            MetricCatalog.orchestratorTurns.increment(["outcome": outcome(result).rawValue])
            MetricCatalog.orchestratorTurnDuration.observe((ContinuousClock.now - start).seconds)
            await updateSessionGauge()
            return result
        } catch {
            MetricCatalog.orchestratorTurns.increment(["outcome": Outcome.error.rawValue])
            throw error
        }
    }

    /// The attributes every `orchestrator.turn` span carries, streamed or not: which conversation
    /// and which request it serves.
    static func describeTurn(_ input: TurnInput, on span: any Span) {
        span.attributes["conversation.id"] = input.sessionId
        span.attributes["session.id"] = input.sessionId
        span.attributes["gen_ai.conversation.id"] = input.sessionId
        span.attributes["orchestrator.session.new"] = input.isNewSession
        span.attributes["correlation.id"] = input.correlationId
    }

    /// Sets the conversation_sessions gauge from the store.
    public func updateSessionGauge() async {
        guard let count = try? await store.conversationCount() else { return }
        MetricCatalog.conversationSessions.set(Double(count))
    }

    private func run(_ input: TurnInput, span: any Span) async throws -> Result {
        let checked = try await peers.guardrails.validateInput(input.transcript)
        span.attributes["guardrails.input.safe"] = checked.safe
        if let reason = checked.reason { span.attributes["guardrails.input.reason"] = reason }
        if !checked.redactions.isEmpty { span.attributes["guardrails.input.redactions"] = checked.redactions }

        let answer = checked.safe
            ? try await askModel(checked.sanitized, input: input, span: span)
            // Refused before the model: the user still hears why.
            : Answer(text: Replies.refusal(for: checked.reason), outcome: .blockedInput, engine: "guardrails",
                     outputReason: nil)
        let reply = answer.text
        let outcome = answer.outcome

        let (synthesis, audioError) = input.includeAudio ? await speak(reply, input: input, span: span) : (nil, nil)

        let inputReason = checked.safe ? nil : (checked.reason ?? "blocked")
        let turn = try await store.append(NewTurn(
            sessionId: input.sessionId, correlationId: input.correlationId, userText: checked.sanitized,
            assistantText: reply, inputGuardrailReason: inputReason, outputGuardrailReason: answer.outputReason))

        let response = TranscriptResponse(
            response: reply, sessionId: input.sessionId, correlationId: input.correlationId, engine: answer.engine,
            allowed: outcome == .replied, guardrailReason: inputReason ?? answer.outputReason,
            audioBase64: synthesis.map { Data($0.audio).base64EncodedString() }, audioSeconds: synthesis?.audioSeconds,
            voice: synthesis?.voice ?? input.voice, turn: turn)
        return Result(response: response, outcome: outcome, audioError: audioError)
    }

    /// A reply and who wrote it: `engine` is the model, or "guardrails" when they stepped in.
    private struct Answer {
        var text: String
        var outcome: Outcome
        var engine: String
        var outputReason: String?
    }

    /// Asks the model, with the session's recent history, and checks what it says.
    private func askModel(_ transcript: String, input: TurnInput, span: any Span) async throws -> Answer {
        let history = try await store.recentHistory(session: input.sessionId, turns: config.historyTurns)
        let messages = prompt(history: history, transcript: transcript)
        span.attributes["orchestrator.history.messages"] = history.count
        if let agent {
            // The original's LangChain agent chose tools and assembled the prompt here.
            try await withStageSpan(Self.planSpan) { plan in
                plan.attributes["orchestrator.prompt.messages"] = messages.count
                try await agent.simulate(units: Double(messages.count))
            }
        }
        // The model client's own `chat {model}` span carries the gen_ai request and usage attributes.
        // Its timeout ends at the response head; the whole streamed reply gets the same budget.
        let model = peers.languageModel, maxTokens = config.maxTokens
        let generation = try await withDeadline(config.llmTimeout, peer: model.name) {
            try await model.generate(messages, maxTokens: maxTokens)
        }
        span.attributes["orchestrator.llm.ttft_seconds"] = generation.timeToFirstToken

        let text = generation.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let verdict = try await peers.guardrails.validateOutput(text.isEmpty ? Replies.emptyGeneration : text)
        span.attributes["guardrails.output.safe"] = verdict.safe
        if let reason = verdict.reason { span.attributes["guardrails.output.reason"] = reason }
        guard verdict.safe else {
            return Answer(text: Replies.withheldOutput, outcome: .blockedOutput, engine: "guardrails",
                          outputReason: verdict.reason ?? "blocked")
        }
        return Answer(text: verdict.sanitized, outcome: .replied, engine: generation.model, outputReason: nil)
    }

    /// Synthesises the reply; a failure is logged and handed back instead of thrown (see the
    /// failure policy above: a silent answer beats no answer).
    func speak(_ reply: String, input: TurnInput, span: any Span) async -> (Synthesis?, FleetError?) {
        do {
            let synthesis = try await peers.speech.synthesize(reply, voice: input.voice)
            span.attributes["tts.voice"] = synthesis.voice
            span.attributes["tts.audio_seconds"] = synthesis.audioSeconds
            return (synthesis, nil)
        } catch {
            let fleetError = FleetError.from(error)
            span.recordError(error)
            span.attributes["tts.error"] = fleetError.code.description
            logger.warning("speech synthesis failed; replying with text only", metadata: [
                "error": "\(fleetError)", "session_id": "\(input.sessionId)", "correlation_id": "\(input.correlationId)",
            ])
            return (nil, fleetError)
        }
    }

    /// The model's messages: who Atlas is, the session's recent turns, then what the user just said.
    public func prompt(history: [StoredMessage], transcript: String) -> [ChatMessage] {
        [ChatMessage(role: "system", content: config.systemPrompt)]
            + history.map { ChatMessage(role: $0.role, content: $0.content) }
            + [ChatMessage(role: "user", content: transcript)]
    }
}
