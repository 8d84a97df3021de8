public import FleetAudio
import ServiceKit

/// What an audio body sent to the fleet may be, and the one place it is read: an Ogg Opus file
/// (the fleet's format) or a WAV file (so people can try a service with curl), recognised by its
/// declared media type or, when that is missing or generic, by its magic bytes, and decoded to
/// 48 kHz mono PCM. stt and the audio processor both take uploads this way and answer the same
/// 400, 413 and 415 errors for the same bad bodies.
public struct AudioUpload: Sendable {
    public enum Format: String, Sendable {
        case oggOpus = "ogg_opus"
        case wav
    }

    public let format: Format
    /// The body as it was sent.
    public let bytes: [UInt8]
    /// The audio at 48 kHz mono, with the Ogg file's OpusTags comments (none for WAV).
    public let audio: DecodedAudio

    public static let oggTypes: Set = ["audio/ogg", "audio/opus", "application/ogg"]
    public static let wavTypes: Set = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"]
    /// Types that say nothing about the content; the magic bytes decide.
    public static let sniffTypes: Set = ["application/octet-stream", "binary/octet-stream"]
    public static let sampleRates = 8_000...192_000

    /// Recognises `bytes` by `mediaType` (the body's Content-Type without parameters) and decodes
    /// them. Audio longer than `maxSeconds` is a 413, found before it is decoded; corrupt audio is a
    /// 400 naming the codec error.
    public static func decode(_ bytes: [UInt8], mediaType: String?, maxSeconds: Double) throws -> AudioUpload {
        guard !bytes.isEmpty else {
            throw FleetError.badRequest("The request has no audio; send an Ogg Opus (audio/ogg) or WAV (audio/wav) file as the body.")
        }
        let format = try format(of: bytes, mediaType: mediaType)
        do {
            switch format {
            case .oggOpus:
                // The page headers tell the length before anything is decoded; refuse hours of audio cheaply.
                let stream = try OggOpusReader.parse(bytes)
                let samples = max(0, stream.granulePosition - Int64(stream.head.preSkip))
                try checkLength(Double(samples) / Double(AudioFormat.sampleRate), maxSeconds: maxSeconds)
                return AudioUpload(format: .oggOpus, bytes: bytes, audio: try OggOpus.decode(bytes))
            case .wav:
                return AudioUpload(format: .wav, bytes: bytes, audio: try decodeWAV(bytes, maxSeconds: maxSeconds))
            }
        } catch let error as AudioCodecError {
            throw FleetError.badRequest("The audio cannot be decoded (\(error.code)): \(error)")
        }
    }

    /// The audio as an Ogg Opus file: the upload itself when it was one, else the WAV's audio encoded.
    public func oggOpus() throws -> [UInt8] {
        format == .oggOpus ? bytes : try OggOpus.encode(audio.samples, comments: audio.comments)
    }

    static func format(of bytes: [UInt8], mediaType: String?) throws -> Format {
        switch mediaType {
        case let type? where oggTypes.contains(type): return .oggOpus
        case let type? where wavTypes.contains(type): return .wav
        case nil, "": break
        case let type? where sniffTypes.contains(type): break
        case let type?:
            throw FleetError.unsupportedMediaType(
                "Content-Type '\(type)' is not supported; send audio/ogg (Ogg Opus) or audio/wav.")
        }
        if AudioSniffer.isOggOpus(bytes) { return .oggOpus }
        if AudioSniffer.isWAV(bytes) { return .wav }
        throw FleetError.unsupportedMediaType(
            "The body is neither Ogg Opus nor WAV (checked its first bytes); send audio/ogg or audio/wav.")
    }

    /// A WAV file at any common rate, resampled to the fleet's 48 kHz.
    private static func decodeWAV(_ bytes: [UInt8], maxSeconds: Double) throws -> DecodedAudio {
        let (samples, rate) = try WAV.decode(bytes)
        guard sampleRates.contains(rate) else {
            throw FleetError.badRequest(
                "The WAV sample rate \(rate) Hz is outside \(sampleRates.lowerBound)-\(sampleRates.upperBound) Hz.")
        }
        try checkLength(Double(samples.count) / Double(rate), maxSeconds: maxSeconds)
        let pcm = Resampler.resample(samples, from: rate, to: AudioFormat.sampleRate)
        return DecodedAudio(samples: pcm, comments: [:], duration: Double(pcm.count) / Double(AudioFormat.sampleRate),
                            packetCount: 0)
    }

    private static func checkLength(_ seconds: Double, maxSeconds: Double) throws {
        guard seconds <= maxSeconds else {
            throw FleetError.payloadTooLarge(
                "The audio is \(Int(seconds.rounded())) s long; at most \(Int(maxSeconds)) s is accepted.")
        }
    }
}
