import FleetAudio
import FleetContracts
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

    /// Span names of a run.
    public enum Spans {
        public static let run = "testing_ui.run"
        public static let synthesize = "testing_ui.synthesize_input"
        public static let process = "testing_ui.process_segment"
        public static let transcribe = "testing_ui.transcribe"
        public static let orchestrate = "testing_ui.orchestrate"
    }

    public func run(_ input: ValidatedRun) async throws -> RunResult {
        let request = ServiceContext.current
        do {
            let result = try await withSpan(Spans.run, context: .topLevel) { span in
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

        let (speech, speechSeconds) = try await timed(&timings.synthesize) {
            try await withStageSpan(Spans.synthesize) { stage in
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

        let processed = try await timed(&timings.process) {
            try await withStageSpan(Spans.process) { stage in
                let processed = try await audio.processSegment(speech)
                stage.attributes["audio.quality_score"] = processed.metrics.qualityScore
                stage.attributes["audio.speech_seconds"] = processed.metrics.speechSeconds
                return processed
            }
        }

        let heard = try await timed(&timings.transcribe) {
            try await withStageSpan(Spans.transcribe) { stage in
                let result = try await transcriber.transcribe(processed.audio, contentType: "audio/ogg",
                                                              correlationID: traceID)
                stage.attributes["stt.transcript.source"] = result.source
                stage.attributes["stt.confidence"] = result.confidence
                stage.attributes["stt.transcript.length"] = result.text.count
                return result
            }
        }
        let transcript = heard.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !transcript.isEmpty else {
            throw FleetError.unprocessable("Speech recognition heard nothing in the synthesized audio, so there is nothing to answer.")
        }

        let reply = try await timed(&timings.orchestrate) {
            try await withStageSpan(Spans.orchestrate) { stage in
                let reply = try await orchestrator.handle(TranscriptRequest(
                    transcript: transcript, sessionId: input.sessionId, correlationId: traceID,
                    voice: input.replyVoice.id, includeAudio: true))
                stage.attributes["gen_ai.conversation.id"] = reply.sessionId
                stage.attributes["guardrails.allowed"] = reply.allowed
                if let seconds = reply.audioSeconds { stage.attributes["audio.duration_seconds"] = seconds }
                return reply
            }
        }
        span.attributes["gen_ai.conversation.id"] = reply.sessionId
        span.attributes["guardrails.allowed"] = reply.allowed
        timings.total = (ContinuousClock.now - start).seconds * 1000

        return RunResult(
            transcript: transcript, transcriptSource: heard.source, response: reply.response,
            allowed: reply.allowed, guardrailReason: reply.guardrailReason, sessionId: reply.sessionId,
            turn: reply.turn, voice: input.voice.id, replyVoice: reply.voice ?? input.replyVoice.id,
            inputAudioBase64: Data(speech).base64EncodedString(), inputAudioSeconds: speechSeconds,
            inputQuality: processed.metrics, replyAudioBase64: reply.audioBase64,
            replyAudioSeconds: reply.audioSeconds, timingsMs: timings, traceId: traceID)
    }

    /// Runs one stage and stores how long it took, in milliseconds.
    private func timed<T>(_ milliseconds: inout Double, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { milliseconds = (ContinuousClock.now - start).seconds * 1000 }
        return try await body()
    }
}

/// The W3C trace id of a context, read through whatever tracer is bootstrapped, so this module
/// needs no tracer of its own. Nil when tracing is off.
enum TraceIdentity {
    struct Carrier: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }

    static func traceID(of context: ServiceContext) -> String? {
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: Carrier())
        return headers["traceparent"].flatMap(traceID(fromTraceparent:))
    }

    /// The trace id of a W3C `traceparent` (version-traceid-spanid-flags); nil unless valid.
    static func traceID(fromTraceparent header: String) -> String? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit),
              parts[1] != Substring(repeating: "0", count: 32) else { return nil }
        return parts[1].lowercased()
    }
}
