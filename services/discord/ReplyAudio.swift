public import FleetAudio
import FleetTelemetry
import ServiceKit

/// The frames of a reply (or of one streamed sentence) as the player sends them.
///
/// Why two kinds: a voice connection sends 20 ms Opus packets, and TTS already writes its audio
/// as 20 ms Opus packets, so those go out as they are (`opus`), as a Discord bot playing an Ogg
/// Opus file sends its packets without transcoding. Anything else (`pcm`) is cut into 20 ms
/// frames that the channel's voice encodes as it sends them.
public enum ReplyFrames: Sendable {
    /// 20 ms Opus packets (48 kHz), in order.
    case opus([[UInt8]])
    /// 48 kHz mono PCM.
    case pcm([Float])
}

/// A reply's audio as the bridge received it, made ready to play and to keep.
///
/// Why here: deciding whether the packets can pass through needs the stream's packets and
/// header, and the recording (reply.opus) needs them too, so the bytes are read once for both.
public struct ReplyAudio: Sendable {
    /// What the player sends.
    public let frames: ReplyFrames
    /// Seconds of audio, pre-skip and end padding trimmed: what the reply lasts.
    public let seconds: Double
    /// The audio as one Ogg Opus stream (what TTS sent, or the fallback's audio encoded once), for
    /// the turn's recording.
    public let stream: OggOpusStream
    /// The recording as a file: the bytes received when they were Ogg Opus.
    public let file: [UInt8]

    /// Reads `bytes`, an Ogg Opus file or a WAV file, from `peer` (named in errors).
    ///
    /// Ogg Opus whose packets are all one 20 ms frame, with no output gain to apply, passes
    /// through; other Ogg Opus (other frame lengths, gaps, a gain) is decoded, and so is WAV
    /// (resampled to 48 kHz). Anything else is the peer's mistake.
    public init(_ bytes: [UInt8], peer: String) throws {
        if AudioSniffer.isOggOpus(bytes) {
            let stream = try OggOpusStream.parse(bytes)
            self.stream = stream
            file = bytes
            if Self.passesThrough(stream) {
                frames = .opus(stream.packets)
                seconds = stream.duration
            } else {
                let decoded = try OggOpus.decode(bytes)
                frames = .pcm(decoded.samples)
                seconds = decoded.duration
            }
        } else if AudioSniffer.isWAV(bytes) {
            let wav = try WAV.decode(bytes)
            let samples = wav.sampleRate == AudioFormat.sampleRate
                ? wav.samples : Resampler.resample(wav.samples, from: wav.sampleRate, to: AudioFormat.sampleRate)
            frames = .pcm(samples)
            seconds = Double(samples.count) / Double(AudioFormat.sampleRate)
            // The turn's recording is Ogg Opus whatever the peer sent.
            file = try OggOpus.encode(samples)
            stream = try OggOpusStream.parse(file)
        } else {
            throw FleetError.downstream(.badResponse, peer: peer, "the reply's audio is neither Ogg Opus nor WAV")
        }
    }

    /// Packets a voice connection can send as they are: every one a 20 ms frame, in a stream the
    /// decoder plays without a gain (the gain would have to be applied to PCM).
    static func passesThrough(_ stream: OggOpusStream) -> Bool {
        stream.head.mappingFamily == 0 && stream.head.outputGainDB == 0 && stream.packetsAreFrames
    }
}
