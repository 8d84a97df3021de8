/// The audio of an utterance still being spoken: 16-bit samples in quarter-second chunks, each
/// allocated once at its full size, turned into one Float array of exactly the kept length when
/// the utterance closes.
///
/// Why not a growing `[Float]`: the bridge keeps one open utterance per speaker who is talking,
/// and at 100 speakers those were its largest allocation (7.8 MB at the peak, heaptrack): 4 bytes
/// a sample at 48 kHz, in arrays that grow by doubling and so hold up to twice what they have,
/// and a closed segment kept that capacity until its turn encoded it. Sixteen bits is what the
/// audio was on the wire and what every later stage hears through Opus; the voice-activity
/// decisions are made on the Float frames before they are stored here.
///
/// Concrete element types throughout, no generic collections: this runs for every sample of
/// every speaker, and a generic `append(contentsOf:)` of a lazy map was not specialised and
/// doubled the bridge's instruction count per frame (callgrind).
struct OpenSegmentAudio: Sendable {
    /// A quarter of a second: at most that much is allocated and not yet used.
    static let chunkLength = AudioFormat.sampleRate / 4
    private static let scale: Float = 32_767

    /// Chunks already full, oldest first.
    private var full: [[Int16]] = []
    /// The chunk being filled.
    private var current: [Int16] = []

    var count: Int { full.count * Self.chunkLength + current.count }

    init(_ samples: ArraySlice<Float>) {
        append(samples)
    }

    init(_ samples: [Float]) {
        append(samples[...])
    }

    /// Starts with the pre-roll's samples (already 16-bit), then `frame`.
    init(preRoll: PreRoll, then frame: ArraySlice<Float>) {
        let samples = preRoll.samples
        var next = 0
        while next < samples.count {
            let take = min(samples.count - next, roomInChunk())
            current += samples[next..<(next + take)]
            next += take
        }
        append(frame)
    }

    /// A frame at a time: each piece that fits the current chunk is converted in one pass and
    /// copied in, not appended sample by sample (this runs for every sample of every speaker).
    mutating func append(_ samples: ArraySlice<Float>) {
        samples.withUnsafeBufferPointer { source in
            var next = 0
            while next < source.count {
                let take = min(source.count - next, roomInChunk())
                current += UnsafeBufferPointer(rebasing: source[next..<(next + take)]).map(Self.quantized)
                next += take
            }
        }
    }

    /// Room left in the chunk being filled, after starting a new one if it is full.
    private mutating func roomInChunk() -> Int {
        if current.count == Self.chunkLength {
            full.append(current)
            current = []
        }
        if current.isEmpty { current.reserveCapacity(Self.chunkLength) }
        return Self.chunkLength - current.count
    }

    mutating func append(_ samples: [Float]) {
        append(samples[...])
    }

    /// Drops all but the first `length` samples.
    mutating func keepFirst(_ length: Int) {
        let length = max(0, length)
        guard length < count else { return }
        // Moved out first, so each chunk has one owner and trimming it copies nothing.
        var chunks = full
        chunks.append(current)
        (full, current) = ([], [])
        let whole = length / Self.chunkLength, part = length % Self.chunkLength
        chunks.removeLast(chunks.count - whole - (part > 0 ? 1 : 0))
        if part > 0 { chunks[whole].removeLast(chunks[whole].count - part) }
        current = chunks.popLast() ?? []
        full = chunks
        // A full last chunk stays `current`: the next sample starts a new one.
    }

    /// The last `length` samples (fewer if there are not that many), still 16-bit.
    func suffix(_ length: Int) -> [Int16] {
        var result: [Int16] = []
        let start = max(0, count - length)
        result.reserveCapacity(count - start)
        var offset = 0
        for chunk in full + [current] {
            defer { offset += chunk.count }
            guard offset + chunk.count > start else { continue }
            result += chunk[max(0, start - offset)...]
        }
        return result
    }

    /// Every sample, as one Float array of exactly `count` elements.
    func floats() -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(count)
        for chunk in full {
            for sample in chunk { result.append(Self.float(sample)) }
        }
        for sample in current { result.append(Self.float(sample)) }
        return result
    }

    static func float(_ sample: Int16) -> Float {
        Float(sample) / scale
    }

    /// To the nearest step, halves away from zero: the same as `rounded()`, without its call into
    /// libm for every sample (the bridge stores 48,000 a second per speaker).
    static func quantized(_ sample: Float) -> Int16 {
        guard sample.isFinite else { return 0 }
        let scaled = max(-1, min(1, sample)) * scale
        return Int16(scaled + (scaled < 0 ? -0.5 : 0.5))
    }
}

/// The last moments of audio before an utterance opens (`Segmenter.preRollSeconds`), 16-bit, in
/// a ring: each 20 ms frame overwrites the oldest samples in place. A growing and shifting `[Float]`
/// moved the whole pre-roll (29 KB) on every voice-activity frame, for every speaker.
struct PreRoll: Sendable {
    private var ring: [Int16]
    /// Where the next sample goes; the oldest sample once the ring is full.
    private var next = 0
    private(set) var count = 0

    init(capacity: Int) {
        ring = [Int16](repeating: 0, count: max(1, capacity))
    }

    var capacity: Int { ring.count }

    mutating func append(_ samples: ArraySlice<Float>) {
        for sample in samples {
            ring[next] = OpenSegmentAudio.quantized(sample)
            next = next + 1 == ring.count ? 0 : next + 1
        }
        count = min(ring.count, count + samples.count)
    }

    /// Replaces what it holds with `samples` (their last `capacity`).
    mutating func replace(with samples: [Int16]) {
        removeAll()
        for sample in samples.suffix(ring.count) {
            ring[next] = sample
            next += 1
        }
        count = next
        if next == ring.count { next = 0 }
    }

    mutating func removeAll() {
        next = 0
        count = 0
    }

    /// Oldest first.
    var samples: [Int16] {
        count < ring.count ? Array(ring[..<count]) : Array(ring[next...] + ring[..<next])
    }
}
