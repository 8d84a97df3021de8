public import FleetAudio
import Foundation
public import ServiceKit

/// One speaker's audio path into the bridge, as Discord carries it: the speaker's client encodes
/// each 20 ms frame as an Opus packet, the network may lose some, and the bridge decodes what
/// arrives with its own decoder for that speaker (concealing or FEC-recovering the gaps) and cuts
/// the stream into utterances with a VAD segmenter.
///
/// Not Sendable: both codecs carry state from frame to frame, so a link lives inside the one
/// task that streams its speaker.
public final class VoiceLink {
    public struct Statistics: Sendable, Equatable, Codable {
        public var packetsSent = 0
        public var packetsLost = 0
        /// Lost frames rebuilt from the next packet's in-band FEC data.
        public var framesRecovered = 0
        /// Lost frames filled in by the decoder's packet-loss concealment.
        public var framesConcealed = 0
        public var segmentsClosed = 0
    }

    private let encoder: OpusEncoder
    private let decoder: OpusDecoder
    private var segmenter: Segmenter
    private let lossPercent: Double
    private var lossDraws: SeededGenerator
    private let usesFEC: Bool
    private var nextSequence = 0
    /// Sequence number the bridge expects next; a higher one means packets went missing.
    private var expectedSequence = 0
    public private(set) var statistics = Statistics()

    /// - Parameters:
    ///   - lossPercent: share of packets dropped in transit, decided by `lossSeed` so a run replays.
    public init(segmenter: Segmenter, lossPercent: Double = 0, lossSeed: SeededGenerator = SeededGenerator(seed: 0)) throws {
        // With loss expected, the speaker's client embeds FEC, as Discord's clients do.
        usesFEC = lossPercent > 0
        encoder = try OpusEncoder(settings: usesFEC ? .voiceOverLossyNetwork : .voice)
        decoder = try OpusDecoder()
        self.segmenter = segmenter
        self.lossPercent = lossPercent
        lossDraws = lossSeed
    }

    /// Seconds of audio the bridge has received from this speaker (concealed frames included).
    public var streamTime: Double { segmenter.streamTime }

    /// Carries one 20 ms frame from the speaker to the bridge; returns the segments it closed.
    public func carry(_ frame: [Float]) throws -> [Segment] {
        let packet = try encoder.encode(frame)
        let sequence = nextSequence
        nextSequence += 1
        statistics.packetsSent += 1
        if lossPercent > 0, Double.random(in: 0..<100, using: &lossDraws) < lossPercent {
            statistics.packetsLost += 1
            return []
        }
        return try receive(packet, sequence: sequence)
    }

    /// The bridge's side: fills any gap before `packet`, then decodes it and segments the audio.
    func receive(_ packet: [UInt8], sequence: Int) throws -> [Segment] {
        var closed: [Segment] = []
        let missing = max(0, sequence - expectedSequence)
        for index in 0..<missing {
            // Only the frame just before this packet can come back from its FEC data.
            if usesFEC, index == missing - 1 {
                closed += segmenter.push(try decoder.decodeFEC(next: packet))
                statistics.framesRecovered += 1
            } else {
                closed += segmenter.push(try decoder.concealLostFrame())
                statistics.framesConcealed += 1
            }
        }
        expectedSequence = sequence + 1
        closed += segmenter.push(try decoder.decode(packet))
        statistics.segmentsClosed += closed.count
        return closed
    }

    /// Closes whatever utterance is still open (the speaker left the channel).
    public func flush() -> [Segment] {
        let closed = segmenter.flush()
        statistics.segmentsClosed += closed.count
        return closed
    }
}
