import FleetSpeech

/// tts's synthesis of one reply, as a plain function.
///
/// Why public: `audio-fleet bench codec` measures one turn's audio path in-process, through the
/// functions the service runs; this is `POST /synthesize`'s work without HTTP.
public enum TTSBench {
    /// The Ogg Opus file tts answers for `text` in the voice preset `voiceID` at normal speed.
    public static func render(_ text: String, voiceID: String) throws -> [UInt8] {
        let engine = SpeechEngine(defaultVoice: voiceID)
        let request = try engine.resolve(text: text, voice: voiceID, speed: 1)
        return try engine.render(request.text, voice: request.voice, speed: request.speed).audio
    }
}
