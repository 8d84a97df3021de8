import FleetAudio
import Foundation
import Testing

@Suite("Voice activity detection and segmentation")
struct VoiceActivityTests {
    static let background = -60.0  // dBFS of the room noise under every test signal

    /// Noise everywhere, with each clip added at its start time. Returns the mix and the clips' spans.
    static func scene(_ clips: [(start: Double, samples: [Float])], total: Double, seed: UInt64 = 9) -> (samples: [Float], spans: [ClosedRange<Double>]) {
        var mix = TestSignals.noise(seconds: total, rmsDbfs: background, seed: seed)
        var spans: [ClosedRange<Double>] = []
        for clip in clips {
            let offset = TestSignals.samples(seconds: clip.start)
            for (index, sample) in clip.samples.enumerated() where offset + index < mix.count {
                mix[offset + index] += sample
            }
            spans.append(clip.start...(clip.start + Double(clip.samples.count) / TestSignals.rate))
        }
        return (mix, spans)
    }

    @Test("speech boundaries are found within 40 ms", arguments: [(30, 1), (20, 2), (10, 0), (30, 3)])
    func boundaries(frameMilliseconds: Int, aggressiveness: Int) throws {
        let speech = TestSignals.speech("Hello there, how are you doing today?")
        let (mix, spans) = Self.scene([(0.5, speech)], total: 0.5 + Double(speech.count) / 48_000 + 0.7)
        let detector = VoiceActivityDetector(frameMilliseconds: frameMilliseconds, aggressiveness: aggressiveness)
        let regions = detector.speechRegions(mix)
        try #require(regions.count == 1, "regions: \(regions)")
        print("VAD \(frameMilliseconds) ms/\(aggressiveness): start error \(regions[0].lowerBound - spans[0].lowerBound) s, end error \(regions[0].upperBound - spans[0].upperBound) s")
        #expect(abs(regions[0].lowerBound - spans[0].lowerBound) <= 0.04, "start \(regions[0].lowerBound)")
        #expect(abs(regions[0].upperBound - spans[0].upperBound) <= 0.04, "end \(regions[0].upperBound) vs \(spans[0].upperBound)")
    }

    @Test("noise alone, however loud, is not speech")
    func noiseOnly() {
        let detector = VoiceActivityDetector()
        #expect(detector.speechRegions(TestSignals.noise(seconds: 2, rmsDbfs: -60, seed: 3)).isEmpty)
        #expect(detector.speechFrames(TestSignals.noise(seconds: 2, rmsDbfs: -15, seed: 4)).allSatisfy { !$0 })
        #expect(!detector.isSpeech(TestSignals.noise(seconds: 0.03, rmsDbfs: -20, seed: 5)))
        #expect(!detector.isSpeech([Float](repeating: 0, count: 1_440)))
        // Mains hum: loud but all below 100 Hz.
        #expect(!detector.isSpeech(TestSignals.sine(hertz: 50, seconds: 0.03, amplitude: 0.3)))
    }

    @Test("a single voiced frame is recognised without any history")
    func singleFrame() {
        let speech = TestSignals.speech("Ah.")
        let detector = VoiceActivityDetector(frameMilliseconds: 20)
        let middle = speech.count / 2
        #expect(detector.isSpeech(Array(speech[(middle - 480)..<(middle + 480)])))
    }

    @Test("higher aggressiveness keeps less of a noisy recording")
    func aggressivenessOrder() {
        let speech = TestSignals.speech("One, two, three, four, five.")
        let noisy = TestSignals.withNoise(speech, snrDB: 5, seed: 6)
        let kept = (0...3).map { VoiceActivityDetector(aggressiveness: $0).speechFrames(noisy).count(where: { $0 }) }
        #expect(kept == kept.sorted(by: >), "\(kept)")
        #expect(kept[0] > kept[3])
    }

    static func segments(_ samples: [Float], segmenter: Segmenter = Segmenter()) -> [Segment] {
        var segmenter = segmenter
        var segments: [Segment] = []
        for start in stride(from: 0, to: samples.count, by: 960) {
            segments += segmenter.push(Array(samples[start..<min(samples.count, start + 960)]))
        }
        return segments + segmenter.flush()
    }

    @Test("two utterances one second apart become two segments")
    func twoUtterances() throws {
        let first = TestSignals.speech("Turn on the lights.")
        let second = TestSignals.speech("And play some music.")
        let secondStart = 0.5 + Double(first.count) / 48_000 + 1.0
        let (mix, spans) = Self.scene([(0.5, first), (secondStart, second)], total: secondStart + Double(second.count) / 48_000 + 1.0)
        let segments = Self.segments(mix)
        try #require(segments.count == 2, "\(segments.map { ($0.startTime, $0.endTime, $0.closedBy) })")
        for (segment, span) in zip(segments, spans) {
            #expect(segment.closedBy == .silence)
            // Pre-roll starts the segment up to 150 ms early (plus one VAD frame); a 200 ms tail follows.
            #expect(segment.startTime <= span.lowerBound && segment.startTime >= span.lowerBound - 0.2)
            #expect(abs(segment.lastVoicedTime - span.upperBound) <= 0.06)
            #expect(segment.endTime >= span.upperBound && segment.endTime <= span.upperBound + 0.3)
            #expect(abs(Double(segment.samples.count) / 48_000 - segment.duration) < 1e-9)
            // The segment is the stream's own audio at its place, to 16-bit precision (pre-roll included).
            let offset = Int((segment.startTime * 48_000).rounded())
            let original = mix[offset..<(offset + segment.samples.count)]
            #expect(zip(original, segment.samples).allSatisfy { abs($0 - $1) <= 0.5 / 32_767 + 1e-7 })
        }
    }

    @Test("words 200 ms apart stay in one segment")
    func wordsMerge() throws {
        let hello = TestSignals.speech("Hello")
        let world = TestSignals.speech("world")
        let worldStart = 0.5 + Double(hello.count) / 48_000 + 0.2
        let (mix, spans) = Self.scene([(0.5, hello), (worldStart, world)], total: worldStart + Double(world.count) / 48_000 + 1.0)
        let segments = Self.segments(mix)
        try #require(segments.count == 1, "\(segments.map { ($0.startTime, $0.endTime) })")
        #expect(segments[0].startTime <= spans[0].lowerBound)
        #expect(segments[0].endTime >= spans[1].upperBound)
    }

    @Test("long speech is cut at the maximum duration, short blips are dropped, flush closes")
    func limits() throws {
        let long = TestSignals.speech("This is a rather long sentence that keeps going, without any real pause, for quite a while.")
        try #require(Double(long.count) / 48_000 > 5.5)
        // Ends mid-speech, about a second after the second 2 s cut, so flush has speech to close.
        let (mix, _) = Self.scene([(0.5, long)], total: 0.5 + 5)
        let segments = Self.segments(mix, segmenter: Segmenter(maxSegmentDuration: 2))
        #expect(segments.count >= 2)
        #expect(segments.dropLast().allSatisfy { $0.closedBy == .maxDuration && abs($0.duration - 2) < 0.05 })
        #expect(segments.last?.closedBy == .flush)

        let click = [Float](repeating: 0.5, count: 480) + TestSignals.noise(seconds: 0.1, rmsDbfs: -10, seed: 8)
        let (blip, _) = Self.scene([(0.5, click)], total: 2)
        #expect(Self.segments(blip).isEmpty)
    }
}
