public import Tracing

/// The names of the spans that tell a voice turn's story, one per stage, shared by the services
/// that make them and the tests that look for them.
public enum StageSpan {
    /// Root of every trace (discord): attributes conversation.id, voice.speaker, voice.turn.number.
    public static let turn = "voice.turn"
    /// discord: encoding the segment as Ogg Opus before sending it on.
    public static let encode = "voice.encode_segment"
    /// audio-processor: decode, trim, normalise, score and re-encode a segment.
    public static let processSegment = "audio.process_segment"
    /// audio-processor: the enhancement stt asks for.
    public static let enhance = "audio.enhance"
    /// stt: the (stubbed) speech recognition model.
    public static let transcribe = "stt.transcribe"
    /// discord: the fuzzy wake-phrase match.
    public static let wakeDetection = "voice.wake_detection"
    /// orchestrator: the whole transcript -> reply orchestration.
    public static let orchestrate = "orchestrator.turn"
    /// guardrails: checking what the user said, and what the model answered.
    public static let guardrailsInput = "guardrails.validate_input"
    public static let guardrailsOutput = "guardrails.validate_output"
    /// orchestrator: the model call, named per gen_ai conventions `{operation} {model}`.
    public static func chat(model: String) -> String { "chat \(model)" }
    /// llm-flan: the (stubbed) generation itself.
    public static let generate = "llm.generate"
    /// tts-bark: the (stubbed) synthesis model.
    public static let synthesize = "tts.synthesize"
    /// discord: playing the reply into the voice channel, paced in real time.
    public static let playback = "voice.playback"

    /// testing-ui: root of each typed run's trace, linked to the HTTP request that asked for it.
    public static let uiRun = "testing_ui.run"
    /// testing-ui: synthesizing the typed text as the user's speech (Ogg Opus).
    public static let uiSynthesizeInput = "testing_ui.synthesize_input"
    /// testing-ui: its calls to audio-processor, stt and the orchestrator. They are named apart from
    /// those services' own stage spans (`audio.process_segment`, ...), which sit under them in the
    /// same trace, so each name still belongs to one service.
    public static let uiProcessSegment = "testing_ui.process_segment"
    public static let uiTranscribe = "testing_ui.transcribe"
    public static let uiOrchestrate = "testing_ui.orchestrate"

    /// Span events.
    public static let wakeDetectedEvent = "wake_detected"
    public static let firstTokenEvent = "first_token"
    public static let firstAudioEvent = "first_audio"
}

/// Runs `body` in a child span of the current one; a thrown error is recorded on the span and
/// sets its status, so failures are visible in the trace, then rethrown.
public func withStageSpan<T>(_ name: String, ofKind kind: SpanKind = .internal,
                             _ body: (any Span) async throws -> T) async throws -> T {
    try await withSpan(name, ofKind: kind) { span in
        do {
            return try await body(span)
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
            throw error
        }
    }
}
