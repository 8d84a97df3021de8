import ServiceKit

/// The speech-to-text service's settings.
struct STTConfig: Sendable {
    /// STT_MAX_BODY_BYTES: the largest upload accepted (413 above it); 25 MiB.
    var maxBodyBytes = 25 * 1024 * 1024
    /// STT_MAX_AUDIO_SECONDS: the longest audio accepted, so one request cannot take gigabytes of PCM.
    var maxAudioSeconds = 600.0
    /// STT_ENHANCE_ENABLED: send the audio through audio-processor's /enhance/audio first, as the
    /// original did.
    var enhanceEnabled = true
    /// STT_ENHANCE_TIMEOUT: seconds to wait for the audio processor before going on without it.
    var enhanceTimeout = 5.0
    /// The engine and its model (STT_ENGINE, STT_VOCABULARY, STT_MODEL_DIR, STT_DECODERS).
    var recognition = RecognitionSettings()

    /// The model's cost: LATENCY_PROFILE's (default: faster-whisper medium.en int8 on a CPU, about
    /// 0.25 s per call plus 0.12 s per second of audio at the median, with a p99 about 2.5x that;
    /// LatencyProfile has the others), each part overridden by STT_LATENCY_MEDIAN, STT_LATENCY_P99,
    /// STT_LATENCY_PER_AUDIO_SECOND (seconds). Scaled by LATENCY_SCALE. The engine's own
    /// recognition time counts towards the draw: only the rest is waited.
    var latency = LatencyProfile.default.stt

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        maxBodyBytes = try reader.parsed("stt.max.body.bytes", default: maxBodyBytes) {
            Int($0).flatMap { $0 >= 1024 ? $0 : nil }
        }
        maxAudioSeconds = try reader.parsed("stt.max.audio.seconds", default: maxAudioSeconds) {
            Double($0).flatMap { $0 > 0 ? $0 : nil }
        }
        enhanceEnabled = try reader.parsed("stt.enhance.enabled", default: enhanceEnabled) {
            switch $0.lowercased() {
            case "true", "1", "yes", "on": true
            case "false", "0", "no", "off": false
            default: nil
            }
        }
        enhanceTimeout = try reader.parsed("stt.enhance.timeout", default: enhanceTimeout) {
            Double($0).flatMap { $0 > 0 && $0 <= 120 ? $0 : nil }
        }
        recognition = try RecognitionSettings(settings: settings)
        latency = settings.latencyProfile.stt
        let median = try reader.parsed("stt.latency.median", default: latency.baseMedian) {
            Double($0).flatMap { $0 > 0 ? $0 : nil }
        }
        let p99 = try reader.parsed("stt.latency.p99", default: max(latency.baseP99, median)) {
            Double($0).flatMap { $0 >= median ? $0 : nil }
        }
        let perSecond = try reader.parsed("stt.latency.per.audio.second", default: latency.perUnit) {
            Double($0).flatMap { $0 >= 0 ? $0 : nil }
        }
        latency = LatencyModel(median: median, p99: p99, perUnit: perSecond)
    }
}
