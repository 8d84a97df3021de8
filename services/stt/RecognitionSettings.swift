import FleetSpeech
import Foundation
import ServiceKit

/// How stt recognises speech: the engine, what it expects to hear, where its model is and how
/// many recognitions run at once. Part of `STTConfig`.
struct RecognitionSettings: Sendable, Equatable {
    /// STT_ENGINE.
    enum Engine: String, Sendable, CaseIterable {
        /// pocketsphinx listens to the audio: the default.
        case pocketsphinx
        /// The file's REFERENCE_TRANSCRIPT comment is the transcript, when it has one (audio without
        /// one is still recognised): nearly free, for load tests far beyond what the CPU could
        /// recognise. Never the default; every transcript it gives is marked `stt.engine=reference`.
        case reference
    }

    /// STT_VOCABULARY.
    enum Vocabulary: String, Sendable, CaseIterable {
        /// A language model of the fleet's own sentences and wake phrases: fast and accurate on
        /// what the fleet's speakers say.
        case fleet
        /// pocketsphinx's general English model: anything a person says into the testing-ui's
        /// microphone, at several times the CPU and a higher error rate.
        case general
    }

    var engine = Engine.pocketsphinx
    var vocabulary = Vocabulary.fleet
    /// STT_MODEL_DIR: the pocketsphinx-en-us model (acoustic model, cmudict, general LM).
    var modelDirectory = SpeechRecognitionEngine.defaultModelDirectory
    /// STT_DECODERS: recognitions at once, each on its own decoder; by default one per core, as
    /// recognition is CPU work and more would only take turns on the cores.
    var decoders = max(1, min(16, ProcessInfo.processInfo.activeProcessorCount))

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        engine = try reader.parsed("stt.engine", default: engine) { Engine(rawValue: $0.lowercased()) }
        vocabulary = try reader.parsed("stt.vocabulary", default: vocabulary) { Vocabulary(rawValue: $0.lowercased()) }
        modelDirectory = try reader.parsed("stt.model.dir", default: modelDirectory) { $0.isEmpty ? nil : $0 }
        decoders = try reader.parsed("stt.decoders", default: decoders) { Int($0).flatMap { (1...64).contains($0) ? $0 : nil } }
    }
}
