import Foundation
public import HTTPTypes
public import Hummingbird
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

    /// Decodes a snake_case JSON body of at most `limit` bytes; malformed JSON is a 400 naming the
    /// field. The body must say it is JSON (`application/json` or a `+json` type, any parameters):
    /// anything else, a form post or `text/plain` included, is a 415 before a byte is read, so a
    /// cross-site form (which cannot send `application/json` without a CORS preflight) never
    /// reaches a handler.
    public func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int = 256 * 1024) async throws -> T {
        guard let mediaType, MediaType.isJSON(mediaType) else {
            throw FleetError.unsupportedMediaType(
                "Content-Type '\((headers[.contentType] ?? "").prefix(100))' is not JSON: send Content-Type: application/json.")
        }
        let bytes = try await collectBody(limit: limit)
        guard !bytes.isEmpty else { throw FleetError.badRequest("The request has no body; expected JSON.") }
        do {
            return try JSONDecoder.fleet.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw FleetError.badRequest("The JSON body does not match: \(error.shortDescription)")
        }
    }

    /// The media type of the body, lower-cased and without parameters (`audio/ogg; codecs=opus` -> `audio/ogg`).
    public var mediaType: String? {
        headers[.contentType].map { ($0.split(separator: ";").first ?? Substring($0)).trimmingBlanks().lowercased() }
    }
}

/// A handler's answer that is not JSON: Ogg Opus audio, an HTML page, Prometheus text. Wrap it in
/// Hummingbird's `EditedResponse` for another status.
public struct BinaryBody: ResponseGenerator, Sendable {
    public var bytes: [UInt8]
    public var contentType: String
    public var headers: HTTPFields

    public init(_ bytes: [UInt8], contentType: String, headers: HTTPFields = [:]) {
        self.bytes = bytes
        self.contentType = contentType
        self.headers = headers
    }

    /// An HTML page.
    public static func html(_ page: String) -> BinaryBody {
        BinaryBody(Array(page.utf8), contentType: MediaType.html)
    }

    /// A complete Ogg Opus file, played inline by a browser and never cached.
    public static func oggOpus(_ bytes: [UInt8], filename: String) -> BinaryBody {
        BinaryBody(bytes, contentType: MediaType.oggOpus,
                   headers: [.contentDisposition: "inline; filename=\"\(filename)\"", .cacheControl: "no-store"])
    }

    /// JSON with its keys spelled as in Swift, not snake_case: for formats defined in camelCase,
    /// such as an MCP tool manifest and the JSON Schema inside it (`inputSchema`, `maxLength`).
    public static func camelCaseJSON(_ value: some Encodable) throws -> BinaryBody {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return BinaryBody(Array(try encoder.encode(value)), contentType: MediaType.json)
    }

    public func response(from request: Request, context: some RequestContext) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
