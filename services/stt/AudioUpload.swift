import FleetAudio
import ServiceKit

/// An uploaded audio file, recognised and decoded: 48 kHz mono PCM for the model, and the same
/// audio as Ogg Opus for the audio processor (WAV uploads are converted once, here).
struct AudioUpload: Sendable {
    enum Format: String, Sendable { case oggOpus = "ogg_opus", wav }

    let format: Format
    let byteCount: Int
    let audio: DecodedAudio
    /// What to send to the audio processor: the upload itself when it was Ogg Opus.
    let oggOpus: [UInt8]

    static let oggTypes: Set = ["audio/ogg", "audio/opus", "application/ogg"]
    static let wavTypes: Set = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"]
    /// Types that say nothing about the content; the magic bytes decide.
    static let sniffTypes: Set = ["application/octet-stream", "binary/octet-stream"]
    static let sampleRates = 8_000...192_000

    /// Recognises `bytes` by their declared media type (or by their magic bytes when the type is
    /// missing or generic) and decodes them. Corrupt audio is a 400 naming the codec error.
    static func decode(_ bytes: [UInt8], mediaType: String?, maxSeconds: Double) throws -> AudioUpload {
        guard !bytes.isEmpty else {
            throw FleetError.badRequest("The request has no audio; send an Ogg Opus or WAV file as the body.")
        }
        let format = try format(of: bytes, mediaType: mediaType)
        do {
            switch format {
            case .oggOpus:
                // The page headers tell the length before anything is decoded; refuse hours of audio cheaply.
                let stream = try OggOpusReader.parse(bytes)
                let seconds = Double(max(0, stream.granulePosition - Int64(stream.head.preSkip))) / Double(AudioFormat.sampleRate)
                try checkLength(seconds, maxSeconds: maxSeconds)
                return AudioUpload(format: .oggOpus, byteCount: bytes.count, audio: try OggOpus.decode(bytes), oggOpus: bytes)
            case .wav:
                let (samples, rate) = try WAV.decode(bytes)
                guard sampleRates.contains(rate) else {
                    throw FleetError.badRequest("The WAV sample rate \(rate) Hz is outside \(sampleRates.lowerBound)-\(sampleRates.upperBound) Hz.")
                }
                try checkLength(Double(samples.count) / Double(rate), maxSeconds: maxSeconds)
                let pcm = Resampler.resample(samples, from: rate, to: AudioFormat.sampleRate)
                let audio = DecodedAudio(samples: pcm, comments: [:],
                                         duration: Double(pcm.count) / Double(AudioFormat.sampleRate),
                                         packetCount: 0)
                return AudioUpload(format: .wav, byteCount: bytes.count, audio: audio, oggOpus: try OggOpus.encode(pcm))
            }
        } catch let error as AudioCodecError {
            throw FleetError.badRequest("The audio cannot be decoded (\(error.code)): \(error)")
        }
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

    private static func checkLength(_ seconds: Double, maxSeconds: Double) throws {
        guard seconds <= maxSeconds else {
            throw FleetError(status: .contentTooLarge, code: "payload_too_large",
                             message: "The audio is \(Int(seconds.rounded())) s long; at most \(Int(maxSeconds)) s is accepted.")
        }
    }
}
