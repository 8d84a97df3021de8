public import FleetContracts
public import FleetTelemetry
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// stt: speech recognition with a stubbed faster-whisper (deterministic text, realistic latency).
/// Audio goes through the audio processor's enhancement first; without it the service is
/// degraded, not down.
public enum STTService: FleetService {
    public static let member = FleetMember.stt

    public struct Peers: Sendable {
        /// The audio processor whose /enhance/audio cleans the audio first; nil when enhancement is
        /// switched off (STT_ENHANCE_ENABLED=false).
        public var audioProcessor: (any AudioProcessing)?

        public init(audioProcessor: (any AudioProcessing)?) {
            self.audioProcessor = audioProcessor
        }
    }

    public static func peers(runtime: ServiceRuntime) throws -> Peers {
        let config = try STTConfig(settings: runtime.settings)
        guard config.enhanceEnabled else { return Peers(audioProcessor: nil) }
        // One retry at most: a transcription waiting on a sick processor is worse than one without it.
        let processor = runtime.client(for: .audioProcessor, timeout: .milliseconds(Int(config.enhanceTimeout * 1000)),
                                       retries: 1)
        return Peers(audioProcessor: AudioProcessingClient(processor))
    }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers: Peers) async throws -> [any Service] {
        let config = try STTConfig(settings: runtime.settings)
        if let processor = peers.audioProcessor {
            await runtime.health.addDependency(processor, required: false)
        }
        let pipeline = TranscriptionPipeline(enhancer: peers.audioProcessor,
                                             latency: runtime.latency(config.latency, stream: "whisper"),
                                             logger: runtime.logger, scenarios: runtime.scenarios)
        STTController(pipeline: pipeline, config: config, logger: runtime.logger).addRoutes(to: routes)
        return []
    }
}
