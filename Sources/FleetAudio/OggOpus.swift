import Foundation

/// Ogg Opus (RFC 7845) files in one call each way: the format of every audio body in the fleet.
///
/// Speak a line (flite, through FleetSpeech), ship it as `.opus`, read it back:
///
/// ```swift
/// import FleetAudio
/// import FleetSpeech
///
/// let text = "Turn the lights off, please."
/// let pcm = SpeechSynthesizer(voice: .default).synthesize(text)  // 48 kHz mono Float
/// let file = try OggOpus.encode(pcm, comments: [
///     OpusComment.referenceTranscript: text,
///     OpusComment.voice: Voice.default.id,
/// ])
/// // `file` is a complete .opus file: opusinfo, ffprobe and browsers accept it.
///
/// let audio = try OggOpus.decode(file)
/// assert(audio.samples.count == pcm.count)  // exact, thanks to granule trimming
/// print(audio.comments[OpusComment.referenceTranscript] ?? "")  // "Turn the lights off, please."
/// print(audio.duration, audio.packetCount)
/// ```
///
/// For live streams, feed ``OpusEncoder`` packets to an ``OggOpusWriter`` page by page; to get
/// at individual packets, use ``OggOpusReader/parse(_:)`` and an ``OpusDecoder``.
public enum OggOpus {
    /// Encodes 48 kHz mono PCM as a complete Ogg Opus file of 20 ms packets.
    ///
    /// The input is padded with zeros to whole frames (plus the encoder's lookahead so the tail
    /// is not cut off), and the final granule position marks exactly `pcm.count` real samples,
    /// so ``decode(_:)`` — and any conforming player — returns the same length that went in.
    /// The Ogg serial number is derived from the content, so equal inputs give equal bytes.
    public static func encode(
        _ pcm: [Float],
        comments: [String: String] = [:],
        settings: OpusSettings = .voice
    ) throws(AudioCodecError) -> [UInt8] {
        let encoder = try OpusEncoder(settings: settings)
        let frameSize = AudioFormat.samplesPerFrame
        // The decoder's output lags the input by the lookahead (the pre-skip), so the stream must
        // run that much past the end of the input for the last real sample to come out.
        let decodedLength = encoder.lookahead + pcm.count
        let frameCount = max(1, (decodedLength + frameSize - 1) / frameSize)

        var writer = OggOpusWriter(serial: serial(for: pcm, comments: comments), preSkip: encoder.lookahead, comments: comments)
        var output: [UInt8] = []
        output.reserveCapacity(frameCount * min(max(settings.bitrate, 0), 512_000) / 8 / 50 + 4_096)
        var frame = [Float](repeating: 0, count: frameSize)
        for index in 0..<frameCount {
            let start = index * frameSize
            let available = max(0, min(frameSize, pcm.count - start))
            for offset in 0..<frameSize {
                frame[offset] = offset < available ? pcm[start + offset] : 0
            }
            let packet = try encoder.encode(frame)
            let countedSamples = index == frameCount - 1 ? decodedLength - start : frameSize
            output += writer.append(packet: packet, samples: countedSamples)
        }
        output += writer.finish()
        return output
    }

    /// What ``decode(_:maxSamples:)`` accepts when the caller sets no budget: ten minutes, the
    /// fleet's upload limit (about 115 MB of samples).
    public static let defaultMaxSamples = 600 * AudioFormat.sampleRate

    /// Decodes a complete Ogg Opus file to 48 kHz mono PCM, refusing more than `maxSamples`.
    ///
    /// Applies the OpusHead output gain, drops the pre-skip and trims the end to the last granule
    /// position. Streams are assumed to start at granule 0 (true for this module, opusenc and ffmpeg).
    ///
    /// The granule position is the stream's timeline, and the decoder never produces more than it:
    /// an empty packet (a gap the sender concealed) is concealed only as far as the timeline says
    /// audio is missing, and packets past its end are not decoded. So a file's cost is bounded by
    /// the length it claims, and that length by `maxSamples`, checked before anything is decoded
    /// (``AudioCodecError/audioTooLong(samples:limit:)``).
    public static func decode(_ bytes: [UInt8], maxSamples: Int = defaultMaxSamples) throws(AudioCodecError) -> DecodedAudio {
        let stream = try OggOpusReader.parse(bytes, maxSamples: maxSamples)
        guard stream.head.mappingFamily == 0, stream.head.channelCount <= 2 else {
            throw .unsupportedChannelCount(stream.head.channelCount)
        }
        let decoder = try OpusDecoder()
        // The reader guarantees pre-skip <= timeline <= pre-skip + maxSamples for a stream with audio.
        let timeline = stream.packets.isEmpty ? 0 : Int(stream.granulePosition)
        var decoded: [Float] = []
        var concealed = 0
        // Room for the timeline plus one largest frame, which decode(_:appendingTo:) grows by first.
        decoded.reserveCapacity(min(timeline, stream.packets.count * OpusDecoder.maxFrameSamples) + OpusDecoder.maxFrameSamples)
        for packet in stream.packets {
            let missing = timeline - decoded.count
            // The rest lies past the end the timeline marks: end trimming would drop it anyway.
            guard missing > 0 else { break }
            if packet.isEmpty {
                // Opus itself has no empty packets; in a container one can only stand for a frame
                // the sender did not have (a gap), so conceal it rather than reject the file.
                let frame = try decoder.concealLostFrame(maxSamples: missing)
                concealed += frame.count
                decoded += frame
            } else {
                try decoder.decode(packet, appendingTo: &decoded)
            }
        }

        let end = min(decoded.count, timeline)
        let start = min(stream.head.preSkip, end)
        let decodedCount = decoded.count
        // Trimmed in place: the samples move down once, into the buffer they were decoded in.
        var samples = decoded
        decoded = []
        samples.removeSubrange(end...)
        samples.removeSubrange(..<start)
        if stream.head.outputGainDB != 0 {
            let gain = Float(pow(10, stream.head.outputGainDB / 20))
            for index in samples.indices { samples[index] *= gain }
        }
        return DecodedAudio(
            samples: samples,
            comments: stream.comments,
            duration: Double(samples.count) / Double(AudioFormat.sampleRate),
            packetCount: stream.packets.count,
            decodedSamples: decodedCount,
            concealedSamples: concealed
        )
    }

    private static func serial(for pcm: [Float], comments: [String: String]) -> UInt32 {
        var hash = StableHash()
        hash.combine(pcm.count)
        for (key, value) in comments.sorted(by: { $0.key < $1.key }) {
            hash.combine(key)
            hash.combine(value)
        }
        // Fold in a sparse sample of the audio: cheap, and distinct clips rarely collide.
        for index in stride(from: 0, to: pcm.count, by: 4_801) {
            hash.combine(Int(pcm[index].bitPattern))
        }
        return UInt32(truncatingIfNeeded: hash.value ^ (hash.value >> 32))
    }
}

/// The comment keys the fleet writes into OpusTags.
public enum OpusComment {
    /// What the simulated speaker actually said: the ground truth STT is scored against.
    public static let referenceTranscript = "REFERENCE_TRANSCRIPT"
    public static let speaker = "SPEAKER"
    /// The synthesizer voice id, e.g. `v2/en_speaker_3`.
    public static let voice = "VOICE"
    public static let title = "TITLE"
}

/// PCM decoded from an Ogg Opus file, with pre-skip and end padding already removed.
public struct DecodedAudio: Sendable {
    /// 48 kHz mono samples.
    public var samples: [Float]
    /// OpusTags comments, keys upper-cased.
    public var comments: [String: String]
    /// Seconds of audio in `samples`.
    public var duration: Double
    /// Number of Opus audio packets in the file.
    public var packetCount: Int

    /// Samples the decoder produced before trimming: the work the file cost.
    public var decodedSamples: Int
    /// Samples invented by packet-loss concealment for empty packets.
    public var concealedSamples: Int

    public init(samples: [Float], comments: [String: String], duration: Double, packetCount: Int,
                decodedSamples: Int? = nil, concealedSamples: Int = 0) {
        self.samples = samples
        self.comments = comments
        self.duration = duration
        self.packetCount = packetCount
        self.decodedSamples = decodedSamples ?? samples.count
        self.concealedSamples = concealedSamples
    }
}
