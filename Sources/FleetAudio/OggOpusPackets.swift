internal import COpus

/// How long each packet of an Ogg Opus stream plays, read from the packets themselves.
///
/// Why: a voice connection sends 20 ms Opus packets, so a stream whose packets are all 20 ms can
/// be sent as it is, packet by packet, with no decode and re-encode. The length lives in each
/// packet's TOC byte (RFC 6716 §3.1), not in the Ogg container, so it is read per packet.
extension OggOpusStream {
    /// Samples at 48 kHz that `packet` decodes to (960 for 20 ms), as libopus reads its TOC; nil
    /// for an empty packet (a gap in the stream) or one whose header is malformed.
    public static func samples(inPacket packet: [UInt8]) -> Int? {
        guard !packet.isEmpty else { return nil }
        let samples = packet.withUnsafeBufferPointer { bytes -> Int32 in
            guard let start = bytes.baseAddress else { return OPUS_BAD_ARG }
            return opus_packet_get_nb_samples(start, Int32(bytes.count), Int32(AudioFormat.sampleRate))
        }
        return samples > 0 ? Int(samples) : nil
    }

    /// True when the stream has audio and every packet is exactly one 20 ms frame
    /// (``AudioFormat/samplesPerFrame``): packets a 20 ms sender can pass on as they are.
    public var packetsAreFrames: Bool {
        !packets.isEmpty && packets.allSatisfy { Self.samples(inPacket: $0) == AudioFormat.samplesPerFrame }
    }

    /// Seconds of audio the stream holds: its timeline (the last granule position) less the
    /// pre-skip, and never more than its packets decode to (a gap counted as one 20 ms frame); what
    /// ``OggOpus/decode(_:maxSamples:)`` would return, without decoding.
    public var duration: Double {
        guard !packets.isEmpty else { return 0 }
        let decodable = packets.reduce(0) { $0 + (Self.samples(inPacket: $1) ?? AudioFormat.samplesPerFrame) }
        let end = min(Int(clamping: granulePosition), decodable)
        return Double(max(0, end - head.preSkip)) / Double(AudioFormat.sampleRate)
    }
}
