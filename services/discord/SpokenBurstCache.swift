import Dispatch
import FleetAudio
import FleetSpeech
import ServiceKit
import Synchronization

/// The Opus packets of each (voice, phrase) a simulated speaker's client sends, kept so a phrase
/// said again is not synthesised with flite and encoded again.
///
/// Why: a simulated speaker stands for a remote Discord client, whose synthesis and encoding are
/// not the fleet's cost, yet re-doing them for every utterance was the largest share of the
/// bridge's CPU at 100 speakers (and flite's blocking calls held up the 20 ms loops around them).
/// Speakers say sentences from a fixed corpus in fixed voices, so the same bursts recur. What
/// must stay live sits after the cache: the network's loss and jitter act on the cached packets,
/// and the room (its noise, the quiet-microphone gain) is mixed in where the bridge decodes them
/// (`RoomMicrophone`).
///
/// Bounded: least recently used bursts go once the packets held pass `capacityBytes` (8 MiB by
/// default, about 500 phrases: the whole corpus in every voice is about 600).
final class SpokenBurstCache: Sendable {
    struct Key: Hashable, Sendable {
        var voice: String
        var text: String
        var settings: OpusSettings
        var silenceTimeout: Double
    }

    /// One utterance's packets, back to back in one buffer (a packet each is an allocation each).
    struct Burst: Sendable {
        let bytes: [UInt8]
        /// Where each packet ends in `bytes`.
        let ends: [Int]
        /// Samples of speech in the burst (lead-in and trailing silence apart).
        let speechSamples: Int

        var count: Int { ends.count }
        var size: Int { bytes.count + ends.count * MemoryLayout<Int>.stride }

        func packet(_ index: Int) -> [UInt8] {
            Array(bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]])
        }
    }

    private struct State {
        var bursts: [Key: (burst: Burst, lastUse: UInt64)] = [:]
        var bytes = 0
        var uses: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    let capacityBytes: Int
    private let state = Mutex(State())

    init(capacityBytes: Int = 8 << 20) {
        self.capacityBytes = capacityBytes
    }

    var bytesHeld: Int { state.withLock { $0.bytes } }
    var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// `burst(_:voice:settings:silenceTimeout:)` with a miss made on the speakers' clients' thread
    /// (`SpeakerClients`), off the cooperative pool and below the bridge's priority.
    func burst(_ text: String, voice: Voice, settings: OpusSettings, silenceTimeout: Double) async throws -> Burst {
        if let cached = peek(Key(voice: voice.id, text: text, settings: settings, silenceTimeout: silenceTimeout)) {
            return cached
        }
        return try await SpeakerClients.shared.run {
            try self.burst(text, voice: voice, settings: settings, silenceTimeout: silenceTimeout)
        }
    }

    /// The burst for `text` in `voice`, encoded with `settings`: from the cache, or synthesised,
    /// framed (`SimulatedSpeaker.burst`) and encoded now by a fresh client encoder.
    func burst(_ text: String, voice: Voice, settings: OpusSettings, silenceTimeout: Double) throws -> Burst {
        let key = Key(voice: voice.id, text: text, settings: settings, silenceTimeout: silenceTimeout)
        if let cached = lookUp(key) { return cached }
        // Made outside the lock: two speakers missing at once both encode, and one copy is kept.
        let burst = try Self.encode(SpeechSynthesizer(voice: voice).synthesize(text), settings: settings,
                                    silenceTimeout: silenceTimeout)
        remember(burst, as: key)
        return burst
    }

    /// A cached burst without counting a miss (the clients' thread counts it when it makes it).
    private func peek(_ key: Key) -> Burst? {
        state.withLock { state in
            guard let entry = state.bursts[key] else { return nil }
            state.uses += 1
            state.hits += 1
            state.bursts[key]?.lastUse = state.uses
            return entry.burst
        }
    }

    private func lookUp(_ key: Key) -> Burst? {
        state.withLock { state in
            state.uses += 1
            guard let entry = state.bursts[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.bursts[key]?.lastUse = state.uses
            return entry.burst
        }
    }

    private func remember(_ burst: Burst, as key: Key) {
        state.withLock { state in
            guard state.bursts[key] == nil, burst.size <= capacityBytes else { return }
            while state.bytes + burst.size > capacityBytes,
                  let oldest = state.bursts.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.bytes -= oldest.value.burst.size
                state.bursts[oldest.key] = nil
            }
            state.uses += 1
            state.bursts[key] = (burst, state.uses)
            state.bytes += burst.size
        }
    }

    static func encode(_ speech: [Float], settings: OpusSettings, silenceTimeout: Double) throws -> Burst {
        let encoder = try OpusEncoder(settings: settings)
        var bytes: [UInt8] = [], ends: [Int] = []
        for frame in SimulatedSpeaker.burst(speech, silenceTimeout: silenceTimeout) {
            bytes += try encoder.encode(frame)
            ends.append(bytes.count)
        }
        // At their exact size: the cache's bound counts what the arrays hold, and grown by appending
        // they could take up to twice that.
        return Burst(bytes: bytes.compacted(), ends: ends.compacted(), speechSamples: speech.count)
    }
}

/// The microphone's side of a speaker's room, applied where the bridge decodes the speaker's
/// packets: the voice at the quiet-microphone gain, over the room's noise at the noisy-room level,
/// both read frame by frame. Why here and not before encoding: the client's packets are cached
/// (`SpokenBurstCache`), and the room must still change live and differ from frame to frame.
struct RoomMicrophone: Sendable {
    /// (voice gain, noise amplitude) for the frame about to be mixed.
    let levels: @Sendable () -> (voiceGain: Float, noiseLevel: Float)
    var noise: SeededGenerator

    init(noise: SeededGenerator, levels: @escaping @Sendable () -> (voiceGain: Float, noiseLevel: Float)) {
        self.noise = noise
        self.levels = levels
    }

    mutating func pickUp(_ frame: inout [Float]) {
        let (voiceGain, noiseLevel) = levels()
        for index in frame.indices {
            let mixed = frame[index] * voiceGain + Float.random(in: -noiseLevel...noiseLevel, using: &noise)
            frame[index] = min(1, max(-1, mixed))
        }
    }
}
