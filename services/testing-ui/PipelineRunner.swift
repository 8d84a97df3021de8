import FleetAudio
public import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import ServiceKit
import Tracing

/// One turn through the real fleet, the way a voice turn goes, but typed or uploaded instead of
/// spoken in a channel:
///
///     typed text: synthesize it as the user's speech (Ogg Opus, REFERENCE_TRANSCRIPT comment)
///     upload:     check it and make it Ogg Opus at 48 kHz (no transcript comment: stt listens)
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

    /// The run's result, or the error of the stage that failed.
    public func run(_ input: ValidatedRun) async throws -> RunResult {
        try await attempt(input).outcome.get()
    }

    /// Runs every stage it can and reports how far it got; never throws.
    public func attempt(_ input: ValidatedRun) async -> RunAttempt {
        var attempt = RunAttempt(input: input)
        let start = ContinuousClock.now
        let request = ServiceContext.current
        do {
            let result = try await withSpan(StageSpan.uiRun, context: .topLevel) { span in
                if let request { span.addLink(SpanLink(context: request, attributes: [:])) }
                do {
                    return try await stages(input, span: span, attempt: &attempt)
                } catch {
                    span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
                    throw error
                }
            }
            attempt.outcome = .success(result)
            MetricCatalog.uiRuns.increment(["status": "success"])
        } catch {
            attempt.outcome = .failure(FleetError.from(error))
            MetricCatalog.uiRuns.increment(["status": "error"])
        }
        attempt.timings.total = (ContinuousClock.now - start).seconds * 1000
        if case .success(var result) = attempt.outcome {
            result.timingsMs = attempt.timings
            attempt.outcome = .success(result)
        }
        return attempt
    }

    private func stages(_ input: ValidatedRun, span: any Span, attempt: inout RunAttempt) async throws -> RunResult {
        let traceID = TraceIdentity.traceID(of: span.context)
        attempt.traceId = traceID
        span.attributes["voice.speaker"] = input.voice.id
        if let text = input.text { span.attributes["testing_ui.text.length"] = text.count }
        if let session = input.sessionId { span.attributes["gen_ai.conversation.id"] = session }

        let speech: PreparedInput
        switch input.source {
        case .text(let text):
            speech = try await timed(&attempt.timings.synthesize) { try await synthesize(text, voice: input.voice) }
        case .audio(let upload):
            span.attributes["testing_ui.input.kind"] = upload.origin.rawValue
            speech = try await timed(&attempt.timings.upload) { try await prepare(upload) }
        }
        attempt.prepared = speech
        let processed = try await timed(&attempt.timings.process) { try await process(speech.file) }
        let heard = try await timed(&attempt.timings.transcribe) {
            try await transcribe(processed.audio, correlationID: traceID)
        }
        let transcript = heard.text.trimmingCharacters(in: .whitespacesAndNewlines)
        attempt.heard = transcript.isEmpty ? nil : transcript
        guard !transcript.isEmpty else {
            throw FleetError.unprocessable("Speech recognition heard nothing in the audio, so there is nothing to answer.")
        }
        let reply = try await timed(&attempt.timings.orchestrate) {
            try await orchestrate(transcript, input: input, correlationID: traceID)
        }
        attempt.replyAudio = reply.audioBase64.flatMap { Data(base64Encoded: $0) }.map(Array.init)
        span.attributes["gen_ai.conversation.id"] = reply.sessionId
        span.attributes["guardrails.allowed"] = reply.allowed

        // What the run shows and keeps is redacted like everything the fleet shows (PIIRedactor):
        // the typed text and the transcript never left guardrails' hands redacted otherwise.
        let redactor = PIIRedactor.shared
        return RunResult(
            id: nil, inputKind: input.kind, text: redactor.redacted(input.text),
            transcript: redactor.redacted(transcript), transcriptSource: heard.source, response: redactor.redacted(reply.response),
            allowed: reply.allowed, guardrailReason: reply.guardrailReason, sessionId: reply.sessionId,
            turn: reply.turn, voice: input.voice.id, replyVoice: reply.voice ?? input.replyVoice.id,
            inputAudioBase64: Data(speech.file).base64EncodedString(), inputAudioSeconds: speech.seconds,
            inputQuality: processed.metrics, replyAudioBase64: reply.audioBase64,
            replyAudioSeconds: reply.audioSeconds, timingsMs: attempt.timings, traceId: traceID)
    }

    /// The typed text as the user's speech, spoken by flite in the chosen voice: an Ogg Opus file
    /// labelled with what was meant, as a simulated speaker's would be (stt listens to the audio;
    /// only its explicit reference mode reads the label).
    private func synthesize(_ text: String, voice: Voice) async throws -> PreparedInput {
        try await withStageSpan(StageSpan.uiSynthesizeInput) { stage in
            let pcm = SpeechSynthesizer(voice: voice).synthesize(text)
            let file = try OggOpus.encode(pcm, comments: [
                OpusComment.referenceTranscript: PIIRedactor.shared.redacted(text),
                OpusComment.voice: voice.id,
                OpusComment.speaker: "testing-ui",
            ])
            let seconds = Double(pcm.count) / Double(AudioFormat.sampleRate)
            stage.attributes["voice.id"] = voice.id
            stage.attributes["audio.duration_seconds"] = seconds
            stage.attributes["audio.bytes"] = file.count
            return PreparedInput(format: "synthesized", file: file, seconds: seconds)
        }
    }

    /// An uploaded file checked and made Ogg Opus; a bad one fails the run here with its 4xx.
    private func prepare(_ upload: AudioInput) async throws -> PreparedInput {
        try await withStageSpan(StageSpan.uiPrepareUpload) { stage in
            stage.attributes["audio.upload.bytes"] = upload.bytes.count
            let prepared = try PreparedInput.from(upload)
            stage.attributes["audio.format"] = prepared.format
            stage.attributes["audio.duration_seconds"] = prepared.seconds
            stage.attributes["audio.bytes"] = prepared.file.count
            return prepared
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

    /// Runs one stage and stores how long it took, in milliseconds (a failing stage's time too).
    private func timed<T>(_ milliseconds: inout Double, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { milliseconds = (ContinuousClock.now - start).seconds * 1000 }
        return try await body()
    }
}

extension StageSpan {
    /// testing-ui: checking an uploaded file and making it Ogg Opus (decode, resample, encode).
    static let uiPrepareUpload = "testing_ui.prepare_upload"
}

extension ValidatedRun {
    /// How the input came: typed, or uploaded from a file or the microphone.
    var kind: InputKind {
        switch source {
        case .text: .text
        case .audio(let upload): upload.origin
        }
    }
}
