import FleetAudio
import Foundation

/// pocketsphinx as a service needs it: a model chosen once, then any number of concurrent
/// recognitions, each on a decoder of its own from a pool, off Swift's cooperative threads.
public final class SpeechRecognitionEngine: Sendable {
    /// Where Debian's pocketsphinx-en-us puts the US English model.
    public static let defaultModelDirectory = "/usr/share/pocketsphinx/model/en-us"

    /// What the recognizer expects to hear.
    public enum Vocabulary: Sendable, Equatable {
        /// A trigram model of these sentences (plus `extraWords`), with a dictionary of just their
        /// words: fast and accurate on what the fleet says, poor on anything else.
        case sentences([String], extraWords: [String] = [])
        /// The model's own general English trigram model and full dictionary: any speech, slower
        /// and less accurate.
        case general
    }

    public let vocabulary: Vocabulary
    /// Words of the vocabulary that cmudict lacks, pronounced by flite's letter-to-sound rules.
    public let guessedPronunciations: [String]
    private let pool: DecoderPool

    /// Loads the model and builds the first decoder, so a missing model fails here, at startup.
    /// - Parameter decoders: how many recognitions run at once; more wait their turn.
    public init(modelDirectory: String = defaultModelDirectory, vocabulary: Vocabulary, decoders: Int) throws {
        let base = URL(fileURLWithPath: modelDirectory)
        let acoustic = base.appendingPathComponent("en-us")
        let cmudict = base.appendingPathComponent("cmudict-en-us.dict")
        for required in [acoustic.appendingPathComponent("mdef"), cmudict] where !FileManager.default.fileExists(atPath: required.path) {
            throw SpeechEngineError.modelMissing("The pocketsphinx model is not at \(modelDirectory) (no \(required.lastPathComponent)). "
                + "Install it with: apt-get install pocketsphinx-en-us")
        }
        let files: (dictionary: String, languageModel: String)
        switch vocabulary {
        case .general:
            files = (cmudict.path, base.appendingPathComponent("en-us.lm.bin").path)
            guessedPronunciations = []
        case .sentences(let sentences, let extraWords):
            let built = try Self.buildModel(sentences: sentences, extraWords: extraWords, cmudict: cmudict)
            files = (built.dictionary, built.languageModel)
            guessedPronunciations = built.guessed
        }
        self.vocabulary = vocabulary
        let make: @Sendable () throws -> DecoderBox = {
            DecoderBox(try PocketSphinxDecoder(acousticModel: acoustic.path, dictionary: files.dictionary,
                                               languageModel: files.languageModel))
        }
        pool = DecoderPool(first: try make(), capacity: max(1, decoders), make: make)
    }

    /// Recognises one utterance. Any sample rate; the model listens at 16 kHz.
    public func recognize(_ samples: [Float], sampleRate: Int) async throws -> RecognizedSpeech {
        let pcm = Self.modelInput(samples, sampleRate: sampleRate)
        guard !pcm.isEmpty else { return RecognizedSpeech(words: []) }
        let decoder = try await pool.checkout()
        defer { Task { await pool.checkin(decoder) } }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: decoder.decode(pcm))
            }
        }
    }

    /// 16 kHz 16-bit PCM, as the acoustic model was trained on, with a dither of about one step
    /// added: digitally silent stretches (which the fleet's synthesized speech has) give the model's
    /// log-spectrum features no floor, and it hears words in them. The dither is a fixed sequence,
    /// so the same audio is always heard the same way.
    static func modelInput(_ samples: [Float], sampleRate: Int) -> [Int16] {
        var state: UInt32 = 0x9E37_79B9
        return Resampler.resample(samples, from: sampleRate, to: 16_000).map { sample in
            state = state &* 1_664_525 &+ 1_013_904_223
            let dither = Float(Int32(state >> 30) - 2 + Int32(state >> 31 & 1))  // -2...1
            guard sample.isFinite else { return Int16(dither) }
            return Int16(max(-32_767, min(32_767, (sample * 32_767 + dither).rounded())))
        }
    }

    /// Writes the language model and dictionary once per distinct vocabulary, to a cache folder
    /// named by their content, where every decoder (and the next start) reads them.
    static func buildModel(sentences: [String], extraWords: [String], cmudict: URL) throws
        -> (dictionary: String, languageModel: String, guessed: [String])
    {
        var corpus: [[String]] = []
        for sentence in sentences {
            corpus.append(SpokenForm.words(sentence))
            // Pauses split an utterance into segments that each reach the recognizer alone, so
            // every clause is also a sentence of its own. (Split the spoken form: in the written
            // one "5:30" and "jane.doe@example.com" have marks that are no pause.)
            let clauses = SpokenForm.expand(sentence).split(whereSeparator: { ",.?!;:".contains($0) })
            if clauses.count > 1 { corpus += clauses.map { SpokenForm.words(String($0)) } }
        }
        let model = NGramLanguageModel(sentences: corpus, extraWords: extraWords.flatMap(SpokenForm.words))
        let dictionary = try PronunciationDictionary(vocabulary: model.vocabulary, cmudict: cmudict)
        let arpa = model.arpa
        var hash = StableHash()
        hash.combine(arpa)
        hash.combine(dictionary.text)
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("audio-fleet-speech/\(String(hash.value, radix: 16))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lmURL = folder.appendingPathComponent("fleet.lm"), dictURL = folder.appendingPathComponent("fleet.dic")
        try Data(arpa.utf8).write(to: lmURL, options: .atomic)
        try Data(dictionary.text.utf8).write(to: dictURL, options: .atomic)
        return (dictURL.path, lmURL.path, dictionary.guessed)
    }
}

/// Idle decoders and the callers waiting for one. Decoders are made on demand up to the capacity:
/// each holds its own copy of the model's search state (a few megabytes) and takes a moment to build.
actor DecoderPool {
    private var idle: [DecoderBox]
    private var made = 1
    private let capacity: Int
    private let make: @Sendable () throws -> DecoderBox
    private var waiting: [CheckedContinuation<DecoderBox, Never>] = []

    init(first: DecoderBox, capacity: Int, make: @escaping @Sendable () throws -> DecoderBox) {
        idle = [first]
        self.capacity = capacity
        self.make = make
    }

    func checkout() async throws -> DecoderBox {
        if let decoder = idle.popLast() { return decoder }
        if made < capacity {
            made += 1
            do { return try make() } catch {
                made -= 1
                throw error
            }
        }
        return await withCheckedContinuation { waiting.append($0) }
    }

    func checkin(_ decoder: DecoderBox) {
        if waiting.isEmpty { idle.append(decoder) } else { waiting.removeFirst().resume(returning: decoder) }
    }
}

/// A decoder handed between tasks: only ever used by the one caller that checked it out.
final class DecoderBox: @unchecked Sendable {
    private let decoder: PocketSphinxDecoder
    init(_ decoder: PocketSphinxDecoder) { self.decoder = decoder }
    func decode(_ samples: [Int16]) -> RecognizedSpeech { decoder.decode(samples) }
}
