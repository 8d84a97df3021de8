public import Foundation
public import Hummingbird
import NIOCore

/// The request context of every fleet route. It differs from Hummingbird's `BasicRequestContext`
/// in one way: JSON on the wire is snake_case (`session_id`, `audio_base64`), as the original
/// Python services spoke it, while Swift code keeps camelCase names. Handlers therefore return
/// plain `ResponseEncodable` values and decode plain `Decodable` ones, with no hand-written
/// `CodingKeys`.
public struct FleetRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: FleetJSONDecoder { FleetJSONDecoder() }
    public var responseEncoder: FleetJSONEncoder { FleetJSONEncoder() }
}

/// Writes a handler's return value as the fleet's JSON.
public struct FleetJSONEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder.fleet.encode(value)
        return Response(status: .ok, headers: [.contentType: MediaType.json],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Reads a request body as the fleet's JSON, within the context's upload limit. Routes with a
/// limit of their own use `Request.decodeJSON(_:limit:)`.
public struct FleetJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        try await request.decodeJSON(type, limit: context.maxUploadSize)
    }
}

extension JSONEncoder {
    /// The fleet's JSON: snake_case keys, and `"v2/en_speaker_1"` rather than Foundation's
    /// default `"v2\/en_speaker_1"`. Peer clients and the server both use it.
    public static var fleet: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// Reads the fleet's snake_case JSON into camelCase Swift properties. (Dictionary keys are
    /// data, not properties, and are left as they are.)
    public static var fleet: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
