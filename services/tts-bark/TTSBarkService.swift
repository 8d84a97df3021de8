import FleetSpeech
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// tts-bark: speaks the assistant's replies, a stand-in for Suno's Bark that really synthesises
/// (flite speech in ten Bark-named voices) and answers with Ogg Opus.
public enum TTSBarkService: FleetService {
    public static let member = FleetMember.tts
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers _: NoPeers) async throws -> [any Service] {
        let config = try TTSBarkConfig(settings: runtime.settings)
        let engine = config.engine

        // Warm up before taking traffic: the first synthesis and encoder set-up happen here, not in
        // a user's request, and readiness reports whether it worked. (The original's readiness
        // always answered 503: a missing `global` left its model unset.)
        let warmedUp: Bool
        do {
            let voice = Voice.named(config.defaultVoice) ?? .default
            let speech = try engine.render("Ready.", voice: voice, speed: 1)
            warmedUp = speech.audioSeconds > 0
            runtime.logger.info("synthesizer warmed up", metadata: [
                "voice": "\(voice.id)", "audio_seconds": "\(speech.audioSeconds)", "bytes": "\(speech.audio.count)",
            ])
        } catch {
            warmedUp = false
            runtime.logger.error("synthesizer warm-up failed", metadata: ["error": "\(error)"])
        }
        await runtime.health.addComponent("synthesizer") { warmedUp }

        TTSBarkController(engine: engine, latency: runtime.latency(config.latency, stream: "synthesis"),
                          maxBodyBytes: config.maxBodyBytes, scenarios: runtime.scenarios).addRoutes(to: routes)
        return []
    }
}
