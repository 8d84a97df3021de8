import FleetContracts
import Hummingbird
import ServiceKit
import ServiceLifecycle

/// stt: speech recognition with a stubbed faster-whisper (deterministic text, realistic latency).
/// Audio goes through the audio processor's enhancement first; without it the service is
/// degraded, not down.
public enum STTService: FleetService {
    public static let member = FleetMember.stt

    public static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        let config = try STTConfig(settings: runtime.settings)
        var enhancer: (any AudioProcessing)?
        if config.enhanceEnabled {
            // One retry at most: a transcription waiting on a sick processor is worse than one without it.
            let processor = runtime.client(for: .audioProcessor, timeout: .milliseconds(Int(config.enhanceTimeout * 1000)), retries: 1)
            await runtime.health.addDependency(processor, required: false)
            enhancer = AudioProcessingClient(processor)
        }
        let pipeline = TranscriptionPipeline(enhancer: enhancer, latency: runtime.latency(config.latency, stream: "whisper"),
                                             logger: runtime.logger)
        STTController(pipeline: pipeline, config: config, logger: runtime.logger).addRoutes(to: routes)
        return []
    }
}
