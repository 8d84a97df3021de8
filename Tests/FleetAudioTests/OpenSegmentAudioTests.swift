@testable import FleetAudio
import Testing

@Suite("An open utterance's audio, kept as 16-bit chunks")
struct OpenSegmentAudioTests {
    /// A ramp from -1 to 1 and a little past each end, so clamping shows too.
    static func ramp(_ count: Int) -> [Float] {
        (0..<count).map { -1.05 + 2.1 * Float($0) / Float(count - 1) }
    }

    static let step: Float = 1 / 32_767

    @Test("what goes in comes out, in order, to 16-bit precision, across chunk boundaries",
          arguments: [1, 959, OpenSegmentAudio.chunkLength, OpenSegmentAudio.chunkLength + 1, 3 * OpenSegmentAudio.chunkLength + 17])
    func roundTrip(count: Int) {
        let samples = count == 1 ? [Float(0.25)] : Self.ramp(count)
        var audio = OpenSegmentAudio([])
        // Fed as a stream is: in 20 ms frames (the last one short).
        for start in stride(from: 0, to: samples.count, by: 960) {
            audio.append(samples[start..<min(samples.count, start + 960)])
        }
        let out = audio.floats()
        #expect(audio.count == count)
        #expect(out.count == count)
        let worst = zip(samples, out).map { abs(max(-1, min(1, $0)) - $1) }.max() ?? 0
        #expect(worst <= Self.step / 2 + 1e-7, "worst error \(worst)")
    }

    @Test("keepFirst trims to the length asked for, at, before and after a chunk boundary")
    func keepFirst() {
        let chunk = OpenSegmentAudio.chunkLength
        for length in [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk + 5] {
            let samples = Self.ramp(3 * chunk)
            var audio = OpenSegmentAudio(samples)
            audio.keepFirst(length)
            audio.keepFirst(length + 10)  // longer than what is left: nothing changes
            #expect(audio.count == length)
            #expect(audio.floats().count == length)
            #expect(audio.floats() == OpenSegmentAudio(samples[..<length]).floats(), "length \(length)")
            // Still usable: appending after a trim continues from the kept end.
            audio.append([0.5])
            #expect(audio.floats().last.map { abs($0 - 0.5) <= Self.step } == true)
            #expect(audio.count == length + 1)
        }
    }

    @Test("suffix gives the last samples, or all when there are fewer")
    func suffix() {
        let samples = Self.ramp(OpenSegmentAudio.chunkLength + 100)
        let audio = OpenSegmentAudio(samples)
        let all = audio.floats()
        #expect(audio.suffix(150).map(OpenSegmentAudio.float) == Array(all.suffix(150)))
        #expect(audio.suffix(all.count + 5).map(OpenSegmentAudio.float) == all)
        #expect(audio.suffix(0).isEmpty)
    }

    @Test("the pre-roll ring holds the newest samples, oldest first, however it is fed")
    func preRollRing() {
        let samples = Self.ramp(1_000)
        let quantized = samples.map(OpenSegmentAudio.quantized)
        var ring = PreRoll(capacity: 300)
        ring.append(samples[..<100])
        #expect(ring.samples == Array(quantized[..<100]))
        // Frames of odd sizes wrap the ring several times.
        var start = 100
        for size in [7, 250, 301, 42, 300] where start < samples.count {
            let end = min(samples.count, start + size)
            ring.append(samples[start..<end])
            start = end
            #expect(ring.count == min(300, end))
            #expect(ring.samples == Array(quantized[max(0, end - 300)..<end]), "after \(end)")
        }
        ring.replace(with: Array(quantized[..<50]))
        #expect(ring.samples == Array(quantized[..<50]))
        ring.replace(with: quantized)  // more than it holds: the last 300
        #expect(ring.samples == Array(quantized.suffix(300)))
        ring.append([0.5])
        #expect(ring.samples == Array(quantized.suffix(299)) + [OpenSegmentAudio.quantized(0.5)])
        ring.removeAll()
        #expect(ring.samples.isEmpty && ring.count == 0)
        // An utterance opened on the ring starts with it, then the frame.
        ring.append(samples[..<10])
        let opened = OpenSegmentAudio(preRoll: ring, then: samples[10..<20])
        #expect(opened.floats() == OpenSegmentAudio(samples[..<20]).floats())
    }

    @Test("silence, NaN and infinities are stored as silence or full scale, never trap")
    func oddValues() {
        let audio = OpenSegmentAudio([0, .nan, .infinity, -.infinity, 2, -2])
        #expect(audio.floats() == [0, 0, 0, 0, 1, -1])
    }
}

@Suite("Arrays kept at their size")
struct ArrayCompactedTests {
    @Test("compacted keeps the elements and drops the spare capacity; an exact array is returned as it is")
    func compacted() {
        var grown: [UInt8] = []
        for byte in 0..<1_000 { grown.append(UInt8(byte % 251)) }
        #expect(grown.capacity > 1_000)
        let exact = grown.compacted()
        #expect(exact == grown)
        #expect(exact.capacity < 1_000 + 32, "capacity \(exact.capacity)")
        #expect(([] as [Int]).compacted().isEmpty)
        let strings = ["a", "b", String(repeating: "c", count: 40)]
        #expect(strings.compacted() == strings)
    }
}
