import Foundation
import Hummingbird
import NIOCore

/// Reading request bodies with a size limit, so an oversized upload is a 413, never an OOM.
extension Request {
    /// The whole body, or `payload_too_large` once it passes `limit` bytes.
    public func collectBody(limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw FleetError.payloadTooLarge(limit: limit)
        }
    }

    /// Decodes a JSON body of at most `limit` bytes; malformed JSON is a 400 naming the field.
    public func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int = 256 * 1024) async throws -> T {
        let bytes = try await collectBody(limit: limit)
        guard !bytes.isEmpty else { throw FleetError.badRequest("The request has no body; expected JSON.") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw FleetError.badRequest("The JSON body does not match: \(error.shortDescription)")
        }
    }

    /// The media type of the body, lower-cased and without parameters (`audio/ogg; codecs=opus` -> `audio/ogg`).
    public var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";").first.map(String.init) ?? $0 }?
            .trimmingCharacters(in: .whitespaces).lowercased()
    }
}

extension Response {
    /// A JSON response from any Encodable value.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok,
                                          headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let data = try JSONEncoder.fleet.encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Raw bytes with a content type (Ogg Opus audio, HTML pages, Prometheus text).
    public static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok,
                             headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension JSONEncoder {
    /// The fleet's JSON style: `"v2/en_speaker_1"`, not Foundation's default `"v2\/en_speaker_1"`.
    public static var fleet: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
