/// One utterance cut out of a live stream by ``Segmenter``.
public struct Segment: Sendable {
    public enum CloseReason: String, Sendable, Hashable {
        /// The speaker paused for the silence timeout.
        case silence
        /// The utterance hit the maximum segment duration and was cut; speech may continue in the next segment.
        case maxDuration = "max_duration"
        /// ``Segmenter/flush()`` closed it (end of stream, speaker left).
        case flush
    }

    /// 48 kHz mono audio: pre-roll, the utterance, and a short tail after the last voiced frame.
    public var samples: [Float]
    /// Stream time, in seconds, of the first and one-past-last sample.
    public var startTime: Double
    public var endTime: Double
    /// Stream time at which the last voiced frame ended.
    public var lastVoicedTime: Double
    public var closedBy: CloseReason

    public var duration: Double { endTime - startTime }
}

/// Cuts a continuous stream of 20 ms frames (e.g. one Discord speaker) into utterances.
///
/// A segment opens on the first voiced frame, including ~150 ms of pre-roll so soft onsets are
/// not clipped, and closes after `silenceTimeout` without voice (keeping a 200 ms tail), at
/// `maxSegmentDuration`, or on ``flush()``. Segments whose voiced span (first to last voiced
/// frame) is shorter than `minSegmentDuration` are dropped as coughs and clicks.
///
/// The noise floor adapts over the last ~3 s of the stream, so a stream should start with a
/// moment of background rather than mid-word (a voice channel always does).
public struct Segmenter: Sendable {
    public let detector: VoiceActivityDetector
    public let silenceTimeout: Double
    public let minSegmentDuration: Double
    public let maxSegmentDuration: Double

    static let preRollSeconds = 0.15
    static let tailSeconds = 0.2

    private struct OpenSegment: Sendable {
        var samples: OpenSegmentAudio
        var startSample: Int
        var firstVoicedSample: Int
        var lastVoicedEndSample: Int
    }

    private var unframed: [Float] = []
    private var preRoll = PreRoll(capacity: Int(Segmenter.preRollSeconds * Double(AudioFormat.sampleRate)))
    private var open: OpenSegment?
    private var streamSamples = 0
    private var noiseFloor: NoiseFloorTracker

    public init(
        vadFrameMilliseconds: Int = 30,
        aggressiveness: Int = 1,
        silenceTimeout: Double = 0.75,
        minSegmentDuration: Double = 0.3,
        maxSegmentDuration: Double = 15
    ) {
        detector = VoiceActivityDetector(frameMilliseconds: vadFrameMilliseconds, aggressiveness: aggressiveness)
        self.silenceTimeout = silenceTimeout
        self.minSegmentDuration = minSegmentDuration
        self.maxSegmentDuration = maxSegmentDuration
        noiseFloor = NoiseFloorTracker(capacity: detector.noiseWindowFrames)
    }

    /// Seconds of audio pushed so far.
    public var streamTime: Double { Double(streamSamples + unframed.count) / Double(AudioFormat.sampleRate) }

    /// True while an utterance is open.
    public var isInSpeech: Bool { open != nil }

    /// Feeds audio (normally one 20 ms frame; any length works) and returns the segments it closed.
    public mutating func push(_ frame20ms: [Float]) -> [Segment] {
        unframed += frame20ms
        let frameSize = detector.samplesPerFrame
        var closed: [Segment] = []
        var consumed = 0
        while unframed.count - consumed >= frameSize {
            let frame = unframed[consumed..<(consumed + frameSize)]
            consumed += frameSize
            if let segment = process(frame) { closed.append(segment) }
        }
        unframed.removeFirst(consumed)
        return closed
    }

    /// Closes the open utterance (if any) with reason ``Segment/CloseReason/flush``. The
    /// segmenter stays usable; stream time keeps counting.
    public mutating func flush() -> [Segment] {
        guard open != nil else { return [] }
        open?.samples.append(unframed)
        streamSamples += unframed.count
        unframed.removeAll()
        return close(.flush).map { [$0] } ?? []
    }

    private mutating func process(_ frame: ArraySlice<Float>) -> Segment? {
        let features = FrameFeatures(frame)
        let voiced = detector.decide(features, noiseFloorDB: noiseFloor.floorDB)
        noiseFloor.add(features.energyDB)
        let frameStart = streamSamples
        streamSamples += frame.count

        guard open != nil else {
            if voiced {
                open = OpenSegment(
                    samples: OpenSegmentAudio(preRoll: preRoll, then: frame),
                    startSample: frameStart - preRoll.count,
                    firstVoicedSample: frameStart,
                    lastVoicedEndSample: streamSamples
                )
                preRoll.removeAll()
            } else {
                preRoll.append(frame)
            }
            return nil
        }

        // Mutate through the optional so the growing sample buffer is appended in place, not copied.
        open?.samples.append(frame)
        if voiced { open?.lastVoicedEndSample = streamSamples }
        guard let segment = open else { return nil }
        let rate = Double(AudioFormat.sampleRate)
        if Double(streamSamples - segment.lastVoicedEndSample) / rate >= silenceTimeout {
            return close(.silence)
        }
        if Double(segment.samples.count) / rate >= maxSegmentDuration {
            return close(.maxDuration)
        }
        return nil
    }

    private mutating func close(_ reason: Segment.CloseReason) -> Segment? {
        // Taken out of `open`, the chunks have one owner, so trimming them below copies nothing.
        guard var segment = open else { return nil }
        open = nil
        let rate = Double(AudioFormat.sampleRate)
        if reason != .maxDuration {
            // The silence about to be discarded is the next utterance's pre-roll.
            preRoll.replace(with: segment.samples.suffix(preRoll.capacity))
            // Keep a short tail after the last voiced frame; the rest of the timeout was silence.
            let keep = segment.lastVoicedEndSample - segment.startSample + Int(Self.tailSeconds * rate)
            segment.samples.keepFirst(keep)
        } else {
            // Speech runs on: the next segment starts where this one stopped, with no overlap.
            preRoll.removeAll()
        }

        let voicedSpan = Double(segment.lastVoicedEndSample - segment.firstVoicedSample) / rate
        guard voicedSpan >= minSegmentDuration else { return nil }
        return Segment(
            samples: segment.samples.floats(),
            startTime: Double(segment.startSample) / rate,
            endTime: Double(segment.startSample + segment.samples.count) / rate,
            lastVoicedTime: Double(segment.lastVoicedEndSample) / rate,
            closedBy: reason
        )
    }
}

/// Minimum statistics: the noise floor is the quietest frame of the recent past.
struct NoiseFloorTracker: Sendable {
    private var history: [Double]
    private var next = 0
    private var filled = 0

    init(capacity: Int) {
        history = [Double](repeating: 0, count: max(1, capacity))
    }

    var floorDB: Double? {
        filled == 0 ? nil : history[0..<filled].min()
    }

    mutating func add(_ energyDB: Double) {
        history[next] = energyDB
        next = (next + 1) % history.count
        filled = min(filled + 1, history.count)
    }
}
