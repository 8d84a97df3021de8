import FleetAudio
public import FleetContracts
import FleetTelemetry
import Foundation
import ServiceKit
import Tracing

/// One turn through the real fleet, the way a voice turn goes, but typed instead of spoken:
///
///     synthesize the text as the user's speech (Ogg Opus, REFERENCE_TRANSCRIPT comment)
///     -> audio-processor /process/segment -> stt /asr -> orchestrator /mcp/transcript
///        (which runs guardrails, the LLM and TTS and hands back the spoken reply)
///
/// Each run is a trace of its own, rooted in `testing_ui.run`, linked to the HTTP request that
/// asked for it, with one child span per stage.
public struct PipelineRunner: Sendable {
    let audio: any AudioProcessing
    let transcriber: any Transcriber
    let orchestrator: any Orchestration

    public init(audio: any AudioProcessing, transcriber: any Transcriber, orchestrator: any Orchestration) {
        self.audio = audio
        self.transcriber = transcriber
        self.orchestrator = orchestrator
    }

    public func run(_ input: ValidatedRun) async throws -> RunResult {
        let request = ServiceContext.current
        do {
            let result = try await withSpan(StageSpan.uiRun, context: .topLevel) { span in
                if let request { span.addLink(SpanLink(context: request, attributes: [:])) }
                do {
                    return try await stages(input, span: span)
                } catch {
                    span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
                    throw error
                }
            }
            MetricCatalog.uiRuns.increment(["status": "success"])
            return result
        } catch {
            MetricCatalog.uiRuns.increment(["status": "error"])
            throw error
        }
    }

    private func stages(_ input: ValidatedRun, span: any Span) async throws -> RunResult {
        let start = ContinuousClock.now
        let traceID = TraceIdentity.traceID(of: span.context)
        span.attributes["voice.speaker"] = input.voice.id
        span.attributes["testing_ui.text.length"] = input.text.count
        if let session = input.sessionId { span.attributes["gen_ai.conversation.id"] = session }
        var timings = RunTimings()

        let speech = try await timed(&timings.synthesize) { try await synthesize(input) }
        let processed = try await timed(&timings.process) { try await process(speech.file) }
        let heard = try await timed(&timings.transcribe) { try await transcribe(processed.audio, correlationID: traceID) }
        let transcript = heard.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !transcript.isEmpty else {
            throw FleetError.unprocessable("Speech recognition heard nothing in the synthesized audio, so there is nothing to answer.")
        }
        let reply = try await timed(&timings.orchestrate) {
            try await orchestrate(transcript, input: input, correlationID: traceID)
        }
        span.attributes["gen_ai.conversation.id"] = reply.sessionId
        span.attributes["guardrails.allowed"] = reply.allowed
        timings.total = (ContinuousClock.now - start).seconds * 1000

        return RunResult(
            transcript: transcript, transcriptSource: heard.source, response: reply.response,
            allowed: reply.allowed, guardrailReason: reply.guardrailReason, sessionId: reply.sessionId,
            turn: reply.turn, voice: input.voice.id, replyVoice: reply.voice ?? input.replyVoice.id,
            inputAudioBase64: Data(speech.file).base64EncodedString(), inputAudioSeconds: speech.seconds,
            inputQuality: processed.metrics, replyAudioBase64: reply.audioBase64,
            replyAudioSeconds: reply.audioSeconds, timingsMs: timings, traceId: traceID)
    }

    /// The typed text as the user's speech: an Ogg Opus file labelled with what was said, as a
    /// simulated speaker's would be.
    private func synthesize(_ input: ValidatedRun) async throws -> (file: [UInt8], seconds: Double) {
        try await withStageSpan(StageSpan.uiSynthesizeInput) { stage in
            let pcm = SpeechSynthesizer(voice: input.voice).synthesize(input.text)
            let file = try OggOpus.encode(pcm, comments: [
                OpusComment.referenceTranscript: input.text,
                OpusComment.voice: input.voice.id,
                OpusComment.speaker: "testing-ui",
            ])
            let seconds = Double(pcm.count) / Double(AudioFormat.sampleRate)
            stage.attributes["voice.id"] = input.voice.id
            stage.attributes["audio.duration_seconds"] = seconds
            stage.attributes["audio.bytes"] = file.count
            return (file, seconds)
        }
    }

    private func process(_ speech: [UInt8]) async throws -> ProcessedAudio {
        try await withStageSpan(StageSpan.uiProcessSegment) { stage in
            let processed = try await audio.processSegment(speech)
            stage.attributes["audio.quality_score"] = processed.metrics.qualityScore
            stage.attributes["audio.speech_seconds"] = processed.metrics.speechSeconds
            return processed
        }
    }

    private func transcribe(_ audio: [UInt8], correlationID: String?) async throws -> TranscriptionResult {
        try await withStageSpan(StageSpan.uiTranscribe) { stage in
            let result = try await transcriber.transcribe(audio, contentType: MediaType.ogg, correlationID: correlationID)
            stage.attributes["stt.transcript.source"] = result.source
            stage.attributes["stt.confidence"] = result.confidence
            stage.attributes["stt.transcript.length"] = result.text.count
            return result
        }
    }

    private func orchestrate(_ transcript: String, input: ValidatedRun, correlationID: String?) async throws -> TranscriptResponse {
        try await withStageSpan(StageSpan.uiOrchestrate) { stage in
            let reply = try await orchestrator.handle(TranscriptRequest(
                transcript: transcript, sessionId: input.sessionId, correlationId: correlationID,
                voice: input.replyVoice.id, includeAudio: true))
            stage.attributes["gen_ai.conversation.id"] = reply.sessionId
            stage.attributes["guardrails.allowed"] = reply.allowed
            if let seconds = reply.audioSeconds { stage.attributes["audio.duration_seconds"] = seconds }
            return reply
        }
    }

    /// Runs one stage and stores how long it took, in milliseconds.
    private func timed<T>(_ milliseconds: inout Double, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { milliseconds = (ContinuousClock.now - start).seconds * 1000 }
        return try await body()
    }
}
