import FleetSpeech
import Foundation
import ServiceKit

/// tts-bark's settings: the voice, the limits, and the timing of the Bark model it stands in for
/// (flite speaks; Bark's GPU time is simulated on top).
struct TTSBarkConfig: Sendable {
    /// What the response's X-Engine header names.
    static let engine = "flite"

    /// TTS_DEFAULT_VOICE: the voice when a request names none (the original's v2/en_speaker_1).
    var defaultVoice = "v2/en_speaker_1"
    /// TTS_MAX_TEXT_LENGTH: characters per request (Bark itself degrades past ~13 s of speech;
    /// the original accepted long texts and chunked them, which this limit leaves to the caller).
    var maxTextLength = 2000
    /// TTS_MAX_BODY_BYTES: the largest request body accepted (413 above it).
    var maxBodyBytes = 64 * 1024

    /// LATENCY_PROFILE's model (default: Bark on a GPU, ~0.4 s to start plus ~8 ms per character
    /// of text, with a p99 2.5 times the median), overridden by TTS_LATENCY_MEDIAN / _P99 /
    /// _PER_CHAR (seconds). The time spent really rendering and encoding counts towards the draw,
    /// so the reply is never later than the model would be.
    var latency = LatencyProfile.default.tts

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        defaultVoice = try reader.parsed("tts.default.voice", default: defaultVoice) { Voice.named($0)?.id }
        maxTextLength = try reader.parsed("tts.max.text.length", default: maxTextLength) {
            Int($0).flatMap { (1...100_000).contains($0) ? $0 : nil }
        }
        maxBodyBytes = try reader.parsed("tts.max.body.bytes", default: maxBodyBytes) { Int($0).flatMap { $0 >= 1024 ? $0 : nil } }
        latency = settings.latencyProfile.tts
        let median = try reader.parsed("tts.latency.median", default: latency.baseMedian) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
        let p99 = try reader.parsed("tts.latency.p99", default: max(latency.baseP99, median)) {
            Double($0).flatMap { $0 >= median ? $0 : nil }
        }
        let perChar = try reader.parsed("tts.latency.per.char", default: latency.perUnit) { Double($0).flatMap { $0 >= 0 ? $0 : nil } }
        latency = LatencyModel(median: median, p99: p99, perUnit: perChar)
    }

    var engine: SpeechEngine {
        SpeechEngine(defaultVoice: defaultVoice, maxCharacters: maxTextLength)
    }
}
