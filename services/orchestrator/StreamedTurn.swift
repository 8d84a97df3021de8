public import FleetContracts
import FleetTelemetry
import Foundation
import Logging
import ServiceKit
import Synchronization
import Tracing

/// A turn streamed sentence by sentence, so the first sentence is heard while the model is still
/// writing the rest:
///
///     model tokens -> sentences -> guardrails (output), one sentence at a time, in order
///         -> speech synthesis, up to `synthesesInFlight` sentences at once -> the caller, in order
///
/// The failure policy is the whole turn's (see `TurnOrchestrator`), sentence by sentence:
/// - a sentence the output guardrails block ends the reply: the model is stopped, the withheld
///   notice is spoken in its place (outcome `blocked_output`); what was already said stays said.
/// - guardrails or the model failing mid-stream fails the turn (fail closed): nothing more is
///   spoken, and the turn is not stored.
/// - synthesis failing for one sentence sends that sentence as text, with `audio_error`.
/// The turn is stored once, whole, when the last sentence has gone out.
extension TurnOrchestrator {
    /// What a streamed turn produced: its final event and the outcome label.
    public struct StreamResult: Sendable {
        public var done: ReplyStreamDone
        public var outcome: Outcome
    }

    /// Sentences synthesised at once: enough to keep the next sentence ready while one plays,
    /// few enough that a long reply does not flood tts-bark.
    static let synthesesInFlight = 3

    /// Runs one streamed turn inside the `orchestrator.turn` span (which covers the whole stream)
    /// and records its metrics; `onSentence` gets each sentence in order as soon as it is ready.
    public func handleStreaming(_ input: TurnInput,
                                onSentence: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> StreamResult {
        let firstAudio = Shared(false)
        return try await measuredTurn(input, outcome: \.outcome) { span, start in
            span.attributes["orchestrator.streamed"] = true
            let result = try await runStreaming(input, span: span) { sentence in
                if sentence.audioBase64 != nil, firstAudio.withLock({ seen in defer { seen = true }; return !seen }) {
                    let seconds = (ContinuousClock.now - start).seconds
                    MetricCatalog.orchestratorTimeToFirstAudio.observe(seconds)
                    span.attributes["orchestrator.first_audio_seconds"] = seconds
                    span.addEvent(SpanEvent(name: StageSpan.firstAudioEvent))
                }
                try await onSentence(sentence)
            }
            span.attributes["voice.turn.number"] = result.done.turn
            span.attributes["orchestrator.sentences"] = result.done.sentences
            return result
        }
    }

    private func runStreaming(_ input: TurnInput, span: any Span,
                              emit: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> StreamResult {
        let checked = try await peers.guardrails.validateInput(input.transcript)
        span.attributes["guardrails.input.safe"] = checked.safe
        if let reason = checked.reason { span.attributes["guardrails.input.reason"] = reason }
        if !checked.redactions.isEmpty { span.attributes["guardrails.input.redactions"] = checked.redactions }

        let reply: StreamedReply
        if checked.safe {
            reply = try await streamModel(checked.sanitized, input: input, span: span, emit: emit)
        } else {
            // Refused before the model: the user still hears why.
            let (sentences, sink) = AsyncThrowingStream<String, any Error>.makeStream()
            for sentence in SentenceSplitter.split(Replies.refusal(for: checked.reason)) { sink.yield(sentence) }
            sink.finish()
            let spoken = try await speakInOrder(sentences, input: input, span: span, emit: emit)
            reply = StreamedReply(spoken: spoken, outcome: .blockedInput, engine: "guardrails", outputReason: nil)
        }

        let inputReason = checked.safe ? nil : (checked.reason ?? "blocked")
        let text = reply.spoken.text
        let turn = try await store.append(NewTurn(
            sessionId: input.sessionId, correlationId: input.correlationId, userText: checked.sanitized,
            assistantText: text, inputGuardrailReason: inputReason, outputGuardrailReason: reply.outputReason))
        let spoken = reply.spoken
        let done = ReplyStreamDone(
            response: text, sessionId: input.sessionId, correlationId: input.correlationId, engine: reply.engine,
            allowed: reply.outcome == .replied, guardrailReason: inputReason ?? reply.outputReason,
            audioSeconds: spoken.audioSeconds, voice: spoken.voice ?? input.voice, turn: turn,
            sentences: spoken.texts.count, audioError: spoken.audioError.map { "\($0.code): \($0.message)" })
        return StreamResult(done: done, outcome: reply.outcome)
    }

    /// The model's reply, streamed: its tokens are cut into sentences, each checked by the output
    /// guardrails before it is spoken; a blocked one stops the model and ends the reply.
    private func streamModel(_ transcript: String, input: TurnInput, span: any Span,
                             emit: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> StreamedReply {
        let history = try await store.recentHistory(session: input.sessionId, turns: config.historyTurns)
        let messages = prompt(history: history, transcript: transcript)
        span.attributes["orchestrator.history.messages"] = history.count
        if let agent {
            try await withStageSpan(Self.planSpan) { plan in
                plan.attributes["orchestrator.prompt.messages"] = messages.count
                try await agent.simulate(units: Double(messages.count))
            }
        }

        let model = peers.languageModel, guardrails = peers.guardrails
        let maxTokens = config.maxTokens, limit = config.llmTimeout
        let (pieces, pieceSink) = AsyncThrowingStream<String, any Error>.makeStream()
        let (checked, checkedSink) = AsyncThrowingStream<String, any Error>.makeStream()
        let state = Shared(ModelState())

        return try await withThrowingTaskGroup(of: Void.self) { group in
            // The model writes; its pieces of text go to the splitter as they arrive. Its timeout
            // covers the whole reply, as in a whole turn.
            group.addTask {
                do {
                    let generation = try await withDeadline(limit, peer: model.name) {
                        try await model.generate(messages, maxTokens: maxTokens, onText: { pieceSink.yield($0) })
                    }
                    state.withLock { $0.generation = generation }
                    pieceSink.finish()
                } catch {
                    pieceSink.finish(throwing: error)
                }
            }
            // Sentences are checked one at a time, in order: a blocked one ends the reply there.
            group.addTask {
                do {
                    var splitter = SentenceSplitter()
                    var passed = 0
                    func check(_ sentence: String) async throws -> Bool {
                        let verdict = try await guardrails.validateOutput(sentence)
                        guard verdict.safe else {
                            state.withLock { $0.blockedReason = verdict.reason ?? "blocked" }
                            checkedSink.yield(Replies.withheldOutput)
                            return false
                        }
                        passed += 1
                        checkedSink.yield(verdict.sanitized)
                        return true
                    }
                    var open = true
                    reading: for try await piece in pieces {
                        for sentence in splitter.feed(piece) where open {
                            open = try await check(sentence)
                        }
                        if !open { break reading }
                    }
                    if open {
                        for sentence in splitter.finish() where open { open = try await check(sentence) }
                        if open, passed == 0 { _ = try await check(Replies.emptyGeneration) }
                    }
                    checkedSink.finish()
                } catch {
                    checkedSink.finish(throwing: error)
                }
            }

            let spoken = try await speakInOrder(checked, input: input, span: span, emit: emit)
            group.cancelAll()  // a blocked reply: the model need not finish
            let (generation, blockedReason) = state.withLock { ($0.generation, $0.blockedReason) }
            if let generation { span.attributes["orchestrator.llm.ttft_seconds"] = generation.timeToFirstToken }
            span.attributes["guardrails.output.safe"] = blockedReason == nil
            if let blockedReason {
                span.attributes["guardrails.output.reason"] = blockedReason
                return StreamedReply(spoken: spoken, outcome: .blockedOutput, engine: "guardrails", outputReason: blockedReason)
            }
            return StreamedReply(spoken: spoken, outcome: .replied, engine: generation?.model ?? model.name, outputReason: nil)
        }
    }

    /// Speaks `sentences` as they come, up to `synthesesInFlight` at once, and hands each to `emit`
    /// in order the moment it and every sentence before it are ready.
    private func speakInOrder(_ sentences: AsyncThrowingStream<String, any Error>, input: TurnInput, span: any Span,
                              emit: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> SpokenReply {
        let (queue, queueSink) = AsyncThrowingStream<QueuedSentence, any Error>.makeStream()
        let syntheses = SynthesisTasks()
        defer { syntheses.cancelAll() }  // the caller left, or the turn failed: stop synthesising
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    var window: [Task<SentenceSpeech, Never>] = []
                    for try await text in sentences {
                        var synthesis: Task<SentenceSpeech, Never>?
                        if input.includeAudio {
                            if window.count >= Self.synthesesInFlight { _ = await window.removeFirst().value }
                            // A task, not a child: the queue awaits it in order while the next starts.
                            // It inherits the turn's trace context, so its spans are the turn's.
                            let task = Task { await self.speakSentence(text, input: input) }
                            syntheses.add(task)
                            window.append(task)
                            synthesis = task
                        }
                        queueSink.yield(QueuedSentence(text: text, synthesis: synthesis))
                    }
                    queueSink.finish()
                } catch {
                    queueSink.finish(throwing: error)
                }
            }

            var reply = SpokenReply()
            for try await queued in queue {
                let speech = await queued.synthesis?.value
                var sentence = ReplySentence(index: reply.texts.count, text: queued.text)
                if let synthesis = speech?.synthesis {
                    sentence.audioBase64 = Data(synthesis.audio).base64EncodedString()
                    sentence.audioSeconds = synthesis.audioSeconds
                    reply.audioSeconds = (reply.audioSeconds ?? 0) + synthesis.audioSeconds
                    reply.voice = reply.voice ?? synthesis.voice
                } else if let error = speech?.error {
                    sentence.audioError = "\(error.code): \(error.message)"
                    if reply.audioError == nil {
                        reply.audioError = error
                        span.attributes["tts.error"] = error.code.description
                    }
                }
                reply.texts.append(queued.text)
                try await emit(sentence)
            }
            if let voice = reply.voice { span.attributes["tts.voice"] = voice }
            if let seconds = reply.audioSeconds { span.attributes["tts.audio_seconds"] = seconds }
            return reply
        }
    }

    /// One sentence's speech; a failure is logged and handed back (a silent sentence beats none).
    private func speakSentence(_ text: String, input: TurnInput) async -> SentenceSpeech {
        do {
            return SentenceSpeech(synthesis: try await peers.speech.synthesize(text, voice: input.voice), error: nil)
        } catch {
            let fleetError = FleetError.from(error)
            logger.warning("speech synthesis failed for a sentence; sending it as text", metadata: [
                "error": "\(fleetError)", "session_id": "\(input.sessionId)", "correlation_id": "\(input.correlationId)",
            ])
            return SentenceSpeech(synthesis: nil, error: fleetError)
        }
    }
}

/// A value the tasks of one streamed turn share.
private final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}

/// What the model task and the checking task tell the turn when both are done.
private struct ModelState: Sendable {
    var generation: Generation?
    var blockedReason: String?
}

/// The sentences a streamed turn spoke, and what their speech came to.
struct SpokenReply: Sendable {
    var texts: [String] = []
    var audioSeconds: Double?
    var voice: String?
    var audioError: FleetError?

    var text: String { texts.joined(separator: " ") }
}

/// A streamed reply and who wrote it: `engine` is the model, or "guardrails" when they stepped in.
private struct StreamedReply: Sendable {
    var spoken: SpokenReply
    var outcome: TurnOrchestrator.Outcome
    var engine: String
    var outputReason: String?
}

private struct SentenceSpeech: Sendable {
    var synthesis: Synthesis?
    var error: FleetError?
}

private struct QueuedSentence: Sendable {
    var text: String
    var synthesis: Task<SentenceSpeech, Never>?
}

/// The synthesis tasks of one streamed turn, so a turn that ends early cancels those still running.
private final class SynthesisTasks: Sendable {
    private let tasks = Mutex<[Task<SentenceSpeech, Never>]>([])

    func add(_ task: Task<SentenceSpeech, Never>) {
        tasks.withLock { $0.append(task) }
    }

    func cancelAll() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}
