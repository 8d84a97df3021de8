import ServiceKit

/// The audio processor over HTTP: posts a whole Ogg Opus file and reads the processed file back,
/// with its measurements from the `AudioQualityHeader` response headers.
public struct AudioProcessingClient: AudioProcessing {
    let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await post("/process/segment", oggOpus)
    }

    public func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await post("/enhance/audio", oggOpus)
    }

    private func post(_ path: String, _ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        let reply = try await client.send(.POST, path, body: oggOpus, contentType: "audio/ogg",
                                          headers: [("accept", "audio/ogg")])
        // A reply without its measurements is not one this client understands; say so instead of
        // inventing zeros that would look like real numbers downstream.
        func header(_ name: String) throws -> Double {
            guard let raw = reply.headers.first(name: name), let value = Double(raw) else {
                throw FleetError.downstream("bad_response", peer: client.peer, "the reply has no valid \(name) header")
            }
            return value
        }
        let metrics = QualityMetrics(
            qualityScore: try header(AudioQualityHeader.qualityScore),
            inputQualityScore: try header(AudioQualityHeader.inputQualityScore),
            rmsDBFS: try header(AudioQualityHeader.rmsDBFS),
            peakDBFS: try header(AudioQualityHeader.peakDBFS),
            clippingRatio: try header(AudioQualityHeader.clippingRatio),
            speechSeconds: try header(AudioQualityHeader.speechSeconds),
            durationSeconds: try header(AudioQualityHeader.durationSeconds))
        return ProcessedAudio(audio: reply.body, metrics: metrics)
    }
}
