public import FleetAudio
import Foundation
public import ServiceKit

/// One speaker's audio path into the bridge, as Discord carries it: the speaker's client encodes
/// each 20 ms frame as an Opus packet; the network loses some (in bursts, Gilbert-Elliott) and
/// delays the rest unevenly; the bridge holds what arrives in an adaptive jitter buffer, plays
/// one slot per 20 ms with its own decoder for that speaker (concealing a missing or late packet
/// with PLC, or rebuilding it from the next packet's in-band FEC), and cuts the stream into
/// utterances with a VAD segmenter.
///
/// Time is the stream's own: the speaker task carries one frame per 20 ms, packet n leaves at
/// n × 20 ms, and a packet arrives at its send time plus its network delay. Each `carry` first
/// delivers every packet that has arrived by the current frame's send time, then plays the slots
/// that are due, so nothing here sleeps and a seeded run replays exactly. The speaker and the
/// bridge share one loop, so a bridge too busy to keep its 20 ms schedule shows as the loop's
/// lateness: a frame later than the buffer's playout delay counts as a starved slot (the audio is
/// kept, so a loaded machine does not change what the turns hear).
///
/// Not Sendable: both codecs carry state from frame to frame, so a link lives inside the one
/// task that streams its speaker.
public final class VoiceLink {
    public struct Statistics: Sendable, Equatable, Codable {
        public var packetsSent = 0
        /// Packets decoded in their own slot.
        public var packetsReceived = 0
        /// Packets the network dropped.
        public var packetsLost = 0
        /// Packets that arrived after their slot had been played (concealed) and were dropped.
        public var packetsLate = 0
        /// Missing frames rebuilt from the next packet's in-band FEC data.
        public var framesRecovered = 0
        /// Missing frames filled in by the decoder's packet-loss concealment.
        public var framesConcealed = 0
        /// Slots that ran dry although the network lost nothing: a packet it delayed past its slot
        /// (then concealed), or a frame that left too late for its slot because the bridge was
        /// behind its real-time schedule (counted only: the audio is kept).
        public var framesStarved = 0
        public var segmentsClosed = 0
        /// The RFC 3550 interarrival jitter estimate, in seconds.
        public var jitterSeconds = 0.0
        /// The jitter buffer's current target playout delay, in seconds.
        public var bufferDelaySeconds = 0.0
    }

    private struct InFlight {
        var sequence: Int
        var packet: [UInt8]
        var arrivesAt: Double
    }

    static let frameDuration = Double(AudioFormat.samplesPerFrame) / Double(AudioFormat.sampleRate)
    /// Frames between telemetry reports: one per second of audio per speaker keeps 200 speakers'
    /// metric updates cheap and still moves a dashboard within its scrape interval.
    static let reportInterval = 50

    /// The encoder settings the speaker's client uses now (in-band FEC while impairment is expected).
    private(set) var senderSettings: OpusSettings
    /// Made on the first raw frame (`carry(_:lateness:)`) and again when the settings change. A
    /// simulated speaker sends packets its client encoded already (`SpokenBurstCache`), so it never
    /// needs one: libopus's encoder state is 44 KB, 4.4 MB for 100 speakers who never used it.
    private var encoder: OpusEncoder?
    private let decoder: OpusDecoder
    private var segmenter: Segmenter
    private let conditions: @Sendable () -> LinkConditions
    private var applied: LinkConditions
    private var loss: GilbertElliott
    private var lossDraws: SeededGenerator
    private var delayDraws: SeededGenerator
    private var buffer = JitterBuffer()
    private var inFlight: [InFlight] = []
    private var nextSequence = 0
    /// Sequence numbers the network dropped whose slot has not played yet: an empty slot for one of
    /// these is loss, any other empty slot is starvation.
    private var lostInTransit: Set<Int> = []
    /// Indices (in played frames) of the frames filled in by PLC, kept for as long as a segment
    /// can reach back, so each closed segment can say what share of it was made up.
    private var concealedFrames: [Int] = []
    private var playedFrames = 0
    private let telemetry: LinkTelemetry
    /// The statistics as the last report left them: each report is what changed since.
    private var reported = Statistics()
    public private(set) var statistics = Statistics()

    /// - Parameters:
    ///   - lossPercent: scattered loss when `conditions` is nil (the static DISCORD_PACKET_LOSS).
    ///   - lossSeed: seeds the loss and delay draws, so a run replays.
    ///   - conditions: asked on every frame for the network's current state (the static settings
    ///     plus the running scenarios); nil means `lossPercent` alone, unchanging.
    ///   - telemetry: where packet and concealment counts go, once a second of audio.
    public init(segmenter: Segmenter, lossPercent: Double = 0, lossSeed: SeededGenerator = SeededGenerator(seed: 0),
                conditions: (@Sendable () -> LinkConditions)? = nil, telemetry: LinkTelemetry = .metrics) throws {
        let conditions = conditions ?? LinkConditions.fixed(lossPercent: lossPercent)
        let initial = conditions()
        self.conditions = conditions
        applied = initial
        senderSettings = initial.expectsImpairment ? .voiceOverLossyNetwork : .voice
        decoder = try OpusDecoder()
        self.segmenter = segmenter
        loss = GilbertElliott(meanLossPercent: initial.lossPercent, meanBurstLength: Self.burstLength(of: initial))
        lossDraws = lossSeed
        var seeds = lossSeed
        delayDraws = SeededGenerator(seed: seeds.next(), stream: "discord/jitter")
        self.telemetry = telemetry
    }

    /// Seconds of audio the bridge has played out from this speaker (concealed frames included).
    public var streamTime: Double { segmenter.streamTime }

    /// Carries one 20 ms frame from the speaker to the bridge; returns the segments it closed.
    /// `lateness`: seconds the frame left after its real-time schedule.
    public func carry(_ frame: [Float], lateness: Double = 0) throws -> [Segment] {
        var room: RoomMicrophone?
        // `send` passes the settings after it has followed the conditions (which may change them).
        return try send(lateness: lateness, room: &room) { settings in try self.encoder(for: settings).encode(frame) }
    }

    /// The client's encoder for `settings`: the one it has, or a new one when the settings changed.
    private func encoder(for settings: OpusSettings) throws -> OpusEncoder {
        if let encoder, encoder.settings == settings { return encoder }
        let fresh = try OpusEncoder(settings: settings)
        encoder = fresh
        return fresh
    }

    /// Carries one 20 ms frame the speaker's client already encoded (`packet` answers it for the
    /// encoder settings the client uses right now, which follow the network's conditions); the
    /// bridge mixes `room` into what it decodes.
    func carry(lateness: Double = 0, room: inout RoomMicrophone?,
               packet: (OpusSettings) throws -> [UInt8]) throws -> [Segment] {
        try send(lateness: lateness, room: &room, packet: packet)
    }

    private func send(lateness: Double, room: inout RoomMicrophone?,
                      packet encoded: (OpusSettings) throws -> [UInt8]) throws -> [Segment] {
        let conditions = try follow(self.conditions())
        let packet = try encoded(senderSettings)
        let sequence = nextSequence
        nextSequence += 1
        statistics.packetsSent += 1
        let now = Double(sequence) * Self.frameDuration
        if loss.nextIsLost(using: &lossDraws) {
            statistics.packetsLost += 1
            lostInTransit.insert(sequence)
        } else {
            let arrivesAt = now + networkDelay(conditions)
            inFlight.append(InFlight(sequence: sequence, packet: packet, arrivesAt: arrivesAt))
            // On time over the network, but sent too late for its slot: the buffer would have run dry.
            let playout = buffer.playoutTime(of: sequence) ?? arrivesAt + buffer.targetDelay
            if lateness > 0, arrivesAt <= playout, arrivesAt + lateness > playout + 1e-9 {
                statistics.framesStarved += 1
            }
        }
        deliver(by: now)
        let closed = try playOut(buffer.due(at: now), room: &room)
        afterFrame()
        return closed
    }

    /// The share of `segment`'s 20 ms frames that the bridge had to make up with packet-loss
    /// concealment because their packet was lost or late and FEC could not rebuild it: the
    /// residual loss the audio processor's quality score needs to know (X-Concealed-Frame-Ratio).
    /// A frame rebuilt from FEC carries the speaker's real audio at a lower bitrate, so it counts
    /// as received, as the E-model's packet-loss term counts the loss left after recovery.
    public func concealedRatio(of segment: Segment) -> Double {
        let first = Int((segment.startTime / Self.frameDuration + 1e-6).rounded(.down))
        let end = Int((segment.endTime / Self.frameDuration - 1e-6).rounded(.up))
        guard end > first else { return 0 }
        let concealed = concealedFrames.count(where: { $0 >= first && $0 < end })
        return Double(concealed) / Double(end - first)
    }

    /// Plays out whatever is still buffered or on its way and closes whatever utterance is still
    /// open (the speaker left the channel).
    public func flush() -> [Segment] {
        deliver(by: .infinity)
        var closed: [Segment] = []
        if nextSequence > 0, let last = buffer.playoutTime(of: nextSequence - 1) {
            var room: RoomMicrophone?
            closed += (try? playOut(buffer.due(at: last), room: &room)) ?? []
        }
        let flushed = segmenter.flush()
        statistics.segmentsClosed += flushed.count
        report()
        return closed + flushed
    }

    // MARK: The sender and the network

    /// Applies changed conditions: retunes the loss model (keeping its state) and, like a client
    /// reacting to the receiver's reports, turns in-band FEC on while impairment is expected and
    /// off again after. libopus cannot switch FEC through this API mid-stream, so the client
    /// opens a new encoder; that costs one frame of prediction state, only when conditions change.
    private func follow(_ conditions: LinkConditions) throws -> LinkConditions {
        guard conditions != applied else { return conditions }
        applied = conditions
        loss.retune(meanLossPercent: conditions.lossPercent, meanBurstLength: Self.burstLength(of: conditions))
        if conditions.expectsImpairment != senderSettings.inbandFEC {
            senderSettings = conditions.expectsImpairment ? .voiceOverLossyNetwork : .voice
        }
        return conditions
    }

    /// Bursts as the conditions say, or the runs independent loss makes by chance.
    private static func burstLength(of conditions: LinkConditions) -> Double {
        conditions.meanBurstLength ?? GilbertElliott.independentBurstLength(lossPercent: conditions.lossPercent)
    }

    /// The fixed delay plus exponentially distributed queueing delay with the configured mean.
    private func networkDelay(_ conditions: LinkConditions) -> Double {
        var delay = conditions.baseDelayMs / 1000
        if conditions.jitterMs > 0 {
            delay += -conditions.jitterMs / 1000 * log(1 - Double.random(in: 0..<1, using: &delayDraws))
        }
        return delay
    }

    // MARK: The bridge

    /// Hands every packet that has arrived by `now` to the jitter buffer, in order of arrival.
    private func deliver(by now: Double) {
        let horizon = now + 1e-9
        let arrived = inFlight.filter { $0.arrivesAt <= horizon }
            .sorted { ($0.arrivesAt, $0.sequence) < ($1.arrivesAt, $1.sequence) }
        guard !arrived.isEmpty else { return }
        inFlight.removeAll { $0.arrivesAt <= horizon }
        for packet in arrived {
            guard buffer.arrive(packet.packet, sequence: packet.sequence, at: packet.arrivesAt) == .late else { continue }
            statistics.packetsLate += 1
        }
    }

    /// Decodes each due slot from its own packet, from the next packet's FEC, or by concealment,
    /// and segments the audio.
    private func playOut(_ slots: [JitterBuffer.Slot], room: inout RoomMicrophone?) throws -> [Segment] {
        var closed: [Segment] = []
        for slot in slots {
            if slot.packet == nil, lostInTransit.remove(slot.sequence) == nil { statistics.framesStarved += 1 }
            var audio: [Float]
            if let packet = slot.packet {
                audio = try decoder.decode(packet)
                statistics.packetsReceived += 1
            } else if senderSettings.inbandFEC, let next = slot.next {
                audio = try decoder.decodeFEC(next: next)
                statistics.framesRecovered += 1
            } else {
                audio = try decoder.concealLostFrame()
                statistics.framesConcealed += 1
                concealedFrames.append(playedFrames)
            }
            playedFrames += 1
            room?.pickUp(&audio)
            closed += segmenter.push(audio)
        }
        statistics.segmentsClosed += closed.count
        return closed
    }

    private func afterFrame() {
        statistics.jitterSeconds = buffer.jitter
        statistics.bufferDelaySeconds = buffer.targetDelay
        guard statistics.packetsSent % Self.reportInterval == 0 else { return }
        report()
        // A segment reaches back at most its maximum duration plus pre-roll from the frame that closes it.
        let history = Int(segmenter.maxSegmentDuration / Self.frameDuration) + Self.reportInterval * 2
        if let keepFrom = concealedFrames.firstIndex(where: { $0 >= playedFrames - history }) {
            concealedFrames.removeFirst(keepFrom)
        } else {
            concealedFrames.removeAll()
        }
    }

    private func report() {
        statistics.jitterSeconds = buffer.jitter
        statistics.bufferDelaySeconds = buffer.targetDelay
        telemetry.deliver(LinkTelemetry.Report(since: reported, now: statistics))
        reported = statistics
    }
}
