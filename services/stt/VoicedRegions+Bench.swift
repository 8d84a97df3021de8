/// stt's own analysis of a clip before recognition, as a plain function.
///
/// Why public: `audio-fleet bench codec` measures one turn's audio path in-process, through the
/// functions the service runs; the voiced-region search is stt's DSP on every transcription.
public enum STTBench {
    /// Seconds of voiced audio stt finds in 48 kHz mono `samples` (what `vad_filter` and the
    /// reference engine's word timing use).
    public static func voicedSeconds(_ samples: [Float]) -> Double {
        VoicedRegions(samples: samples, sampleRate: 48_000).speechSeconds
    }
}
