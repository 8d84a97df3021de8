internal import COpus

/// How an ``OpusEncoder`` spends its bits.
public struct OpusSettings: Sendable, Hashable {
    /// Target bitrate in bits per second (libopus accepts 500...512_000).
    public var bitrate: Int
    /// 0 (fastest) ... 10 (best quality).
    public var complexity: Int
    /// Embed a low-bitrate copy of each frame in the next packet so a receiver can rebuild a
    /// single lost packet (``OpusDecoder/decodeFEC(next:)``). Only effective in SILK/hybrid mode,
    /// which is what voice at these bitrates uses.
    public var inbandFEC: Bool
    /// The loss rate the encoder should plan for; libopus only spends bits on FEC when this is > 0.
    public var expectedPacketLossPercent: Int
    /// The widest audio band the encoder may code.
    public var maxBandwidth: OpusBandwidth

    public init(bitrate: Int = 32_000, complexity: Int = 5, inbandFEC: Bool = false, expectedPacketLossPercent: Int = 0,
                maxBandwidth: OpusBandwidth = .fullband) {
        self.bitrate = bitrate
        self.complexity = complexity
        self.inbandFEC = inbandFEC
        self.expectedPacketLossPercent = expectedPacketLossPercent
        self.maxBandwidth = maxBandwidth
    }

    /// What the fleet uses for files, HTTP bodies and the voice channel: 32 kb/s, complexity 5,
    /// at most wideband (up to 8 kHz).
    ///
    /// Every sound in the fleet is flite speech, synthesised at 16 kHz, so there is nothing above
    /// 8 kHz to code, and stt listens at 16 kHz. Left to choose at 48 kHz, libopus codes the empty
    /// upper band as well (hybrid SILK+CELT): capped at wideband, SILK spends every bit on the
    /// speech. And each turn encodes its audio four times (segment, processed segment, enhanced
    /// audio, reply), which was most of the fleet's CPU at load. Measured on the ten voices
    /// (`OpusCodecTests.fleetSettingsKeepQuality`): complexity 10 at full band, the setting before,
    /// scored 23.3 dB fwSNRseg for 0.52 s of CPU; this one scores 25.7 dB for 0.27 s, in 8 % fewer bytes.
    public static let voice = OpusSettings(bitrate: 32_000, complexity: 5, maxBandwidth: .wideband)

    /// For live voice over a lossy link: same quality budget, plus in-band FEC sized for ~10 % loss.
    public static let voiceOverLossyNetwork = OpusSettings(
        bitrate: 32_000, complexity: 5, inbandFEC: true, expectedPacketLossPercent: 10, maxBandwidth: .wideband
    )
}

/// The audio bands Opus codes (RFC 6716 2.1.2), by the highest frequency each keeps.
public enum OpusBandwidth: Sendable, Hashable {
    /// Up to 8 kHz: SILK alone; all a 16 kHz source (flite's voices) holds.
    case wideband
    /// Up to 12 kHz.
    case superwideband
    /// Up to 20 kHz.
    case fullband

    var libopusValue: Int32 {
        switch self {
        case .wideband: OPUS_BANDWIDTH_WIDEBAND
        case .superwideband: OPUS_BANDWIDTH_SUPERWIDEBAND
        case .fullband: OPUS_BANDWIDTH_FULLBAND
        }
    }
}

/// Encodes 20 ms frames of 48 kHz mono speech into Opus packets (application VOIP, signal voice).
///
/// Not `Sendable`: a libopus encoder carries prediction state from one frame to the next and
/// must not be used concurrently. Create one per stream and keep it inside one task or actor.
public final class OpusEncoder {
    private let state: OpaquePointer
    public let settings: OpusSettings
    /// Samples of algorithmic delay the decoder output lags behind the input. Ogg Opus files
    /// store it as the OpusHead pre-skip so players drop exactly that many leading samples.
    public let lookahead: Int
    private var packetBuffer = [UInt8](repeating: 0, count: OpusEncoder.maxPacketBytes)

    /// RFC 6716 caps a single 20 ms frame at 1275 bytes; 4000 is what libopus recommends for a buffer.
    private static let maxPacketBytes = 4_000

    public init(settings: OpusSettings = OpusSettings()) throws(AudioCodecError) {
        var status: Int32 = OPUS_OK
        guard let state = opus_encoder_create(Int32(AudioFormat.sampleRate), 1, OPUS_APPLICATION_VOIP, &status),
              status == OPUS_OK
        else {
            throw .libopus(status)
        }
        do throws(AudioCodecError) {
            self.lookahead = try Self.configure(state, settings)
        } catch {
            opus_encoder_destroy(state)
            throw error
        }
        self.state = state
        self.settings = settings
    }

    deinit {
        opus_encoder_destroy(state)
    }

    /// Encodes exactly one 20 ms frame (960 samples). Non-finite samples are encoded as silence.
    public func encode(_ frame: [Float]) throws(AudioCodecError) -> [UInt8] {
        guard frame.count == AudioFormat.samplesPerFrame else {
            throw .invalidFrameSize(frame.count)
        }
        // libopus's float path assumes finite input; one NaN from an upstream bug must not
        // poison the encoder's prediction state for the rest of the stream.
        let input = frame.allSatisfy(\.isFinite) ? frame : frame.map { $0.isFinite ? $0 : 0 }
        let state = self.state
        let written = input.withUnsafeBufferPointer { pcm in
            packetBuffer.withUnsafeMutableBufferPointer { out in
                guard let samples = pcm.baseAddress, let packet = out.baseAddress else { return OPUS_BAD_ARG }
                return opus_encode_float(state, samples, Int32(pcm.count), packet, Int32(out.count))
            }
        }
        guard written > 0 else {
            throw .libopus(written)
        }
        return Array(packetBuffer[0..<Int(written)])
    }

    /// Applies `settings` and returns the encoder's lookahead, which depends on them.
    private static func configure(_ state: OpaquePointer, _ settings: OpusSettings) throws(AudioCodecError) -> Int {
        try check(af_opus_set_bitrate(state, Int32(clamping: settings.bitrate)))
        try check(af_opus_set_complexity(state, Int32(clamping: settings.complexity)))
        try check(af_opus_set_signal_voice(state))
        try check(af_opus_set_inband_fec(state, settings.inbandFEC ? 1 : 0))
        try check(af_opus_set_packet_loss_perc(state, Int32(clamping: settings.expectedPacketLossPercent)))
        try check(af_opus_set_max_bandwidth(state, settings.maxBandwidth.libopusValue))
        var lookahead: Int32 = 0
        try check(af_opus_get_lookahead(state, &lookahead))
        return Int(lookahead)
    }

    private static func check(_ status: Int32) throws(AudioCodecError) {
        guard status == OPUS_OK else {
            throw .libopus(status)
        }
    }
}

/// Decodes Opus packets to 48 kHz mono `Float` PCM, with packet-loss concealment and in-band FEC.
///
/// Stereo packets are down-mixed by libopus. Not `Sendable` for the same reason as ``OpusEncoder``:
/// the decoder's state (and its loss concealment) depends on the order of packets.
public final class OpusDecoder {
    private let state: OpaquePointer
    /// Concealment must cover the duration of the packet that went missing; packets of one
    /// stream normally share a duration, so the previous packet's is the best guess.
    private var lastFrameSamples = AudioFormat.samplesPerFrame

    /// The longest Opus packet is 120 ms.
    static let maxFrameSamples = AudioFormat.sampleRate * 120 / 1_000
    /// The shortest Opus frame is 2.5 ms.
    static let shortestFrameSamples = AudioFormat.sampleRate / 400

    public init() throws(AudioCodecError) {
        var status: Int32 = OPUS_OK
        guard let state = opus_decoder_create(Int32(AudioFormat.sampleRate), 1, &status), status == OPUS_OK else {
            throw .libopus(status)
        }
        self.state = state
    }

    deinit {
        opus_decoder_destroy(state)
    }

    /// Decodes one packet. Throws ``AudioCodecError/corruptPacket`` for empty or malformed packets.
    public func decode(_ packet: [UInt8]) throws(AudioCodecError) -> [Float] {
        // libopus treats a zero-length packet as "lost" and would silently conceal it.
        guard !packet.isEmpty else {
            throw .corruptPacket
        }
        // Sized from the packet's own header: no scratch buffer for the longest (120 ms) frame,
        // which was 23 KB per decoder, and the bridge keeps one decoder per speaker.
        let frameSamples = packet.withUnsafeBufferPointer { data in
            data.baseAddress.map { opus_decoder_get_nb_samples(state, $0, Int32(data.count)) } ?? OPUS_INVALID_PACKET
        }
        guard frameSamples > 0 else {
            throw frameSamples == OPUS_INVALID_PACKET || frameSamples == 0 ? .corruptPacket : .libopus(frameSamples)
        }
        let samples = try run(packet, frameSamples: Int(frameSamples), fec: false)
        lastFrameSamples = samples.count
        return samples
    }

    /// Decodes one packet onto the end of `output`, with no array of its own in between: what
    /// ``OggOpus/decode(_:maxSamples:)`` does for every packet of a file.
    func decode(_ packet: [UInt8], appendingTo output: inout [Float]) throws(AudioCodecError) {
        guard !packet.isEmpty else {
            throw .corruptPacket
        }
        let state = self.state
        let start = output.count
        let room = Self.maxFrameSamples
        // Grow by the largest frame, decode into the new tail, then drop what libopus did not write.
        output.append(contentsOf: repeatElement(0, count: room))
        let decoded: Int32 = output.withUnsafeMutableBufferPointer { out in
            packet.withUnsafeBufferPointer { data in
                guard let pcm = out.baseAddress else { return OPUS_BAD_ARG }
                return opus_decode_float(state, data.baseAddress, Int32(data.count), pcm + start, Int32(room), 0)
            }
        }
        guard decoded >= 0 else {
            output.removeSubrange(start...)
            throw decoded == OPUS_INVALID_PACKET ? .corruptPacket : .libopus(decoded)
        }
        output.removeSubrange((start + Int(decoded))...)
        lastFrameSamples = Int(decoded)
    }

    /// Packet-loss concealment: synthesizes audio for one lost packet from the decoder's history,
    /// as long as the last packet decoded but at most `maxSamples` (a container that knows how much
    /// is missing says so; the result is still whole 2.5 ms steps, as libopus requires, then cut).
    public func concealLostFrame(maxSamples: Int = .max) throws(AudioCodecError) -> [Float] {
        guard maxSamples > 0 else { return [] }
        let step = Self.shortestFrameSamples
        let wanted = maxSamples >= lastFrameSamples ? lastFrameSamples : (maxSamples + step - 1) / step * step
        let samples = try run(nil, frameSamples: wanted, fec: false)
        return samples.count > maxSamples ? Array(samples.prefix(maxSamples)) : samples
    }

    /// Rebuilds the packet lost just before `packet` from the FEC data embedded in `packet`.
    /// Call ``decode(_:)`` with the same `packet` afterwards to get its own audio. If `packet`
    /// carries no FEC data libopus falls back to concealment, so the result always has the
    /// lost frame's length.
    public func decodeFEC(next packet: [UInt8]) throws(AudioCodecError) -> [Float] {
        guard !packet.isEmpty else {
            throw .corruptPacket
        }
        return try run(packet, frameSamples: lastFrameSamples, fec: true)
    }

    /// Decodes into an array of `frameSamples`, the most libopus may write, cut to what it wrote.
    private func run(_ packet: [UInt8]?, frameSamples: Int, fec: Bool) throws(AudioCodecError) -> [Float] {
        let state = self.state
        var decoded: Int32 = 0
        let samples = [Float](unsafeUninitializedCapacity: frameSamples) { out, initialized in
            guard let pcm = out.baseAddress else {
                decoded = OPUS_BAD_ARG
                return
            }
            if let packet {
                decoded = packet.withUnsafeBufferPointer { data in
                    opus_decode_float(state, data.baseAddress, Int32(data.count), pcm, Int32(frameSamples), fec ? 1 : 0)
                }
            } else {
                decoded = opus_decode_float(state, nil, 0, pcm, Int32(frameSamples), 0)
            }
            initialized = max(0, Int(decoded))
        }
        guard decoded >= 0 else {
            throw decoded == OPUS_INVALID_PACKET ? .corruptPacket : .libopus(decoded)
        }
        return samples
    }
}

/// Plain libopus called from C with the fleet's settings, no wrapper and no container: the floor
/// `audio-fleet bench codec` divides the fleet's codec work by (its "codec ratio").
///
/// Why here: the C loop lives in COpus's shim, which only this module imports.
public enum OpusReference {
    /// Packets of 20 ms frames as the C loop laid them out (slots of 4000 bytes), for ``decode(_:)``.
    public struct Packets {
        fileprivate var bytes: [UInt8]
        fileprivate var lengths: [Int32]
        public var frameCount: Int { lengths.count }
        /// The bytes all packets take together.
        public var totalBytes: Int { lengths.reduce(0) { $0 + Int($1) } }
    }

    /// `pcm` zero-padded (or cut) to whole 20 ms `frames`: the input ``encode(_:settings:)`` takes,
    /// prepared outside the measurement.
    public static func padded(_ pcm: [Float], frames: Int) -> [Float] {
        let count = frames * AudioFormat.samplesPerFrame
        return Array(pcm.prefix(count)) + [Float](repeating: 0, count: max(0, count - pcm.count))
    }

    /// Encodes `input` (whole 20 ms frames, see ``padded(_:frames:)``) with one fresh encoder.
    public static func encode(_ input: [Float], settings: OpusSettings = .voice) -> Packets {
        let frames = input.count / AudioFormat.samplesPerFrame
        var packets = Packets(bytes: [UInt8](repeating: 0, count: frames * 4_000), lengths: [Int32](repeating: 0, count: frames))
        _ = input.withUnsafeBufferPointer { pcm in
            packets.bytes.withUnsafeMutableBufferPointer { bytes in
                packets.lengths.withUnsafeMutableBufferPointer { lengths in
                    af_reference_encode(pcm.baseAddress, Int32(frames), Int32(clamping: settings.bitrate),
                                        Int32(clamping: settings.complexity), settings.maxBandwidth.libopusValue,
                                        bytes.baseAddress, lengths.baseAddress)
                }
            }
        }
        return packets
    }

    /// Decodes `packets` with one fresh decoder; returns the samples decoded.
    @discardableResult
    public static func decode(_ packets: Packets) -> Int {
        var pcm = [Float](repeating: 0, count: max(1, packets.frameCount) * AudioFormat.samplesPerFrame)
        return pcm.withUnsafeMutableBufferPointer { pcm in
            packets.bytes.withUnsafeBufferPointer { bytes in
                packets.lengths.withUnsafeBufferPointer { lengths in
                    Int(af_reference_decode(bytes.baseAddress, lengths.baseAddress, Int32(packets.frameCount), pcm.baseAddress))
                }
            }
        }
    }
}
