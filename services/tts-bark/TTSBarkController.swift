import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Tracing

/// tts-bark's HTTP surface: synthesise speech, list voices.
struct TTSBarkController: Sendable {
    let engine: SpeechEngine
    let latency: LatencySource
    let maxBodyBytes: Int
    /// The process's fault scenarios: `ttsSlow` stretches the model's time, `ttsFailure` makes it fail.
    let scenarios: ScenarioBoard

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/synthesize", use: synthesize)
        group.get("/voices", use: voices)
    }

    /// POST /synthesize `{text, voice?, speed?}` -> `audio/ogg; codecs=opus`, with the original's
    /// JSON fields (engine, processing time, voice used) and the audio length as headers.
    func synthesize(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let body = try await request.decodeJSON(SynthesisRequest.self, limit: maxBodyBytes)
        let (text, voice, speed) = try engine.resolve(text: body.text, voice: body.voice, speed: body.speed)
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
        MetricCatalog.ttsSyntheses.increment(["status": "success"])
        MetricCatalog.ttsSynthesisDuration.observe(elapsed)
        MetricCatalog.ttsCharacters.increment(by: Double(text.count))
        MetricCatalog.ttsAudioSeconds.increment(by: speech.audioSeconds)

        let headers: HTTPFields = [
            SynthesisHeader.engine: TTSBarkConfig.engine,
            .processingTimeMs: String(format: "%.1f", elapsed * 1000),
            SynthesisHeader.voiceUsed: speech.voice,
            SynthesisHeader.audioSeconds: String(format: "%.3f", speech.audioSeconds),
        ]
        return BinaryBody(speech.audio, contentType: MediaType.oggOpus, headers: headers)
    }

    /// The model's work: fails when `ttsFailure` strikes, otherwise renders and takes the drawn
    /// time (times `ttsSlow`'s factor); rendering for real already used part of it.
    private func render(_ text: String, voice: Voice, speed: Double, start: ContinuousClock.Instant,
                        span: any Span) async throws -> RenderedSpeech {
        if scenarios.strikes(.ttsFailure) {
            span.attributes[Scenario.spanAttribute] = Scenario.ttsFailure.key
            throw FleetError.internalError("The speech model failed on this text (fault scenario ttsFailure is on).")
        }
        let slowdown = scenarios.factor(.ttsSlow)
        if slowdown != 1 {
            span.attributes[Scenario.spanAttribute] = Scenario.ttsSlow.key
            span.attributes["tts.slowdown_factor"] = slowdown
        }
        let modelTime = await latency.next(units: Double(text.count)) * slowdown
        let speech = try await Self.renderOffThePool { try engine.render(text, voice: voice, speed: speed) }
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

    /// Rendering a long text is real CPU work; it runs on a Dispatch worker so the few threads of
    /// Swift's cooperative pool (one per core) stay free for the requests being served meanwhile.
    static func renderOffThePool(_ work: @escaping @Sendable () throws -> RenderedSpeech) async throws -> RenderedSpeech {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
