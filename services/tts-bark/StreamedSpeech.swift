import FleetAudio
import Foundation

/// Speech cut into Ogg pages that can go out one by one, each stamped with when the model it
/// stands in for would have produced it.
///
/// Bark speaks a text clause by clause: its first audio is ready after its fixed cost plus the
/// per-character cost of the first clause, not of the whole text. The simulation keeps the whole
/// draw (so the last page goes out when the whole answer would have) and releases the pages of
/// each clause at the share of the draw that the text up to that clause's end accounts for.
struct StreamedSpeech: Sendable {
    /// One chunk of the Ogg Opus file and when (seconds into the model's time) it may go out.
    struct Page: Sendable {
        var bytes: [UInt8]
        var releaseAt: Double
    }

    /// Audio per Ogg page: small enough that a clause's first audio is not held for long.
    static let pageDuration = 0.2

    var pages: [Page]

    /// Encodes `pcm` (the speech of `text`) page by page; `modelTime` is the drawn time for the
    /// whole text, of which `base` and `perCharacter` say how much is fixed and how much is per character.
    init(pcm: [Float], text: String, comments: [String: String], modelTime: Double, base: Double,
         perCharacter: Double) throws {
        let encoder = try OpusEncoder(settings: .voice)
        let frameSize = AudioFormat.samplesPerFrame
        let decodedLength = encoder.lookahead + pcm.count
        let frameCount = max(1, (decodedLength + frameSize - 1) / frameSize)
        var writer = OggOpusWriter(serial: Self.serial(text), preSkip: encoder.lookahead, comments: comments,
                                   maxPageDuration: Self.pageDuration)
        let clauseEnds = Self.clauseEnds(text)
        let characters = max(1, text.count)
        let whole = base + perCharacter * Double(characters)
        /// When the audio up to sample `end` is ready: that of the clause it falls in.
        func release(endingAt end: Int) -> Double {
            let position = Double(min(end, pcm.count)) / Double(max(1, pcm.count)) * Double(characters)
            let clauseEnd = clauseEnds.first { Double($0) >= position.rounded(.down) } ?? characters
            // No simulated time at all (LATENCY_SCALE=0): every page is due at once.
            guard whole > 0, modelTime.isFinite, modelTime > 0 else { return 0 }
            return min(modelTime, modelTime * (base + perCharacter * Double(clauseEnd)) / whole)
        }

        var pages: [Page] = []
        var frame = [Float](repeating: 0, count: frameSize)
        for index in 0..<frameCount {
            let start = index * frameSize
            let available = max(0, min(frameSize, pcm.count - start))
            for offset in 0..<frameSize { frame[offset] = offset < available ? pcm[start + offset] : 0 }
            let packet = try encoder.encode(frame)
            let counted = index == frameCount - 1 ? decodedLength - start : frameSize
            let bytes = writer.append(packet: packet, samples: counted)
            // The writer holds back the newest packet: what it returns ends one frame earlier.
            if !bytes.isEmpty { pages.append(Page(bytes: bytes, releaseAt: release(endingAt: start))) }
        }
        pages.append(Page(bytes: writer.finish(), releaseAt: modelTime.isFinite ? max(0, modelTime) : 0))
        self.pages = pages
    }

    /// Character counts at which each clause ends (after `,;:.!?` and a space, and at the end).
    static func clauseEnds(_ text: String) -> [Int] {
        var ends: [Int] = []
        var previous: Character?
        for (offset, character) in text.enumerated() {
            if character.isWhitespace, let previous, ",;:.!?".contains(previous) { ends.append(offset) }
            previous = character
        }
        ends.append(text.count)
        return ends
    }

    private static func serial(_ text: String) -> UInt32 {
        var hash = StableHash()
        hash.combine(text)
        return UInt32(truncatingIfNeeded: hash.value ^ (hash.value >> 32))
    }
}
