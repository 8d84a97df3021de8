import Foundation

/// Finds syllable- to word-length voiced stretches in 48 kHz mono speech from its energy envelope.
///
/// This is what the stub recogniser "hears": one region per burst of energy, which for the fleet's
/// synthesised speech is roughly one per word. Levels are taken relative to the clip itself, so the
/// same speech gives the same regions whether or not it was normalised first.
struct VoicedRegions: Sendable, Equatable {
    struct Region: Sendable, Equatable {
        /// Envelope frame indices, `frameSeconds` apart.
        var frames: Range<Int>
        /// The envelope over `frames`, in dB relative to the region's loudest frame (all <= 0).
        var shape: [Double]
        var start: Double { Double(frames.lowerBound) * VoicedRegions.frameSeconds }
        var end: Double { Double(frames.upperBound) * VoicedRegions.frameSeconds }
    }

    static let frameSeconds = 0.010
    /// Below this a frame is silence however quiet the rest of the clip is.
    static let absoluteFloorDBFS = -55.0
    /// Frames this far above the clip's noise floor count as voiced...
    static let aboveFloorDB = 12.0
    /// ...unless the clip has no quiet part at all, then frames within this of its peak do.
    static let belowPeakDB = 15.0
    /// Gaps shorter than this inside a word (stop consonants) do not split it.
    static let bridgeFrames = 4
    /// Bursts shorter than this are clicks, not syllables.
    static let minimumFrames = 6
    /// Longer stretches are split at their deepest dip until no part exceeds this (about a long word).
    static let maximumFrames = 60

    let regions: [Region]

    var speechSeconds: Double { regions.reduce(0) { $0 + ($1.end - $1.start) } }

    init(samples: [Float], sampleRate: Int) {
        let envelope = Self.envelope(samples, sampleRate: sampleRate)
        guard let peak = envelope.max(), peak > Self.absoluteFloorDBFS else {
            regions = []
            return
        }
        let floor = envelope.sorted()[envelope.count / 10]
        let threshold = max(Self.absoluteFloorDBFS, min(floor + Self.aboveFloorDB, peak - Self.belowPeakDB))
        var voiced = envelope.map { $0 >= threshold }
        Self.bridgeGaps(&voiced)

        var found: [Region] = []
        var index = 0
        while index < voiced.count {
            guard voiced[index] else { index += 1; continue }
            let start = index
            while index < voiced.count, voiced[index] { index += 1 }
            if index - start >= Self.minimumFrames {
                for part in Self.split(start..<index, envelope: envelope) {
                    let local = envelope[part]
                    let top = local.max() ?? 0
                    found.append(Region(frames: part, shape: local.map { $0 - top }))
                }
            }
        }
        regions = found
    }

    /// RMS level of each 10 ms frame, in dBFS.
    static func envelope(_ samples: [Float], sampleRate: Int) -> [Double] {
        let size = max(1, Int(Double(sampleRate) * frameSeconds))
        return stride(from: 0, to: samples.count, by: size).map { start in
            let frame = samples[start..<min(samples.count, start + size)]
            let energy = frame.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(frame.count)
            return energy > 0 ? 10 * log10(energy) : -120
        }
    }

    /// Fills unvoiced runs shorter than `bridgeFrames` that have voice on both sides.
    private static func bridgeGaps(_ voiced: inout [Bool]) {
        var index = 0
        while index < voiced.count {
            guard !voiced[index] else { index += 1; continue }
            let start = index
            while index < voiced.count, !voiced[index] { index += 1 }
            if start > 0, index < voiced.count, index - start < bridgeFrames {
                for gap in start..<index { voiced[gap] = true }
            }
        }
    }

    /// Splits a long stretch at the quietest frame of its middle half, recursively.
    private static func split(_ range: Range<Int>, envelope: [Double]) -> [Range<Int>] {
        guard range.count > maximumFrames else { return [range] }
        let quarter = range.count / 4
        let middle = (range.lowerBound + quarter)..<(range.upperBound - quarter)
        let cut = middle.min { envelope[$0] < envelope[$1] } ?? (range.lowerBound + range.count / 2)
        return split(range.lowerBound..<cut, envelope: envelope) + split(cut..<range.upperBound, envelope: envelope)
    }
}
