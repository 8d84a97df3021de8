import FleetContracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The answer to a whole-file operation: the processed Ogg Opus file with its measurements in
/// `AudioQualityHeader` headers, or, for a client that asks for JSON by name, the original's JSON
/// shape with the file base64-encoded inside it.
struct ProcessedAnswer: ResponseGenerator, Sendable {
    let audio: [UInt8]
    let metrics: QualityMetrics
    let milliseconds: Double
    let asJSON: Bool

    func response(from request: Request, context: some RequestContext) throws -> Response {
        if asJSON {
            return try ProcessingReply(success: true, audioBase64: Data(audio).base64EncodedString(),
                                       processingTimeMs: milliseconds, qualityMetrics: metrics, error: nil)
                .response(from: request, context: context)
        }
        var headers = HTTPFields()
        for (name, value) in metrics.headerValues { headers[name] = Self.format(value) }
        headers[.processingTimeMs] = Self.format(milliseconds)
        return BinaryBody(audio, contentType: MediaType.oggOpus, headers: headers).response(from: request, context: context)
    }

    private static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// JSON only when it is asked for by name: browsers and players send `*/*` and get audio.
    static func wantsJSON(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("application/json") && !accept.contains("audio/")
    }
}

/// The original's `/process/segment` answer: `{success, audio_base64, processing_time_ms,
/// quality_metrics, error}` (it carried PCM; ours carries the Ogg Opus file). `error: null` is part
/// of the original's shape, so absent values are written as null.
struct ProcessingReply: ResponseEncodable, Sendable {
    var success: Bool
    @NullWhenAbsent var audioBase64: String?
    var processingTimeMs: Double
    @NullWhenAbsent var qualityMetrics: QualityMetrics?
    @NullWhenAbsent var error: String?
}
