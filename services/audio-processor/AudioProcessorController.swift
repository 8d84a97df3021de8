import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import Hummingbird
import ServiceKit
import Tracing

/// The audio processor's HTTP surface. Whole files go in and come out as Ogg Opus
/// (`audio/ogg; codecs=opus`) with their measurements in `AudioQualityHeader` headers; a client
/// that asks for `Accept: application/json` gets the original's JSON shape instead (`ProcessedAnswer`).
struct AudioProcessorController: Sendable {
    let pipeline: AudioPipeline
    var config: AudioProcessorConfig { pipeline.config }

    /// The media types /process/frame reads one raw Opus packet as.
    static let frameTypes: Set = ["application/octet-stream", "audio/opus"]

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/process/segment", use: processSegment)
        group.post("/process/frame", use: processFrame)
        group.post("/enhance/audio", use: enhanceAudio)
        group.post("/denoise", use: denoise)
    }

    func processSegment(request: Request, context: FleetRequestContext) async throws -> ProcessedAnswer {
        try await process(.segment, request: request)
    }

    func enhanceAudio(request: Request, context: FleetRequestContext) async throws -> ProcessedAnswer {
        try await process(.enhance, request: request)
    }

    func denoise(request: Request, context: FleetRequestContext) async throws -> ProcessedAnswer {
        try await process(.denoise, request: request)
    }

    /// One raw Opus packet (`application/octet-stream`) -> whether it holds speech, and its level.
    func processFrame(request: Request, context: FleetRequestContext) async throws -> FrameAnalysis {
        let start = ContinuousClock.now
        do {
            if let type = request.mediaType, !Self.frameTypes.contains(type) {
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
            return FrameAnalysis(isSpeech: frame.isSpeech, rmsDbfs: frame.level.rmsDbfs,
                                 peakDbfs: frame.level.peakDbfs, processingTimeMs: elapsed * 1000)
        } catch {
            MetricCatalog.audioChunksProcessed.increment(["operation": "frame", "status": "error"])
            throw error
        }
    }

    /// Reads the upload, runs one pipeline operation on it, answers; every failure counted as an error.
    private func process(_ operation: AudioPipeline.Operation, request: Request) async throws -> ProcessedAnswer {
        let start = ContinuousClock.now
        do {
            let concealed = try Self.concealedFrameRatio(of: request)
            let body = try await request.collectBody(limit: config.maxBodyBytes)
            let (result, encoded) = try await run(operation, on: body, mediaType: request.mediaType, concealed: concealed)
            let elapsed = (ContinuousClock.now - start).seconds
            MetricCatalog.audioProcessingDuration.observe(elapsed, ["operation": operation.rawValue])
            MetricCatalog.audioQualityScore.observe(result.metrics.inputQualityScore, ["stage": "input"])
            MetricCatalog.audioQualityScore.observe(result.metrics.qualityScore, ["stage": "processed"])
            MetricCatalog.audioChunksProcessed.increment(["operation": operation.rawValue, "status": "success"])
            return ProcessedAnswer(audio: encoded, metrics: result.metrics, milliseconds: elapsed * 1000,
                                   asJSON: ProcessedAnswer.wantsJSON(request))
        } catch {
            MetricCatalog.audioChunksProcessed.increment(["operation": operation.rawValue, "status": "error"])
            throw error
        }
    }

    /// Decodes, processes and re-encodes inside the operation's stage span.
    private func run(_ operation: AudioPipeline.Operation, on body: [UInt8], mediaType: String?,
                     concealed: Double) async throws -> (AudioPipeline.Result, [UInt8]) {
        let spanName = operation == .segment ? StageSpan.processSegment : StageSpan.enhance
        return try await withStageSpan(spanName) { span in
            span.attributes["audio.operation"] = operation.rawValue
            span.attributes["audio.input_bytes"] = body.count
            let upload = try AudioUpload.decode(body, mediaType: mediaType, maxSeconds: config.maxAudioSeconds)
            let result = pipeline.run(operation, on: upload.audio, concealedFrameRatio: concealed)
            let encoded: [UInt8]
            do throws(AudioCodecError) {
                encoded = try OggOpus.encode(result.samples, comments: result.comments)
            } catch {
                throw FleetError.internalError("Re-encoding the processed audio failed (\(error.code)): \(error)")
            }
            span.attributes["audio.duration_seconds"] = upload.audio.duration
            span.attributes["audio.output_duration_seconds"] = result.metrics.durationSeconds
            span.attributes["audio.speech_seconds"] = result.metrics.speechSeconds
            span.attributes["audio.quality_score"] = result.metrics.qualityScore
            span.attributes["audio.input_quality_score"] = result.metrics.inputQualityScore
            span.attributes["audio.rms_dbfs"] = result.metrics.rmsDbfs
            span.attributes["audio.peak_dbfs"] = result.metrics.peakDbfs
            span.attributes["audio.comments_kept"] = result.comments.count
            span.attributes["audio.concealed_frame_ratio"] = concealed
            if operation == .segment { span.attributes["audio.trimmed_seconds"] = result.trimmedSeconds }
            return (result, encoded)
        }
    }

    /// The sender's X-Concealed-Frame-Ratio: 0 when absent, a 400 naming the header when it is not
    /// a number from 0 to 1.
    static func concealedFrameRatio(of request: Request) throws -> Double {
        guard let raw = request.headers[AudioQualityHeader.concealedFrameRatio] else { return 0 }
        guard let ratio = Double(raw.trimmingCharacters(in: .whitespaces)), (0...1).contains(ratio) else {
            throw FleetError.badRequest("\(AudioQualityHeader.concealedFrameRatio.rawName) must be a number from 0 to 1 "
                                        + "(the share of frames concealed); got '\(raw)'.")
        }
        return ratio
    }
}
