import FleetAudio
import FleetContracts
import Foundation

/// Where a transcript came from.
enum TranscriptSource: String, Sendable {
    /// The REFERENCE_TRANSCRIPT comment a simulated speaker wrote into the file: what was said.
    case reference
    /// Derived from the audio itself: one word per voiced region, chosen by its energy envelope.
    case acoustic
    /// Nothing voiced was heard.
    case none
}

/// A word and when it was said.
struct TimedWord: Sendable, Equatable {
    var text: String
    var start: Double
    var end: Double
}

/// What the stub model heard in one clip.
struct Recognition: Sendable, Equatable {
    var text: String
    var source: TranscriptSource
    var confidence: Double
    var words: [TimedWord]
    var speechSeconds: Double

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

/// The stand-in for faster-whisper: deterministic, so the same audio always gives the same text.
///
/// A clip a simulated speaker made carries what was said (REFERENCE_TRANSCRIPT), and that is the
/// transcript, timed against the voiced regions actually heard. Any other clip gets a
/// pseudo-transcript from its own sound: one vocabulary word per syllable-length voiced region,
/// picked by a hash of the region's energy envelope (and the word before it, a tiny "language
/// model"), so different speech reads differently and identical speech identically.
struct SpeechRecognizer: Sendable {
    static let model = "faster-whisper-medium.en-int8 (stub)"
    static let device = "cpu"

    func recognize(samples: [Float], comments: [String: String], qualityScore: Double,
                   initialPrompt: String? = nil) -> Recognition {
        let regions = VoicedRegions(samples: samples, sampleRate: AudioFormat.sampleRate)
        let quality = qualityScore.isFinite ? min(max(qualityScore, 0), 1) : 0
        if let reference = comments[OpusComment.referenceTranscript]?.trimmingCharacters(in: .whitespacesAndNewlines),
           !reference.isEmpty {
            let words = reference.split(whereSeparator: \.isWhitespace).map(String.init)
            let duration = Double(samples.count) / Double(AudioFormat.sampleRate)
            return Recognition(text: reference, source: .reference, confidence: Self.confidence(.reference, quality: quality),
                               words: Self.align(words, to: regions.regions, duration: duration),
                               speechSeconds: regions.speechSeconds)
        }
        guard !regions.regions.isEmpty else {
            return Recognition(text: "", source: .none, confidence: 0, words: [], speechSeconds: 0)
        }
        let vocabulary = AcousticVocabulary.primed(with: initialPrompt)
        let words = regions.regions.map { region in
            TimedWord(text: vocabulary[Self.wordIndex(for: region, vocabularySize: vocabulary.count)],
                      start: region.start, end: region.end)
        }
        var text = words.map(\.text).joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst() + "."
        return Recognition(text: text, source: .acoustic, confidence: Self.confidence(.acoustic, quality: quality),
                           words: words, speechSeconds: regions.speechSeconds)
    }

    /// Confidence from the audio's quality (0...1): a known transcript is heard well unless the
    /// audio is poor; a guessed one never gets near certainty.
    static func confidence(_ source: TranscriptSource, quality: Double) -> Double {
        let value: Double
        switch source {
        case .reference: value = 0.80 + 0.18 * quality
        case .acoustic: value = 0.30 + 0.40 * quality
        case .none: value = 0
        }
        return value.rounded3
    }

    /// Times reference words: one per voiced region when the counts agree (the usual case for the
    /// fleet's synthesised speech), otherwise spread over the speech by their length in letters.
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

    /// FNV-1a over the region's coarse shape: its length in 50 ms steps and the mean level of each
    /// quarter in 6 dB steps, so codec noise rarely changes the word but a different sound does.
    static func wordIndex(for region: VoicedRegions.Region, vocabularySize: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: Int) {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ UInt64(UInt8(truncatingIfNeeded: value >> shift))) &* 0x0000_0100_0000_01b3
            }
        }
        mix(region.shape.count / 5)
        let quarter = max(1, region.shape.count / 4)
        for start in stride(from: 0, to: region.shape.count, by: quarter).prefix(4) {
            let part = region.shape[start..<min(region.shape.count, start + quarter)]
            mix(Int((part.reduce(0, +) / Double(part.count) / 6).rounded()))
        }
        return Int(hash % UInt64(vocabularySize))
    }
}

extension Double {
    /// Rounded to milliseconds (three decimals), as timings and scores are reported.
    var rounded3: Double { (self * 1000).rounded() / 1000 }
}
