import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// The speech-to-text HTTP surface, as the original's: POST /asr takes the audio as the raw body,
/// POST /transcribe as the `file` field of a multipart form. Both take the same query options and
/// answer `TranscriptionResult` JSON with an `X-Processing-Time-Ms` header.
struct STTController: Sendable {
    let pipeline: TranscriptionPipeline
    let config: STTConfig
    let logger: Logger

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/asr", use: asr)
        group.post("/transcribe", use: transcribe)
    }

    func asr(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TranscriptionResult> {
        try await run(request) { body in (body, request.mediaType) }
    }

    func transcribe(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TranscriptionResult> {
        try await run(request) { body in
            guard request.mediaType == "multipart/form-data" else {
                throw FleetError.unsupportedMediaType(
                    "POST /transcribe takes multipart/form-data with the audio in a field named 'file'; use POST /asr for a raw body.")
            }
            let upload = try MultipartUpload.extract(from: body, contentType: request.headers[.contentType])
            return (upload.bytes, upload.mediaType)
        }
    }

    /// Options, body, decode, transcribe, answer; every failure counted as an error. `audio` finds
    /// the audio file and its media type in the request body.
    private func run(_ request: Request, audio: ([UInt8]) throws -> ([UInt8], String?)) async throws
        -> EditedResponse<TranscriptionResult>
    {
        let start = ContinuousClock.now
        do {
            let options = try TranscriptionOptions { request.uri.queryParameters.get($0) }
            let body = try await request.collectBody(limit: config.maxBodyBytes)
            let (bytes, mediaType) = try audio(body)
            let upload = try AudioUpload.decode(bytes, mediaType: mediaType, maxSeconds: config.maxAudioSeconds)
            let outcome = try await pipeline.transcribe(upload, options: options)
            let total = (ContinuousClock.now - start).seconds
            let result = Self.result(of: outcome, upload: upload, options: options, totalSeconds: total)
            record(outcome, upload: upload, options: options, totalSeconds: total)
            return EditedResponse(headers: [.processingTimeMs: String(format: "%.1f", outcome.modelSeconds * 1000)],
                                  response: result)
        } catch {
            MetricCatalog.sttTranscriptions.increment(["status": "error", "source": "none"])
            throw error
        }
    }

    /// The answer, in the original's fields.
    static func result(of outcome: TranscriptionPipeline.Outcome, upload: AudioUpload, options: TranscriptionOptions,
                       totalSeconds: Double) -> TranscriptionResult {
        let recognition = outcome.recognition
        return TranscriptionResult(
            text: recognition.text, duration: upload.audio.duration.rounded3, language: TranscriptionPipeline.language,
            confidence: recognition.confidence, correlationId: options.correlationID,
            processingMs: (outcome.modelSeconds * 1000).rounded3, totalMs: (totalSeconds * 1000).rounded3,
            inputBytes: upload.bytes.count, model: outcome.model, device: SpeechRecognizer.device,
            segments: recognition.segments(wordLevel: options.wordTimestamps), source: recognition.source.rawValue)
    }

    /// Metrics and the log line of a successful transcription.
    private func record(_ outcome: TranscriptionPipeline.Outcome, upload: AudioUpload, options: TranscriptionOptions,
                        totalSeconds: Double) {
        let source = outcome.recognition.source.rawValue
        MetricCatalog.sttTranscriptions.increment(["status": "success", "source": source])
        MetricCatalog.sttTranscriptionDuration.observe(totalSeconds)
        MetricCatalog.sttAudioSeconds.increment(by: upload.audio.duration)
        logger.info("transcribed", metadata: [
            "correlation_id": "\(options.correlationID ?? "none")", "source": "\(source)",
            "audio_seconds": "\(upload.audio.duration.rounded3)", "enhancement": "\(outcome.enhancement.rawValue)",
        ])
    }
}
