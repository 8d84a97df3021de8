import FleetAudio
import ServiceKit

/// An uploaded file decoded to the fleet's PCM: 48 kHz mono, with its OpusTags comments.
/// Ogg Opus is the fleet's format; WAV is accepted so people can try the service with curl.
enum AudioInput {
    static let oggTypes: Set = ["audio/ogg", "audio/opus", "application/ogg"]
    static let wavTypes: Set = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"]
    /// Types that say nothing about the content; the magic bytes decide.
    static let sniffTypes: Set = ["application/octet-stream", "binary/octet-stream"]
    static let sampleRates = 8_000...192_000

    /// Decodes `bytes` by their media type; corrupt audio is a 400 naming the codec error.
    static func decode(_ bytes: [UInt8], mediaType: String?, maxSeconds: Double) throws -> DecodedAudio {
        guard !bytes.isEmpty else {
            throw FleetError.badRequest("The request has no audio; send an Ogg Opus (audio/ogg) or WAV (audio/wav) file as the body.")
        }
        let isOgg: Bool
        switch mediaType {
        case let type? where oggTypes.contains(type): isOgg = true
        case let type? where wavTypes.contains(type): isOgg = false
        case let type? where !type.isEmpty && !sniffTypes.contains(type):
            throw FleetError.unsupportedMediaType(
                "Content-Type '\(type)' is not supported; send audio/ogg (Ogg Opus) or audio/wav.")
        default:
            if AudioSniffer.isOggOpus(bytes) {
                isOgg = true
            } else if AudioSniffer.isWAV(bytes) {
                isOgg = false
            } else {
                throw FleetError.unsupportedMediaType("The body is neither Ogg Opus nor WAV (checked its first bytes).")
            }
        }
        do {
            if isOgg {
                // The last granule position gives the length before anything is decoded.
                let stream = try OggOpusReader.parse(bytes)
                try checkLength(Double(max(0, stream.granulePosition - Int64(stream.head.preSkip))) / Double(AudioFormat.sampleRate),
                                maxSeconds: maxSeconds)
                return try OggOpus.decode(bytes)
            }
            let (samples, rate) = try WAV.decode(bytes)
            guard sampleRates.contains(rate) else {
                throw FleetError.badRequest("The WAV sample rate \(rate) Hz is outside \(sampleRates.lowerBound)-\(sampleRates.upperBound) Hz.")
            }
            try checkLength(Double(samples.count) / Double(rate), maxSeconds: maxSeconds)
            let pcm = Resampler.resample(samples, from: rate, to: AudioFormat.sampleRate)
            return DecodedAudio(samples: pcm, comments: [:], duration: Double(pcm.count) / Double(AudioFormat.sampleRate),
                                packetCount: 0)
        } catch let error as AudioCodecError {
            throw FleetError.badRequest("The audio cannot be decoded (\(error.code)): \(error)")
        }
    }

    private static func checkLength(_ seconds: Double, maxSeconds: Double) throws {
        guard seconds <= maxSeconds else {
            throw FleetError(status: .contentTooLarge, code: "payload_too_large",
                             message: "The audio is \(Int(seconds.rounded())) s long; at most \(Int(maxSeconds)) s is accepted.")
        }
    }
}
