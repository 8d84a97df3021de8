import FleetAudio
import FleetContracts
import FleetSpeech
import Foundation
import ServiceKit

/// Where a transcript came from.
enum TranscriptSource: String, Sendable {
    /// pocketsphinx recognised it from the audio.
    case pocketsphinx
    /// The REFERENCE_TRANSCRIPT comment a simulated speaker wrote into the file: what was meant.
    /// Only with STT_ENGINE=reference.
    case reference
    /// Nothing was heard.
    case none
}

/// A word and when it was said.
struct TimedWord: Sendable, Equatable {
    var text: String
    var start: Double
    var end: Double
}

/// What the recogniser heard in one clip.
struct Recognition: Sendable, Equatable {
    var text: String
    var source: TranscriptSource
    var confidence: Double
    var words: [TimedWord]
    var speechSeconds: Double
    /// What the engine really spent recognising (0 for a reference transcript).
    var engineSeconds: Double

    /// Gaps longer than this end a phrase.
    static let phraseGap = 0.3

    /// Word-level segments, or phrase-level ones (runs of words between pauses and sentence ends).
    func segments(wordLevel: Bool) -> [TranscriptionResult.Segment] {
        if wordLevel { return words.map { .init(start: $0.start.rounded3, end: $0.end.rounded3, text: $0.text) } }
        var phrases: [TranscriptionResult.Segment] = []
        var current: [TimedWord] = []
        func close() {
            guard let first = current.first, let last = current.last else { return }
            phrases.append(.init(start: first.start.rounded3, end: last.end.rounded3,
                                 text: current.map(\.text).joined(separator: " ")))
            current = []
        }
        for word in words {
            if let previous = current.last, word.start - previous.end > Self.phraseGap { close() }
            current.append(word)
            if let mark = word.text.last, ".?!".contains(mark) { close() }
        }
        close()
        return phrases
    }
}

/// stt's recogniser: pocketsphinx listening to the audio, or, only when STT_ENGINE=reference is
/// set, the transcript a simulated speaker wrote into the file's comments.
///
/// Recognition is real CPU work (`engineSeconds`); the pipeline waits only whatever the modelled
/// faster-whisper would have taken beyond it.
struct SpeechRecognizer: Sendable {
    static let device = "cpu"

    let mode: RecognitionSettings.Engine
    /// nil only in reference mode when the model could not be loaded: then audio without a
    /// reference comment is not recognised (and the transcript is empty).
    let engine: SpeechRecognitionEngine?
    let vocabulary: RecognitionSettings.Vocabulary

    init(settings: RecognitionSettings, engine: SpeechRecognitionEngine?) {
        mode = settings.engine
        vocabulary = settings.vocabulary
        self.engine = engine
    }

    /// What the `model` field of a transcription names.
    var model: String { "pocketsphinx-0.8-en-us (\(vocabulary.rawValue) vocabulary)" }

    /// `regions` are the clip's voiced stretches, which time a reference transcript's words.
    func recognize(samples: [Float], regions: VoicedRegions, comments: [String: String],
                   qualityScore: Double) async throws -> Recognition {
        if mode == .reference,
           let reference = comments[OpusComment.referenceTranscript]?.trimmingCharacters(in: .whitespacesAndNewlines),
           !reference.isEmpty {
            let quality = qualityScore.isFinite ? min(max(qualityScore, 0), 1) : 0
            let words = reference.split(whereSeparator: \.isWhitespace).map(String.init)
            let duration = Double(samples.count) / Double(AudioFormat.sampleRate)
            return Recognition(text: reference, source: .reference, confidence: (0.80 + 0.18 * quality).rounded3,
                               words: Self.align(words, to: regions.regions, duration: duration),
                               speechSeconds: regions.speechSeconds, engineSeconds: 0)
        }
        guard let engine else {
            return Recognition(text: "", source: .none, confidence: 0, words: [], speechSeconds: regions.speechSeconds,
                               engineSeconds: 0)
        }
        let start = ContinuousClock.now
        let heard = try await engine.recognize(samples, sampleRate: AudioFormat.sampleRate)
        let seconds = (ContinuousClock.now - start).seconds
        guard !heard.words.isEmpty else {
            return Recognition(text: "", source: .none, confidence: 0, words: [], speechSeconds: regions.speechSeconds,
                               engineSeconds: seconds)
        }
        let text = heard.text.prefix(1).uppercased() + heard.text.dropFirst()
        return Recognition(text: text, source: .pocketsphinx, confidence: heard.confidence.rounded3,
                           words: heard.words.map { TimedWord(text: $0.text, start: $0.start, end: $0.end) },
                           speechSeconds: regions.speechSeconds, engineSeconds: seconds)
    }

    /// Times reference words: one per voiced region when the counts agree, otherwise spread over
    /// the speech by their length in letters.
    static func align(_ words: [String], to regions: [VoicedRegions.Region], duration: Double) -> [TimedWord] {
        guard !words.isEmpty else { return [] }
        if regions.count == words.count {
            return zip(words, regions).map { TimedWord(text: $0, start: $1.start, end: $1.end) }
        }
        let start = regions.first?.start ?? 0
        let end = regions.last?.end ?? duration
        let weights = words.map { Double(max(1, $0.count)) }
        let total = weights.reduce(0, +)
        var cursor = start
        return zip(words, weights).map { word, weight in
            let length = (end - start) * weight / total
            defer { cursor += length }
            return TimedWord(text: word, start: cursor, end: cursor + length)
        }
    }
}

extension Double {
    /// Rounded to milliseconds (three decimals), as timings and scores are reported.
    var rounded3: Double { (self * 1000).rounded() / 1000 }
}
