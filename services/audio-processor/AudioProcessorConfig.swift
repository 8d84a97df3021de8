import ServiceKit

/// The audio processor's settings. Its work is real DSP, so there is no latency model: the time
/// it takes is the time it takes.
struct AudioProcessorConfig: Sendable {
    /// AUDIO_PROCESSOR_MAX_BODY_BYTES: the largest upload accepted (413 above it); 20 MiB.
    var maxBodyBytes = 20 * 1024 * 1024
    /// AUDIO_PROCESSOR_MAX_AUDIO_SECONDS: the longest audio accepted. A small Ogg Opus file can
    /// decode to a lot of PCM; this bounds the memory one request may take.
    var maxAudioSeconds = 600.0
    /// AUDIO_PROCESSOR_MAX_FRAME_BYTES: the largest single Opus packet for /process/frame
    /// (RFC 6716 allows up to 1275 bytes per frame, six frames per packet).
    var maxFrameBytes = 8 * 1024
    /// AUDIO_PROCESSOR_TARGET_RMS_DBFS: the level speech is normalised to.
    var targetRMSDBFS = -20.0
    /// AUDIO_PROCESSOR_PEAK_CEILING_DBFS: normalisation never pushes a peak above this.
    var peakCeilingDBFS = -1.0
    /// AUDIO_PROCESSOR_TRIM_MARGIN_SECONDS: silence kept before the first and after the last speech
    /// when trimming, so word onsets and decays are not clipped.
    var trimMarginSeconds = 0.1
    /// AUDIO_PROCESSOR_HIGHPASS_HZ: cut-off of the enhancement's rumble filter.
    var highPassHz = 80.0
    /// AUDIO_PROCESSOR_GATE_ATTENUATION_DB: how far the enhancement's noise gate turns down the
    /// stretches between utterances; gentle, so a missed word onset is quieter, not gone.
    var gateAttenuationDB = 12.0
    /// AUDIO_VAD_AGGRESSIVENESS: 0 (keeps most) ... 3 (rejects most), the original's knob and default.
    var vadAggressiveness = 1
    /// AUDIO_VAD_FRAME_MS: 10, 20 or 30, the original's knob and default.
    var vadFrameMilliseconds = 30

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        maxBodyBytes = try reader.parsed("audio.processor.max.body.bytes", default: maxBodyBytes) {
            Int($0).flatMap { $0 >= 1024 ? $0 : nil }
        }
        maxAudioSeconds = try reader.parsed("audio.processor.max.audio.seconds", default: maxAudioSeconds) {
            Double($0).flatMap { $0 > 0 ? $0 : nil }
        }
        maxFrameBytes = try reader.parsed("audio.processor.max.frame.bytes", default: maxFrameBytes) {
            Int($0).flatMap { $0 >= 1275 ? $0 : nil }
        }
        targetRMSDBFS = try reader.parsed("audio.processor.target.rms.dbfs", default: targetRMSDBFS) {
            Double($0).flatMap { (-60.0 ... -3).contains($0) ? $0 : nil }
        }
        peakCeilingDBFS = try reader.parsed("audio.processor.peak.ceiling.dbfs", default: peakCeilingDBFS) {
            Double($0).flatMap { (-30.0...0).contains($0) ? $0 : nil }
        }
        trimMarginSeconds = try reader.parsed("audio.processor.trim.margin.seconds", default: trimMarginSeconds) {
            Double($0).flatMap { (0...2).contains($0) ? $0 : nil }
        }
        highPassHz = try reader.parsed("audio.processor.highpass.hz", default: highPassHz) {
            Double($0).flatMap { (20...1_000).contains($0) ? $0 : nil }
        }
        gateAttenuationDB = try reader.parsed("audio.processor.gate.attenuation.db", default: gateAttenuationDB) {
            Double($0).flatMap { (0...60).contains($0) ? $0 : nil }
        }
        vadAggressiveness = try reader.parsed("audio.vad.aggressiveness", default: vadAggressiveness) {
            Int($0).flatMap { (0...3).contains($0) ? $0 : nil }
        }
        vadFrameMilliseconds = try reader.parsed("audio.vad.frame.ms", default: vadFrameMilliseconds) {
            Int($0).flatMap { [10, 20, 30].contains($0) ? $0 : nil }
        }
    }
}
