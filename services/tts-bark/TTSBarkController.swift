import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit
import Tracing

/// tts-bark's HTTP surface: synthesise speech, list voices.
struct TTSBarkController: Sendable {
    /// The span of a streamed synthesis before its 200: the draw, the fault check and the rendering.
    static let prepareSpan = "tts.prepare"

    let engine: SpeechEngine
    let latency: LatencySource
    let maxBodyBytes: Int
    /// The process's fault scenarios: `ttsSlow` stretches the model's time, `ttsFailure` makes it fail.
    let scenarios: ScenarioBoard

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/synthesize", use: synthesize)
        group.get("/voices", use: voices)
    }

    /// POST /synthesize `{text, voice?, speed?, stream?}` -> `audio/ogg; codecs=opus`, with the
    /// original's JSON fields (engine, processing time, voice used) and the audio length as headers.
    /// With `"stream": true` the same file is written page by page (chunked) as the model would
    /// produce it, its first audio after the first clause rather than the whole text.
    func synthesize(request: Request, context: FleetRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SynthesisRequest.self, limit: maxBodyBytes)
        let (text, voice, speed) = try engine.resolve(text: body.text, voice: body.voice, speed: body.speed)
        if body.stream == true { return try await synthesizeStreamed(text, voice: voice, speed: speed) }
        let start = ContinuousClock.now
        let speech: RenderedSpeech
        do {
            speech = try await withStageSpan(StageSpan.synthesize) { span in
                span.attributes["tts.voice"] = voice.id
                span.attributes["tts.characters"] = text.count
                span.attributes["tts.speed"] = speed
                return try await render(text, voice: voice, speed: speed, start: start, span: span)
            }
        } catch {
            MetricCatalog.ttsSyntheses.increment(["status": "error"])
            throw error
        }
        let elapsed = (ContinuousClock.now - start).seconds
        record(characters: text.count, audioSeconds: speech.audioSeconds, elapsed: elapsed)
        let headers = Self.headers(voice: speech.voice, audioSeconds: speech.audioSeconds, elapsed: elapsed)
        return BinaryBody(speech.audio, contentType: MediaType.oggOpus, headers: headers).response(from: request, context: context)
    }

    /// The streamed answer: the model's time is drawn and the speech rendered before the 200 (so a
    /// failure is still a 500), then the pages go out at their clauses' times in the span of the
    /// synthesis, which the writer carries on after the handler returns.
    private func synthesizeStreamed(_ text: String, voice: Voice, speed: Double) async throws -> Response {
        let start = ContinuousClock.now
        let parent = ServiceContext.current ?? .topLevel
        let prepared: (pcmSeconds: Double, streamed: StreamedSpeech)
        do {
            prepared = try await withStageSpan(Self.prepareSpan) { span in
                try checkFailure(span)
                let modelTime = await latency.next(units: Double(text.count)) * slowdown(span)
                let model = latency.model, scale = latency.scale
                return try await Self.offThePool {
                    let pcm = SpeechSynthesizer(voice: voice).synthesize(text, speed: speed)
                    let comments = SpeechEngine.comments(text: text, voice: voice)
                    let streamed = try StreamedSpeech(pcm: pcm, text: text, comments: comments, modelTime: modelTime,
                                                      base: model.baseMedian * scale, perCharacter: model.perUnit * scale)
                    return (Double(pcm.count) / Double(AudioFormat.sampleRate), streamed)
                }
            }
        } catch {
            MetricCatalog.ttsSyntheses.increment(["status": "error"])
            throw error
        }
        let body = ResponseBody { writer in
            try await ServiceContext.$current.withValue(parent) {
                try await withStageSpan(StageSpan.synthesize) { span in
                    span.attributes["tts.voice"] = voice.id
                    span.attributes["tts.characters"] = text.count
                    span.attributes["tts.speed"] = speed
                    span.attributes["tts.streamed"] = true
                    var bytes = 0
                    for page in prepared.streamed.pages {
                        let due = start + .seconds(page.releaseAt)
                        if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                        if bytes == 0 { span.addEvent(SpanEvent(name: StageSpan.firstAudioEvent)) }
                        try await writer.write(ByteBuffer(bytes: page.bytes))
                        bytes += page.bytes.count
                    }
                    span.attributes["tts.audio_seconds"] = prepared.pcmSeconds
                    span.attributes["tts.audio_bytes"] = bytes
                }
            }
            record(characters: text.count, audioSeconds: prepared.pcmSeconds, elapsed: (ContinuousClock.now - start).seconds)
            try await writer.finish(nil)
        }
        var headers = Self.headers(voice: voice.id, audioSeconds: prepared.pcmSeconds,
                                   elapsed: (ContinuousClock.now - start).seconds)
        headers[.contentType] = MediaType.oggOpus
        return Response(status: .ok, headers: headers, body: body)
    }

    private func record(characters: Int, audioSeconds: Double, elapsed: Double) {
        MetricCatalog.ttsSyntheses.increment(["status": "success"])
        MetricCatalog.ttsSynthesisDuration.observe(elapsed)
        MetricCatalog.ttsCharacters.increment(by: Double(characters))
        MetricCatalog.ttsAudioSeconds.increment(by: audioSeconds)
    }

    private static func headers(voice: String, audioSeconds: Double, elapsed: Double) -> HTTPFields {
        [
            SynthesisHeader.engine: TTSBarkConfig.engine,
            .processingTimeMs: String(format: "%.1f", elapsed * 1000),
            SynthesisHeader.voiceUsed: voice,
            SynthesisHeader.audioSeconds: String(format: "%.3f", audioSeconds),
        ]
    }

    /// `ttsFailure`: the model fails on this text.
    private func checkFailure(_ span: any Span) throws {
        if scenarios.strikes(.ttsFailure) {
            span.attributes[Scenario.spanAttribute] = Scenario.ttsFailure.key
            throw FleetError.internalError("The speech model failed on this text (fault scenario ttsFailure is on).")
        }
    }

    /// `ttsSlow`'s factor on the model's time (1 when it is off).
    private func slowdown(_ span: any Span) -> Double {
        let slowdown = scenarios.factor(.ttsSlow)
        if slowdown != 1 {
            span.attributes[Scenario.spanAttribute] = Scenario.ttsSlow.key
            span.attributes["tts.slowdown_factor"] = slowdown
        }
        return slowdown
    }

    /// The model's work: fails when `ttsFailure` strikes, otherwise renders and takes the drawn
    /// time (times `ttsSlow`'s factor); rendering for real already used part of it.
    private func render(_ text: String, voice: Voice, speed: Double, start: ContinuousClock.Instant,
                        span: any Span) async throws -> RenderedSpeech {
        try checkFailure(span)
        let modelTime = await latency.next(units: Double(text.count)) * slowdown(span)
        let speech = try await Self.offThePool { try engine.render(text, voice: voice, speed: speed) }
        let remaining = modelTime - (ContinuousClock.now - start).seconds
        if remaining > 0 { try await Task.sleep(for: .seconds(remaining)) }
        span.attributes["tts.audio_seconds"] = speech.audioSeconds
        span.attributes["tts.audio_bytes"] = speech.audio.count
        return speech
    }

    func voices(request: Request, context: FleetRequestContext) async throws -> VoiceList {
        VoiceList(voices: Voice.all.map { VoiceInfo(id: $0.id, description: SpeechEngine.describe($0)) },
                  default: engine.defaultVoice)
    }

    /// Rendering a long text is real CPU work; it runs on one of the service's synthesis threads
    /// (one per core, `WorkerThreads` says why), so the few threads of Swift's cooperative pool
    /// stay free for the requests being served meanwhile.
    static let synthesisThreads = WorkerThreads(name: "synthesis", count: ProcessInfo.processInfo.activeProcessorCount)

    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await synthesisThreads.run(work)
    }
}
