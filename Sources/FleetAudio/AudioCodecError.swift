internal import COpus

/// Everything that can go wrong while encoding, decoding or parsing audio.
///
/// Shaped like swift-nio's errors: a struct over a private enum, so new cases can be added
/// without breaking anyone's exhaustive `switch`. Compare with `==` against the static members
/// (`error == .corruptPacket`) or use ``code`` when only the kind matters (metrics, logs).
public struct AudioCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case corruptPacket
        case invalidFrameSize(Int)
        case notOggOpus(String)
        case truncated
        case unsupportedChannelCount(Int)
        case libopus(Int32)
        case invalidWAV(String)
        case audioTooLong(samples: Int, limit: Int)
    }

    private let base: Code

    private init(_ base: Code) {
        self.base = base
    }

    /// libopus rejected an Opus packet (or the packet was empty).
    public static let corruptPacket = AudioCodecError(.corruptPacket)
    /// The data ended before the container said it would.
    public static let truncated = AudioCodecError(.truncated)

    /// The encoder was handed a frame that is not exactly ``AudioFormat/samplesPerFrame`` long.
    public static func invalidFrameSize(_ sampleCount: Int) -> AudioCodecError {
        AudioCodecError(.invalidFrameSize(sampleCount))
    }

    /// The bytes are not an Ogg Opus stream; the reason says which check failed.
    public static func notOggOpus(_ reason: String) -> AudioCodecError {
        AudioCodecError(.notOggOpus(reason))
    }

    /// The stream has a channel layout this module cannot decode (only mono/stereo mapping family 0).
    public static func unsupportedChannelCount(_ channels: Int) -> AudioCodecError {
        AudioCodecError(.unsupportedChannelCount(channels))
    }

    /// libopus returned an error code other than "invalid packet" (see `opus_strerror`).
    public static func libopus(_ status: Int32) -> AudioCodecError {
        AudioCodecError(.libopus(status))
    }

    /// The bytes are not a WAV file this module can read; the reason says which check failed.
    public static func invalidWAV(_ reason: String) -> AudioCodecError {
        AudioCodecError(.invalidWAV(reason))
    }

    /// The audio is longer than the caller's budget (48 kHz samples): refused before it is
    /// decoded, so a small file that claims or conceals hours of audio costs nothing.
    /// `samples` is a lower bound of the audio the file holds.
    public static func audioTooLong(samples: Int, limit: Int) -> AudioCodecError {
        AudioCodecError(.audioTooLong(samples: samples, limit: limit))
    }

    /// For ``audioTooLong(samples:limit:)``: the audio's length and the limit, in seconds; nil otherwise.
    public var tooLong: (seconds: Double, limitSeconds: Double)? {
        guard case .audioTooLong(let samples, let limit) = base else { return nil }
        let rate = Double(AudioFormat.sampleRate)
        return (Double(samples) / rate, Double(limit) / rate)
    }

    /// A short, stable, snake_case name for the kind of error, safe to use as a metric label
    /// because it never contains the associated values.
    public var code: String {
        switch base {
        case .corruptPacket: "corrupt_packet"
        case .invalidFrameSize: "invalid_frame_size"
        case .notOggOpus: "not_ogg_opus"
        case .truncated: "truncated"
        case .unsupportedChannelCount: "unsupported_channel_count"
        case .libopus: "libopus"
        case .invalidWAV: "invalid_wav"
        case .audioTooLong: "audio_too_long"
        }
    }

    public var description: String {
        switch base {
        case .corruptPacket: "AudioCodecError.corruptPacket: the Opus packet could not be decoded"
        case .invalidFrameSize(let count):
            "AudioCodecError.invalidFrameSize: expected \(AudioFormat.samplesPerFrame) samples, got \(count)"
        case .notOggOpus(let reason): "AudioCodecError.notOggOpus: \(reason)"
        case .truncated: "AudioCodecError.truncated: the data ends before the stream does"
        case .unsupportedChannelCount(let channels):
            "AudioCodecError.unsupportedChannelCount: \(channels) channels"
        case .libopus(let status):
            "AudioCodecError.libopus: libopus returned \(status) (\(String(cString: opus_strerror(status))))"
        case .invalidWAV(let reason): "AudioCodecError.invalidWAV: \(reason)"
        case .audioTooLong(let samples, let limit):
            "AudioCodecError.audioTooLong: at least \(samples) samples at 48 kHz, over the limit of \(limit)"
        }
    }
}
