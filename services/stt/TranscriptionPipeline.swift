import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import Logging
import ServiceKit
import Tracing

/// One transcription, start to finish, with no HTTP in it: enhance (or go on without), recognise,
/// and spend the model's time.
///
/// Like the original, the audio goes through audio-processor's /enhance/audio first. When the
/// processor is down the transcription still happens, on the raw audio: degraded, not failed.
struct TranscriptionPipeline: Sendable {
    /// nil when enhancement is switched off (STT_ENHANCE_ENABLED=false).
    let enhancer: (any AudioProcessing)?
    let latency: LatencySource
    let recognizer = SpeechRecognizer()
    let logger: Logger
    /// The process's fault scenarios: `sttSlow` stretches the model's time, `sttFailure` makes it
    /// fail. The default board has every scenario off, for tests of the pipeline alone.
    var scenarios = ScenarioBoard(service: FleetMember.stt.name)

    /// How the audio reached the model.
    enum Enhancement: String, Sendable {
        case applied
        /// The processor could not be reached or failed: raw audio was used.
        case unavailable
        case disabled
    }

    struct Outcome: Sendable {
        var recognition: Recognition
        var enhancement: Enhancement
        /// Seconds the model "took" (the latency draw actually waited).
        var modelSeconds: Double
        /// What the model's time was charged for: all the audio, or only its speech with vad_filter.
        var modelAudioSeconds: Double
    }

    func transcribe(_ upload: AudioUpload, options: TranscriptionOptions) async throws -> Outcome {
        let (quality, enhancement) = await enhance(upload)
        return try await withStageSpan(StageSpan.transcribe) { span in
            if scenarios.strikes(.sttFailure) {
                span.attributes[Scenario.spanAttribute] = Scenario.sttFailure.key
                throw FleetError.internalError("The speech model failed on this input (fault scenario sttFailure is on).")
            }
            // The words come from the upload itself and the score from what the model would hear,
            // so a transcript does not change with the processor's availability, only its confidence.
            var recognition = recognizer.recognize(samples: upload.audio.samples, comments: upload.audio.comments,
                                                   qualityScore: quality, initialPrompt: options.initialPrompt)
            // faster-whisper's VAD filter drops the non-speech before decoding; with nothing
            // voiced left there is nothing to transcribe, reference or not.
            if options.vadFilter, recognition.speechSeconds == 0 {
                recognition = Recognition(text: "", source: .none, confidence: 0, words: [], speechSeconds: 0)
            }
            let units = options.vadFilter ? recognition.speechSeconds : upload.audio.duration
            let slowdown = scenarios.factor(.sttSlow)
            let modelSeconds = await latency.next(units: units) * Self.beamCost(options.beamSize) * slowdown
            try await Task.sleep(for: .seconds(modelSeconds))
            if slowdown != 1 {
                span.attributes[Scenario.spanAttribute] = Scenario.sttSlow.key
                span.attributes["stt.slowdown_factor"] = slowdown
            }

            span.attributes["stt.audio_seconds"] = upload.audio.duration
            span.attributes["stt.speech_seconds"] = recognition.speechSeconds
            span.attributes["stt.source"] = recognition.source.rawValue
            span.attributes["stt.language"] = Self.language
            span.attributes["stt.requested_language"] = options.language
            span.attributes["stt.confidence"] = recognition.confidence
            span.attributes["stt.quality_score"] = quality
            span.attributes["stt.enhancement"] = enhancement.rawValue
            span.attributes["stt.degraded"] = enhancement == .unavailable
            span.attributes["stt.input_format"] = upload.format.rawValue
            span.attributes["stt.task"] = options.task.rawValue
            span.attributes["stt.beam_size"] = options.beamSize
            span.attributes["stt.vad_filter"] = options.vadFilter
            span.attributes["stt.words"] = recognition.words.count
            span.attributes["gen_ai.request.model"] = SpeechRecognizer.model
            return Outcome(recognition: recognition, enhancement: enhancement, modelSeconds: modelSeconds,
                           modelAudioSeconds: units)
        }
    }

    /// The language reported: medium.en is English-only, and faster-whisper forces "en" for such
    /// models whatever was asked (translation also produces English).
    static let language = "en"

    /// Wider beams cost more decoding time; 5 (the default) is the model's quoted latency.
    static func beamCost(_ beamSize: Int) -> Double { 0.8 + 0.04 * Double(beamSize) }

    /// The quality score of the audio the model hears: the enhanced audio's, as the processor
    /// measured it, when it answers with a valid Ogg Opus file; otherwise the upload's own.
    private func enhance(_ upload: AudioUpload) async -> (Double, Enhancement) {
        guard let enhancer else {
            return (QualityScore.score(samples: upload.audio.samples), .disabled)
        }
        do {
            let processed = try await enhancer.enhance(try upload.oggOpus())
            _ = try OggOpusReader.parse(processed.audio)
            return (processed.metrics.qualityScore, .applied)
        } catch {
            logger.warning("audio-processor unavailable; transcribing the raw audio (degraded)",
                           metadata: ["error": "\(error)"])
            return (QualityScore.score(samples: upload.audio.samples), .unavailable)
        }
    }
}
