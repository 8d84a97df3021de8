import FleetTelemetry
import Foundation
import HTTPTypes
import NIOHTTP1
public import ServiceKit

/// tts-bark over HTTP: posts the text, gets Ogg Opus back with the synthesis details in headers.
///
/// The service answers only once the whole file is ready, so the time to the complete reply is
/// the time to its first byte (the transfer itself is a few kilobytes on a local network).
public struct SpeechSynthesisClient: SpeechSynthesis, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func synthesize(_ text: String, voice: String?) async throws -> Synthesis {
        let body = Array(try JSONEncoder.fleet.encode(SynthesisRequest(text: text, voice: voice)))
        let start = ContinuousClock.now
        let reply = try await client.send(.POST, "/synthesize", body: body, contentType: MediaType.json,
                                          headers: [("accept", MediaType.ogg)])
        let timeToFirstByte = (ContinuousClock.now - start).seconds
        guard reply.contentType?.lowercased().hasPrefix(MediaType.ogg) == true else {
            throw FleetError.downstream(.badResponse, peer: client.name,
                                        "answered \(reply.contentType ?? "no content type"), expected audio/ogg")
        }
        guard let seconds = reply.headers.first(name: SynthesisHeader.audioSeconds.rawName).flatMap(Double.init) else {
            throw FleetError.downstream(.badResponse, peer: client.name,
                                        "the reply has no \(SynthesisHeader.audioSeconds.rawName) header")
        }
        MetricCatalog.stageTTFB.observe(timeToFirstByte, ["stage": "tts"])
        return Synthesis(audio: reply.body,
                         voice: reply.headers.first(name: SynthesisHeader.voiceUsed.rawName) ?? voice ?? "",
                         audioSeconds: seconds,
                         engine: reply.headers.first(name: SynthesisHeader.engine.rawName) ?? "unknown",
                         timeToFirstByte: timeToFirstByte)
    }
}
