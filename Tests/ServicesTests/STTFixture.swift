import FleetAudio
import FleetSpeech
import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOFoundationEssentialsCompat
import Prometheus
import ServiceKit
import Testing
@testable import AudioProcessorService
@testable import STTService

/// Speech, uploads, pipelines and applications for the stt suites.
enum STTFixture {
    /// One of the fleet's own sentences, so the fleet vocabulary knows it.
    static let phrase = "Hey Atlas, what's the weather like today?"
    static let rate = Double(AudioFormat.sampleRate)

    static func speech(_ text: String = phrase, voice: Voice = .default) -> [Float] {
        let silence = [Float](repeating: 0, count: Int(0.5 * rate))
        return silence + SpeechSynthesizer(voice: voice).synthesize(text) + silence
    }

    static func ogg(_ samples: [Float], reference: String? = nil) throws -> [UInt8] {
        try OggOpus.encode(samples, comments: reference.map { [OpusComment.referenceTranscript: $0] } ?? [:])
    }

    /// stt with `audioProcessor` as its peer.
    static func app(_ environment: [String: String] = [:],
                    audioProcessor: (any AudioProcessing)? = FakeAudioProcessor()) async throws -> FleetApplication.Built {
        try await testApplication(STTService.self, environment: environment, peers: STTService.Peers(audioProcessor: audioProcessor))
    }

    /// An audio processor that cannot be reached.
    static var downAudioProcessor: FakeAudioProcessor { FakeAudioProcessor(failure: peerUnavailable("audio-processor")) }

    /// A whole service on a real socket (port 0: the kernel picks a free one), for client tests.
    static func live<S: FleetService>(_ service: S.Type, member: FleetMember, environment: [String: String] = [:],
                                      _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        var settings = try ServiceSettings.forTesting(member: member, environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        settings.port = 0
        let runtime = ServiceRuntime(member: member, settings: settings)
        let built = try await FleetApplication.build(service, runtime: runtime, registry: PrometheusCollectorRegistry())
        try await built.application.test(.live) { client in try await body(try #require(client.port)) }
    }

    static func result(_ response: TestResponse) throws -> TranscriptionResult {
        try JSONDecoder.fleet.decode(TranscriptionResult.self, from: Data(buffer: response.body))
    }

    static func errorCode(_ response: TestResponse) -> String? {
        struct Body: Decodable { struct Detail: Decodable { let code: String }; let error: Detail }
        return try? JSONDecoder.fleet.decode(Body.self, from: Data(buffer: response.body)).error.code
    }

    /// The words of `text` as a transcript is compared: numbers spelled, punctuation and case gone.
    static func words(_ text: String) -> [String] { SpokenForm.words(text) }

    /// The recogniser the service builds by default (pocketsphinx, fleet vocabulary), or the
    /// reference mode.
    static func recognizer(_ engine: RecognitionSettings.Engine = .pocketsphinx,
                           vocabulary: RecognitionSettings.Vocabulary = .fleet) throws -> SpeechRecognizer {
        var settings = RecognitionSettings()
        settings.engine = engine
        settings.vocabulary = vocabulary
        return SpeechRecognizer(settings: settings, engine: try RecognitionEngines.engine(for: settings))
    }

    static func pipeline(enhancer: (any AudioProcessing)?,
                         engine: RecognitionSettings.Engine = .pocketsphinx) throws -> TranscriptionPipeline {
        TranscriptionPipeline(enhancer: enhancer,
                              latency: LatencySource(model: STTConfig().latency, seed: 42, stream: "test", scale: 0.001),
                              recognizer: try recognizer(engine), logger: Logger(label: "stt-test"))
    }

    static func upload(_ samples: [Float], reference: String? = nil) throws -> AudioUpload {
        try AudioUpload.decode(try ogg(samples, reference: reference), mediaType: "audio/ogg", maxSeconds: 600)
    }
}

/// The audio processor's real enhancement, in process: the processor's own pipeline behind the
/// contract, so stt's tests measure what real enhancement does to confidence.
struct InProcessAudioProcessor: AudioProcessing, InMemoryPeer {
    let name = "audio-processor"
    let pipeline = AudioPipeline(config: AudioProcessorConfig())

    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio { try await enhance(oggOpus) }

    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        let result = pipeline.enhance(try OggOpus.decode(oggOpus))
        return ProcessedAudio(audio: try OggOpus.encode(result.samples, comments: result.comments), metrics: result.metrics)
    }
}
