import FleetAudio
import FleetContracts
import Foundation
import ServiceKit

/// Where a run's speech comes from: typed text the run synthesizes, or audio someone sent.
public enum RunSource: Sendable, Equatable {
    case text(String)
    case audio(AudioInput)
}

/// How the input reached the page, as the history lists it.
public enum InputKind: String, Codable, Sendable, CaseIterable {
    /// Typed (or picked from the phrase menu) and synthesized.
    case text
    /// An uploaded .opus, .ogg or .wav file.
    case file
    /// Recorded in the browser (sent as WAV).
    case microphone
}

/// POST /api/run/audio's body as it came, with the limits it is held to. It is only bytes until
/// the run prepares it (`PreparedInput.from`), so a bad file is refused inside the run's trace.
public struct AudioInput: Sendable, Equatable {
    public var bytes: [UInt8]
    /// The Content-Type without parameters; nil or application/octet-stream lets the bytes decide.
    public var mediaType: String?
    /// `file` or `microphone`.
    public var origin: InputKind
    /// TESTING_UI_MAX_AUDIO_SECONDS.
    public var maxSeconds: Double

    public init(bytes: [UInt8], mediaType: String?, origin: InputKind = .file, maxSeconds: Double = 60) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.origin = origin
        self.maxSeconds = maxSeconds
    }
}

/// The speech a run sends into the fleet: always Ogg Opus at 48 kHz, as the voice bridge sends it.
public struct PreparedInput: Sendable, Equatable {
    /// `synthesized`, `ogg_opus` (sent as it came) or `wav` (decoded, resampled, encoded).
    public var format: String
    public var file: [UInt8]
    public var seconds: Double

    /// Shorter than this is a click, not speech: nothing for speech recognition to hear.
    public static let minimumSeconds = 0.1

    /// An upload checked and made the fleet's format: Ogg Opus is validated by decoding it and then
    /// sent as is (its comments too); WAV is decoded, resampled to 48 kHz and encoded. A type the
    /// fleet does not take is a 415, bytes that do not decode a 400, audio too long a 413.
    public static func from(_ upload: AudioInput) throws -> PreparedInput {
        let decoded = try AudioUpload.decode(upload.bytes, mediaType: upload.mediaType, maxSeconds: upload.maxSeconds)
        let seconds = decoded.audio.duration
        guard seconds >= minimumSeconds else {
            throw FleetError.badRequest(
                "The audio is \(String(format: "%.3f", seconds)) s long; send at least \(minimumSeconds) s of speech.")
        }
        switch decoded.format {
        case .oggOpus:
            return PreparedInput(format: decoded.format.rawValue, file: upload.bytes, seconds: seconds)
        case .wav:
            let file = try OggOpus.encode(decoded.audio.samples, comments: [OpusComment.speaker: "testing-ui"])
            return PreparedInput(format: decoded.format.rawValue, file: file, seconds: seconds)
        }
    }
}
