import CPocketSphinx
import Foundation

/// What pocketsphinx heard in one utterance.
public struct RecognizedSpeech: Sendable, Equatable {
    /// A recognised word, when it was said (seconds from the start) and how sure the decoder is
    /// of it (its posterior probability, 0...1).
    public struct Word: Sendable, Equatable {
        public var text: String
        public var start: Double
        public var end: Double
        public var confidence: Double
    }

    public var words: [Word]

    public var text: String { words.map(\.text).joined(separator: " ") }

    /// The mean word posterior: 0 when nothing was heard.
    public var confidence: Double {
        words.isEmpty ? 0 : words.map(\.confidence).reduce(0, +) / Double(words.count)
    }
}

/// One pocketsphinx decoder: the acoustic model, dictionary and language model loaded once, then
/// one utterance at a time. A decoder is not thread-safe; `SpeechRecognitionEngine` keeps a pool.
final class PocketSphinxDecoder {
    /// pocketsphinx's frame rate: 100 feature frames a second.
    static let framesPerSecond = 100.0

    private let decoder: OpaquePointer
    private let config: OpaquePointer
    /// cmd_ln keeps pointers into its argv, so the strings live as long as the decoder.
    private let arguments: [UnsafeMutablePointer<CChar>?]

    init(acousticModel: String, dictionary: String, languageModel: String) throws {
        PocketSphinxDecoder.silenceLogging
        let options = ["-hmm", acousticModel, "-dict", dictionary, "-lm", languageModel,
                       // The fleet's audio is 16 kHz after resampling; the model's own rate.
                       "-samprate", "16000",
                       // Word posteriors for confidence need the lattice's best path.
                       "-bestpath", "yes",
                       // Keep every frame: with silence removed, word times count only the frames
                       // kept and land early in the clip.
                       "-remove_silence", "no"]
        arguments = options.map { strdup($0) }
        var argv = arguments
        guard let config = argv.withUnsafeMutableBufferPointer({
            cmd_ln_parse_r(nil, ps_args(), Int32(options.count), $0.baseAddress, 1)
        }) else {
            arguments.forEach { free($0) }
            throw SpeechEngineError.decoderFailed("pocketsphinx rejected its configuration")
        }
        guard let decoder = ps_init(config) else {
            cmd_ln_free_r(config)
            arguments.forEach { free($0) }
            throw SpeechEngineError.decoderFailed("pocketsphinx could not load the model at \(acousticModel)")
        }
        self.config = config
        self.decoder = decoder
    }

    deinit {
        ps_free(decoder)
        cmd_ln_free_r(config)
        arguments.forEach { free($0) }
    }

    /// pocketsphinx logs every step to stderr; the service logs what matters itself.
    private static let silenceLogging: Void = { err_set_logfp(nil) }()

    /// Decodes one utterance of 16 kHz 16-bit mono PCM.
    func decode(_ samples: [Int16]) -> RecognizedSpeech {
        guard ps_start_utt(decoder) >= 0 else { return RecognizedSpeech(words: []) }
        _ = samples.withUnsafeBufferPointer { ps_process_raw(decoder, $0.baseAddress, $0.count, 0, 1) }
        _ = ps_end_utt(decoder)
        let logmath = ps_get_logmath(decoder)
        var words: [RecognizedSpeech.Word] = []
        var segment = ps_seg_iter(decoder)
        while let current = segment {
            if let raw = ps_seg_word(current), let word = Self.spokenWord(String(cString: raw)) {
                var startFrame: Int32 = 0, endFrame: Int32 = 0
                ps_seg_frames(current, &startFrame, &endFrame)
                var acoustic: Int32 = 0, language: Int32 = 0, languageBackoff: Int32 = 0
                let posterior = ps_seg_prob(current, &acoustic, &language, &languageBackoff)
                words.append(.init(text: word, start: Double(startFrame) / Self.framesPerSecond,
                                   end: Double(endFrame + 1) / Self.framesPerSecond,
                                   confidence: min(1, max(0, logmath_exp(logmath, posterior)))))
            }
            segment = ps_seg_next(current)
        }
        return RecognizedSpeech(words: words)
    }

    /// A segment's word as a transcript word: nil for silence and fillers (`<s>`, `<sil>`,
    /// `[NOISE]`), the variant suffix dropped (`read(2)` is "read").
    static func spokenWord(_ raw: String) -> String? {
        guard let first = raw.first, first != "<", first != "[", first != "+" else { return nil }
        return raw.firstIndex(of: "(").map { String(raw[..<$0]) } ?? raw
    }
}

/// Why a speech engine could not be used.
public enum SpeechEngineError: Error, CustomStringConvertible, Equatable {
    case modelMissing(String)
    case decoderFailed(String)

    public var description: String {
        switch self {
        case .modelMissing(let detail), .decoderFailed(let detail): detail
        }
    }
}
