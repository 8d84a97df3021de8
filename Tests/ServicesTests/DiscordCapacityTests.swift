import FleetAudio
import FleetSpeech
import ServiceKit
import Testing
@testable import DiscordService

/// What the capacity benchmark relies on in the bridge: the speakers' clients' cached bursts stay
/// bounded and decode to the phrase, and a frame that leaves too late to be played counts as the
/// jitter buffer starving, which a packet the network lost does not.
@Suite("Discord capacity: cached bursts and starvation")
struct DiscordCapacityTests {
    static let phrases = ["Hey Atlas, what time is it?", "Hey Atlas, tell me a joke.", "Atlas, how far away is the moon?"]

    @Test("a phrase said again comes from the cache, and its packets decode to speech")
    func cachedBurst() async throws {
        let cache = SpokenBurstCache()
        let first = try await cache.burst(Self.phrases[0], voice: .default, settings: .voice, silenceTimeout: 0.75)
        let again = try await cache.burst(Self.phrases[0], voice: .default, settings: .voice, silenceTimeout: 0.75)
        #expect(cache.counts.hits == 1 && cache.counts.misses == 1)
        #expect(first.bytes == again.bytes && cache.bytesHeld == first.size)
        // What the bound counts is what the burst takes: no storage left over from appending.
        #expect(first.bytes.capacity - first.bytes.count < 32 && first.ends.capacity - first.ends.count < 4)
        #expect(first.speechSamples > AudioFormat.sampleRate / 2)
        let decoder = try OpusDecoder()
        let audio = try (0..<first.count).flatMap { try decoder.decode(first.packet($0)) }
        #expect(audio.count == first.count * AudioFormat.samplesPerFrame)
        #expect(LevelStats.measure(audio).rmsDbfs > -40)
    }

    @Test("the cache keeps within its bound, dropping the least recently used phrase")
    func bounded() async throws {
        let one = try SpokenBurstCache.encode(SpeechSynthesizer(voice: .default).synthesize(Self.phrases[2]), settings: .voice,
                                              silenceTimeout: 0.75)
        let cache = SpokenBurstCache(capacityBytes: one.size * 2)
        for phrase in Self.phrases {
            _ = try await cache.burst(phrase, voice: .default, settings: .voice, silenceTimeout: 0.75)
            #expect(cache.bytesHeld <= cache.capacityBytes)
        }
        #expect(cache.counts.misses == 3)
        _ = try await cache.burst(Self.phrases[0], voice: .default, settings: .voice, silenceTimeout: 0.75)
        #expect(cache.counts.misses == 4, "the oldest phrase should have been dropped")
        _ = try await cache.burst(Self.phrases[2], voice: .default, settings: .voice, silenceTimeout: 0.75)
        #expect(cache.counts.hits >= 1)
    }

    /// Carries 100 frames of quiet noise; `lateness` says how late each one leaves (the buffer
    /// holds 20 ms at least, so 0.5 ms is in time and 100 ms is not).
    static func carried(lossPercent: Double = 0, lateness: (Int) -> Double) throws -> VoiceLink.Statistics {
        let link = try VoiceLink(segmenter: Segmenter(), lossPercent: lossPercent, lossSeed: SeededGenerator(seed: 4, stream: "test/starve"),
                                 telemetry: LinkTelemetry.recording().telemetry)
        var noise = SeededGenerator(seed: 9)
        for index in 0..<100 {
            let frame = (0..<AudioFormat.samplesPerFrame).map { _ in Float.random(in: -0.003...0.003, using: &noise) }
            _ = try link.carry(frame, lateness: lateness(index))
        }
        return link.statistics
    }

    @Test("a frame that leaves later than the buffer's delay starves its slot")
    func lateFrameStarves() throws {
        let onTime = try Self.carried { _ in 0.0005 }
        #expect(onTime.framesStarved == 0 && onTime.packetsLate == 0)
        let oneLate = try Self.carried { $0 == 40 ? 0.1 : 0.0005 }
        #expect(oneLate.framesStarved == 1)
        // Counted, not concealed: the bridge's lateness must not change what the turn hears.
        #expect(oneLate.packetsLate == 0 && oneLate.framesConcealed == 0)
    }

    @Test("a packet the network lost is loss, not starvation")
    func lossIsNotStarvation() throws {
        let lossy = try Self.carried(lossPercent: 20) { _ in 0 }
        #expect(lossy.packetsLost > 5)
        #expect(lossy.framesStarved == 0)
    }
}
