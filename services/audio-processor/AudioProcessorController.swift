import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Tracing

/// The audio processor's HTTP surface. Whole files go in and come out as Ogg Opus
/// (`audio/ogg; codecs=opus`) with their measurements in `AudioQualityHeader` headers; a client
/// that asks for `Accept: application/json` gets the original's JSON shape instead, with the audio
/// base64-encoded inside it.
struct AudioProcessorController: Sendable {
    let pipeline: AudioPipeline
    var config: AudioProcessorConfig { pipeline.config }

    static let oggContentType = "audio/ogg; codecs=opus"

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("/process/segment", use: processSegment)
        group.post("/process/frame", use: processFrame)
        group.post("/enhance/audio", use: enhanceAudio)
        group.post("/denoise", use: denoise)
    }

    func processSegment(request: Request, context: BasicRequestContext) async throws -> Response {
        try await process(.segment, request: request)
    }

    func enhanceAudio(request: Request, context: BasicRequestContext) async throws -> Response {
        try await process(.enhance, request: request)
    }

    func denoise(request: Request, context: BasicRequestContext) async throws -> Response {
        try await process(.denoise, request: request)
    }

    /// One raw Opus packet (`application/octet-stream`) -> whether it holds speech, and its level.
    func processFrame(request: Request, context: BasicRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        do {
            if let type = request.mediaType, !["application/octet-stream", "audio/opus"].contains(type) {
                throw FleetError.unsupportedMediaType(
                    "Content-Type '\(type)' is not supported; send one raw Opus packet as application/octet-stream.")
            }
            let packet = try await request.collectBody(limit: config.maxFrameBytes)
            guard !packet.isEmpty else { throw FleetError.badRequest("The request has no body; send one Opus packet.") }
            let frame: (samples: [Float], isSpeech: Bool, level: LevelStats)
            do {
                frame = try FrameAnalyzer.analyze(packet: packet, aggressiveness: config.vadAggressiveness)
            } catch {
                throw FleetError.badRequest("The Opus packet cannot be decoded (\(error.code)): \(error)")
            }
            let elapsed = (ContinuousClock.now - start).seconds
            MetricCatalog.audioProcessingDuration.observe(elapsed, ["operation": "frame"])
            MetricCatalog.audioChunksProcessed.increment(["operation": "frame", "status": "success"])
            return try Response.json(FrameAnalysis(isSpeech: frame.isSpeech, rmsDBFS: frame.level.rmsDBFS,
                                                   peakDBFS: frame.level.peakDBFS, processingTimeMs: elapsed * 1000))
        } catch {
            MetricCatalog.audioChunksProcessed.increment(["operation": "frame", "status": "error"])
            throw error
        }
    }

    /// Reads, decodes, runs one pipeline operation inside its stage span, re-encodes, answers.
    private func process(_ operation: AudioPipeline.Operation, request: Request) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let body = try await request.collectBody(limit: config.maxBodyBytes)
            let spanName = operation == .segment ? StageSpan.processSegment : StageSpan.enhance
            let (result, encoded) = try await withStageSpan(spanName) { span in
                span.attributes["audio.operation"] = operation.rawValue
                span.attributes["audio.input_bytes"] = body.count
                let audio = try AudioInput.decode(body, mediaType: request.mediaType, maxSeconds: config.maxAudioSeconds)
                let result = pipeline.run(operation, on: audio)
                let encoded: [UInt8]
                do throws(AudioCodecError) {
                    encoded = try OggOpus.encode(result.samples, comments: result.comments)
                } catch {
                    throw FleetError.internalError("Re-encoding the processed audio failed (\(error.code)): \(error)")
                }
                span.attributes["audio.duration_seconds"] = audio.duration
                span.attributes["audio.output_duration_seconds"] = result.metrics.durationSeconds
                span.attributes["audio.speech_seconds"] = result.metrics.speechSeconds
                span.attributes["audio.quality_score"] = result.metrics.qualityScore
                span.attributes["audio.input_quality_score"] = result.metrics.inputQualityScore
                span.attributes["audio.rms_dbfs"] = result.metrics.rmsDBFS
                span.attributes["audio.peak_dbfs"] = result.metrics.peakDBFS
                span.attributes["audio.comments_kept"] = result.comments.count
                if operation == .segment { span.attributes["audio.trimmed_seconds"] = result.trimmedSeconds }
                return (result, encoded)
            }
            let elapsed = (ContinuousClock.now - start).seconds
            MetricCatalog.audioProcessingDuration.observe(elapsed, ["operation": operation.rawValue])
            MetricCatalog.audioQualityScore.observe(result.metrics.inputQualityScore, ["stage": "input"])
            MetricCatalog.audioQualityScore.observe(result.metrics.qualityScore, ["stage": "processed"])
            MetricCatalog.audioChunksProcessed.increment(["operation": operation.rawValue, "status": "success"])
            return try respond(request: request, audio: encoded, metrics: result.metrics, milliseconds: elapsed * 1000)
        } catch {
            MetricCatalog.audioChunksProcessed.increment(["operation": operation.rawValue, "status": "error"])
            throw error
        }
    }

    private func respond(request: Request, audio: [UInt8], metrics: QualityMetrics, milliseconds: Double) throws -> Response {
        if wantsJSON(request) {
            return try Response.json(ProcessingReply(success: true, audioBase64: Data(audio).base64EncodedString(),
                                                     processingTimeMs: milliseconds, qualityMetrics: metrics, error: nil))
        }
        var headers = HTTPFields()
        func put(_ name: String, _ value: Double) {
            if let field = HTTPField.Name(name) { headers[field] = String(format: "%.4f", value) }
        }
        put(AudioQualityHeader.qualityScore, metrics.qualityScore)
        put(AudioQualityHeader.inputQualityScore, metrics.inputQualityScore)
        put(AudioQualityHeader.rmsDBFS, metrics.rmsDBFS)
        put(AudioQualityHeader.peakDBFS, metrics.peakDBFS)
        put(AudioQualityHeader.clippingRatio, metrics.clippingRatio)
        put(AudioQualityHeader.speechSeconds, metrics.speechSeconds)
        put(AudioQualityHeader.durationSeconds, metrics.durationSeconds)
        put(AudioQualityHeader.processingTimeMs, milliseconds)
        return Response.bytes(audio, contentType: Self.oggContentType, headers: headers)
    }

    /// JSON only when it is asked for by name: browsers and players send `*/*` and get audio.
    private func wantsJSON(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("application/json") && !accept.contains("audio/")
    }
}

/// The original's `/process/segment` answer: `{success, audio_base64, processing_time_ms,
/// quality_metrics, error}` (it carried PCM; ours carries the Ogg Opus file).
struct ProcessingReply: Codable, Sendable {
    var success: Bool
    var audioBase64: String?
    var processingTimeMs: Double
    var qualityMetrics: QualityMetrics?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case success, error
        case audioBase64 = "audio_base64"
        case processingTimeMs = "processing_time_ms"
        case qualityMetrics = "quality_metrics"
    }

    // `error: null` is part of the original's shape, so encode nils explicitly.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(success, forKey: .success)
        try container.encode(audioBase64, forKey: .audioBase64)
        try container.encode(processingTimeMs, forKey: .processingTimeMs)
        try container.encode(qualityMetrics, forKey: .qualityMetrics)
        try container.encode(error, forKey: .error)
    }
}
