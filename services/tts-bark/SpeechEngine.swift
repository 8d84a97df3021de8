import FleetAudio
import FleetContracts
import FleetSpeech
import Foundation
import ServiceKit

/// Speech as the service hands it out: a complete Ogg Opus file and what is in it.
struct RenderedSpeech: Sendable, Equatable {
    var audio: [UInt8]
    var voice: String
    var audioSeconds: Double
}

/// The stand-in for Bark: checks a synthesis request, speaks the text with flite (FleetSpeech's
/// synthesizer) in the chosen voice, and packs it as Ogg Opus. No HTTP in here.
struct SpeechEngine: Sendable {
    static let speedRange = 0.5...2.0

    var defaultVoice: String
    var maxCharacters = 2000

    /// The checks a caller can fix, each answered with what to change.
    func resolve(text: String, voice: String?, speed: Double?) throws -> (text: String, voice: Voice, speed: Double) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw FleetError.badRequest("'text' is empty; there is nothing to say.") }
        guard trimmed.count <= maxCharacters else {
            throw FleetError.payloadTooLarge("'text' has \(trimmed.count) characters; at most \(maxCharacters) are "
                + "synthesised per request. Split it into sentences.")
        }
        guard trimmed.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw FleetError.badRequest("'text' has no letters or digits to speak.")
        }
        // The fleet's one check of a voice id (VoicePresets), then the preset behind it.
        let id = try VoicePresets.validated(voice ?? defaultVoice, field: "voice")
        guard let chosen = Voice.named(id) else {
            throw FleetError.internalError("Voice preset '\(id)' has no synthesizer voice.")
        }
        let speed = speed ?? 1
        guard Self.speedRange.contains(speed) else {
            throw FleetError.badRequest("'speed' must be between \(Self.speedRange.lowerBound) and \(Self.speedRange.upperBound); got \(speed).")
        }
        return (trimmed, chosen, speed)
    }

    /// Speaks `text` and encodes it. The comments name the text and voice, and carry the text as
    /// the reference transcript: a record of what was meant, which stt reads only in its explicit
    /// reference mode (for cheap load tests); otherwise it listens to the audio.
    func render(_ text: String, voice: Voice, speed: Double) throws -> RenderedSpeech {
        let pcm = SpeechSynthesizer(voice: voice).synthesize(text, speed: speed)
        let audio = try OggOpus.encode(pcm, comments: Self.comments(text: text, voice: voice))
        return RenderedSpeech(audio: audio, voice: voice.id, audioSeconds: Double(pcm.count) / Double(AudioFormat.sampleRate))
    }

    /// The file's comments. They are text anyone holding the file can read: redacted like all shown text.
    static func comments(text: String, voice: Voice) -> [String: String] {
        let shown = PIIRedactor.shared.redacted(text)
        return [OpusComment.title: shown, OpusComment.voice: voice.id, OpusComment.referenceTranscript: shown]
    }

    /// GET /voices: every preset, described so a person can choose.
    static func describe(_ voice: Voice) -> String {
        voice.summary
    }
}
