import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import Logging
import ServiceKit
import Tracing

/// One transcription, start to finish, with no HTTP in it: enhance (or go on without), recognise,
/// and spend whatever of the modelled faster-whisper's time the recognition did not already take.
///
/// Like the original, the audio goes through audio-processor's /enhance/audio first. When the
/// processor is down the transcription still happens, on the raw audio: degraded, not failed.
struct TranscriptionPipeline: Sendable {
    /// nil when enhancement is switched off (STT_ENHANCE_ENABLED=false).
    let enhancer: (any AudioProcessing)?
    let latency: LatencySource
    let recognizer: SpeechRecognizer
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
        /// The recogniser's name, as the answer reports it.
        var model: String
    }

    func transcribe(_ upload: AudioUpload, options: TranscriptionOptions) async throws -> Outcome {
        let (heard, quality, enhancement) = await enhance(upload)
        return try await withStageSpan(StageSpan.transcribe) { span in
            if scenarios.strikes(.sttFailure) {
                span.attributes[Scenario.spanAttribute] = Scenario.sttFailure.key
                throw FleetError.internalError("The speech model failed on this input (fault scenario sttFailure is on).")
            }
            let voiced = VoicedRegions(samples: heard, sampleRate: AudioFormat.sampleRate)
            // faster-whisper's VAD filter drops the non-speech before decoding; with nothing
            // voiced there is nothing to transcribe, reference or not.
            let recognition = options.vadFilter && voiced.regions.isEmpty
                ? Recognition(text: "", source: .none, confidence: 0, words: [], speechSeconds: 0, engineSeconds: 0)
                : try await recognizer.recognize(samples: heard, regions: voiced, comments: upload.audio.comments,
                                                 qualityScore: quality)
            let units = options.vadFilter ? recognition.speechSeconds : upload.audio.duration
            let slowdown = scenarios.factor(.sttSlow)
            let modelSeconds = max(recognition.engineSeconds,
                                   await latency.next(units: units) * Self.beamCost(options.beamSize) * slowdown)
            let remaining = modelSeconds - recognition.engineSeconds
            if remaining > 0 { try await Task.sleep(for: .seconds(remaining)) }
            if slowdown != 1 {
                span.attributes[Scenario.spanAttribute] = Scenario.sttSlow.key
                span.attributes["stt.slowdown_factor"] = slowdown
            }

            span.attributes["stt.audio_seconds"] = upload.audio.duration
            span.attributes["stt.speech_seconds"] = recognition.speechSeconds
            span.attributes["stt.source"] = recognition.source.rawValue
            // The engine configured, so a load test run on reference transcripts is never mistaken
            // for one that recognised speech.
            span.attributes["stt.engine"] = recognizer.mode.rawValue
            span.attributes["stt.vocabulary"] = recognizer.vocabulary.rawValue
            span.attributes["stt.engine_seconds"] = recognition.engineSeconds
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
            if let prompt = options.initialPrompt {
                // pocketsphinx's vocabulary is fixed when the service starts; the prompt is kept
                // for the record, as faster-whisper's API accepts it.
                span.attributes["stt.initial_prompt.characters"] = prompt.count
            }
            span.attributes["gen_ai.request.model"] = recognizer.model
            return Outcome(recognition: recognition, enhancement: enhancement, modelSeconds: modelSeconds,
                           modelAudioSeconds: units, model: recognizer.model)
        }
    }

    /// The language reported: medium.en is English-only, and faster-whisper forces "en" for such
    /// models whatever was asked (translation also produces English).
    static let language = "en"

    /// Wider beams cost more decoding time; 5 (the default) is the model's quoted latency.
    static func beamCost(_ beamSize: Int) -> Double { 0.8 + 0.04 * Double(beamSize) }

    /// What the model hears and its quality score: the enhanced audio and the processor's score of
    /// it when the processor answers with a valid Ogg Opus file; otherwise the upload as sent and its
    /// own score.
    private func enhance(_ upload: AudioUpload) async -> (samples: [Float], quality: Double, Enhancement) {
        guard let enhancer else {
            return (upload.audio.samples, QualityScore.score(samples: upload.audio.samples), .disabled)
        }
        do {
            let processed = try await enhancer.enhance(try upload.oggOpus())
            let audio = try OggOpus.decode(processed.audio)
            return (audio.samples, processed.metrics.qualityScore, .applied)
        } catch {
            logger.warning("audio-processor unavailable; transcribing the raw audio (degraded)",
                           metadata: ["error": "\(error)"])
            return (upload.audio.samples, QualityScore.score(samples: upload.audio.samples), .unavailable)
        }
    }
}
