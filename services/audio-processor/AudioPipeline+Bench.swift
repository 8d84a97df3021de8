public import FleetAudio

/// The processor's two whole-file operations of a voice turn (`/process/segment` for the bridge,
/// `/enhance/audio` for stt) as plain functions, with the service's default settings.
///
/// Why public: `audio-fleet bench codec` measures one turn's audio path in-process, through the
/// very functions the service runs, to split its CPU between the codec and the DSP around it.
/// No other service calls these (they go over HTTP).
public enum AudioProcessorBench {
    /// `/process/segment`'s processing of decoded audio: VAD trim, normalisation, quality scores.
    public static func segment(_ audio: DecodedAudio) -> (samples: [Float], comments: [String: String]) {
        let result = AudioPipeline(config: AudioProcessorConfig()).run(.segment, on: audio)
        return (result.samples, result.comments)
    }

    /// `/enhance/audio`'s processing: high-pass, VAD, noise gate, normalisation, quality scores.
    public static func enhance(_ audio: DecodedAudio) -> (samples: [Float], comments: [String: String]) {
        let result = AudioPipeline(config: AudioProcessorConfig()).run(.enhance, on: audio)
        return (result.samples, result.comments)
    }

    /// The longest audio the processor accepts by default, in seconds (its upload budget).
    public static var maxAudioSeconds: Double { AudioProcessorConfig().maxAudioSeconds }
}
