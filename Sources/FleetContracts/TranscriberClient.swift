import FleetTelemetry
import Foundation
import NIOHTTP1
public import ServiceKit

/// Speech recognition over HTTP: posts the audio as the raw body of `POST /asr`, the way the
/// original's voice bridge did, with the correlation id as a query parameter.
public struct TranscriberClient: Transcriber, HTTPPeer {
    public let client: DownstreamClient

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func transcribe(_ audio: [UInt8], contentType: String, correlationID: String?) async throws
        -> TranscriptionResult
    {
        var path = "/asr"
        if let correlationID,
           let encoded = correlationID.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed)
        {
            path += "?correlation_id=\(encoded)"
        }
        let reply = try await client.send(.POST, path, body: audio, contentType: contentType,
                                          headers: [("accept", MediaType.json)])
        do {
            return try JSONDecoder.fleet.decode(TranscriptionResult.self, from: Data(reply.body))
        } catch {
            throw FleetError.downstream(.badResponse, peer: client.name, "answered with a transcription we cannot read: \(error)")
        }
    }
}

extension CharacterSet {
    /// Characters that may stand unescaped in a query value (`&`, `=`, `+` and `#` may not).
    static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))
}
