public import FleetContracts
import FleetSpeech
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// stt: speech recognition by pocketsphinx on the CPU, with faster-whisper's API and latency.
/// Audio goes through the audio processor's enhancement first; without it the service is
/// degraded, not down.
public enum STTService: FleetService {
    public static let member = FleetMember.stt
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

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
        let recognizer = SpeechRecognizer(settings: config.recognition,
                                          engine: try loadEngine(config.recognition, logger: runtime.logger))
        let pipeline = TranscriptionPipeline(enhancer: peers.audioProcessor,
                                             latency: runtime.latency(config.latency, stream: "whisper"),
                                             recognizer: recognizer, logger: runtime.logger, scenarios: runtime.scenarios)
        STTController(pipeline: pipeline, config: config, logger: runtime.logger).addRoutes(to: routes)
        return []
    }

    /// pocketsphinx's model, loaded at start-up so a missing one stops the service with the
    /// command that installs it. In reference mode the service can run without it.
    static func loadEngine(_ settings: RecognitionSettings, logger: Logger) throws -> SpeechRecognitionEngine? {
        do {
            let engine = try RecognitionEngines.engine(for: settings)
            logger.info("speech recognition ready", metadata: [
                "engine": "\(settings.engine.rawValue)", "vocabulary": "\(settings.vocabulary.rawValue)",
                "decoders": "\(settings.decoders)", "letter_to_sound_words": "\(engine.guessedPronunciations.count)",
            ])
            return engine
        } catch where settings.engine == .reference {
            logger.warning("pocketsphinx unavailable; only audio with a reference transcript is transcribed",
                           metadata: ["error": "\(error)"])
            return nil
        }
    }
}
