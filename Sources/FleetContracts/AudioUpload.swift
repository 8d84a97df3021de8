public import FleetAudio
import FleetTelemetry
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
    /// them. Audio longer than `maxSeconds` is a 413: the decoders take it as a sample budget and
    /// refuse before decoding, whether the file claims that length or would only reach it by
    /// concealment. Corrupt audio is a 400 naming the codec error. Both are counted in
    /// `audio_uploads_rejected_total`.
    public static func decode(_ bytes: [UInt8], mediaType: String?, maxSeconds: Double) throws -> AudioUpload {
        guard !bytes.isEmpty else {
            throw FleetError.badRequest("The request has no audio; send an Ogg Opus (audio/ogg) or WAV (audio/wav) file as the body.")
        }
        let format = try format(of: bytes, mediaType: mediaType)
        // Samples at 48 kHz; the day-long cap only keeps the conversion finite for any configured value.
        let seconds = maxSeconds.isNaN ? 0 : max(0, min(maxSeconds, 86_400))
        let budget = Int(seconds * Double(AudioFormat.sampleRate))
        do {
            switch format {
            case .oggOpus:
                return AudioUpload(format: .oggOpus, bytes: bytes, audio: try OggOpus.decode(bytes, maxSamples: budget))
            case .wav:
                return AudioUpload(format: .wav, bytes: bytes, audio: try decodeWAV(bytes, maxSamples: budget))
            }
        } catch let error as AudioCodecError {
            MetricCatalog.audioUploadsRejected.increment(["reason": error.code])
            if let tooLong = error.tooLong {
                throw FleetError.payloadTooLarge(
                    "The audio is \(Int(tooLong.seconds.rounded())) s long or more; at most \(Int(maxSeconds)) s is accepted.")
            }
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
    private static func decodeWAV(_ bytes: [UInt8], maxSamples: Int) throws -> DecodedAudio {
        let (samples, rate) = try WAV.decode(bytes, maxSamples: maxSamples)
        guard sampleRates.contains(rate) else {
            throw FleetError.badRequest(
                "The WAV sample rate \(rate) Hz is outside \(sampleRates.lowerBound)-\(sampleRates.upperBound) Hz.")
        }
        let pcm = Resampler.resample(samples, from: rate, to: AudioFormat.sampleRate)
        return DecodedAudio(samples: pcm, comments: [:], duration: Double(pcm.count) / Double(AudioFormat.sampleRate),
                            packetCount: 0)
    }
}
