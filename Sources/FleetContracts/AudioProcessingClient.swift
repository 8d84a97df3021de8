import FleetTelemetry
import HTTPTypes
import NIOHTTP1
public import ServiceKit

/// The audio processor over HTTP: posts a whole Ogg Opus file and reads the processed file back,
/// with its measurements from the `AudioQualityHeader` response headers.
public struct AudioProcessingClient: AudioProcessing, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await post("/process/segment", oggOpus)
    }

    public func processSegment(_ oggOpus: [UInt8], concealedFrameRatio: Double) async throws -> ProcessedAudio {
        let ratio = concealedFrameRatio.isFinite ? min(max(concealedFrameRatio, 0), 1) : 0
        return try await post("/process/segment", oggOpus,
                              headers: [(AudioQualityHeader.concealedFrameRatio.rawName, String(ratio))])
    }

    public func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await post("/enhance/audio", oggOpus)
    }

    private func post(_ path: String, _ oggOpus: [UInt8], headers: [(String, String)] = []) async throws -> ProcessedAudio {
        let reply = try await client.send(.POST, path, body: oggOpus, contentType: MediaType.ogg,
                                          headers: [("accept", MediaType.ogg)] + headers)
        // A reply without its measurements is not one this client understands; say so instead of
        // inventing zeros that would look like real numbers downstream.
        let metrics = try QualityMetrics { name in
            guard let raw = reply.headers.first(name: name.rawName), let value = Double(raw) else {
                throw FleetError.downstream(.badResponse, peer: client.name, "the reply has no valid \(name.rawName) header")
            }
            return value
        }
        return ProcessedAudio(audio: reply.body, metrics: metrics)
    }
}
