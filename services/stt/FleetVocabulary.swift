import FleetContracts
import FleetSpeech
import Foundation

/// What stt expects to hear with STT_VOCABULARY=fleet: every sentence the fleet's simulated
/// speakers and the testing-ui's phrase menu say, the wake phrases, and the words for numbers,
/// so a typed run that mentions a time or a count is still heard. (`audio-fleet bench` measures
/// the recognizer on it too.)
public enum FleetVocabulary {
    public static var sentences: [String] {
        FleetPhrases.requests + FleetPhrases.chatter + FleetPhrases.injections + FleetPhrases.personalData
            + FleetPhrases.followUps + FleetPhrases.interjections + FleetPhrases.wakePhrases
    }

    public static let numberWords = [
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        "hundred", "thousand", "million", "first", "second", "third", "half", "quarter",
    ]
}

/// One engine per process and model: the decoders' model load and the language model build happen
/// once, however many pipelines (tests build many) use them.
enum RecognitionEngines {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: SpeechRecognitionEngine] = [:]

    static func engine(for settings: RecognitionSettings) throws -> SpeechRecognitionEngine {
        let key = "\(settings.modelDirectory)|\(settings.vocabulary.rawValue)|\(settings.decoders)"
        lock.lock()
        defer { lock.unlock() }
        if let engine = loaded[key] { return engine }
        let vocabulary: SpeechRecognitionEngine.Vocabulary = switch settings.vocabulary {
        case .fleet: .sentences(FleetVocabulary.sentences, extraWords: FleetVocabulary.numberWords)
        case .general: .general
        }
        let engine = try SpeechRecognitionEngine(modelDirectory: settings.modelDirectory, vocabulary: vocabulary,
                                                 decoders: settings.decoders)
        loaded[key] = engine
        return engine
    }
}
