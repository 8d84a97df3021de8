public import ServiceKit

/// The voice presets the fleet speaks with, by id, and the one check every service applies to a
/// caller's `voice`.
///
/// A voice id travels from a caller through the orchestrator to tts-bark and ends up in span
/// attributes, logs and the run history; the orchestrator used to pass any string of the right
/// length (`../../etc/passwd` included) while tts-bark and testing-ui refused it. The ids are
/// listed here, where the orchestrator can see them without linking the speech engines;
/// FleetSpeech's `Voice.all` defines how each sounds and a test keeps the two lists equal.
public enum VoicePresets {
    /// Bark-style preset ids, `v2/en_speaker_0` to `v2/en_speaker_9`.
    public static let ids: [String] = (0...9).map { "v2/en_speaker_\($0)" }

    /// `id` when it is a preset; else a 400 naming `field` and listing the presets.
    public static func validated(_ id: String, field: String = "voice") throws(FleetError) -> String {
        guard ids.contains(id) else {
            let shown = id.count > 64 ? String(id.prefix(64)) + "…" : id
            throw FleetError.badRequest("Unknown \(field) '\(shown)'; known voices: \(ids.joined(separator: ", ")).")
        }
        return id
    }
}
