public import FleetTelemetry
import Foundation
public import HTTPTypes
import Hummingbird
import NIOCore

/// The one error shape every service answers with:
/// `{"error": {"code": "bad_request", "message": "...", "service": "stt"}}`.
///
/// `code` is short, stable and bounded (it is the `error_type` metric label), so clients can branch
/// on it; `message` is for people. Handlers throw it, `FleetHTTPMiddleware` answers with it.
public struct FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    public typealias Code = FleetErrorCode

    public let status: HTTPResponse.Status
    public let code: Code
    public let message: String

    public init(status: HTTPResponse.Status, code: Code, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) (\(status.code)): \(message)" }

    public static func badRequest(_ message: String) -> FleetError {
        .init(status: .badRequest, code: .badRequest, message: message)
    }
    public static func unsupportedMediaType(_ message: String) -> FleetError {
        .init(status: .unsupportedMediaType, code: .unsupportedMediaType, message: message)
    }
    public static func payloadTooLarge(limit: Int) -> FleetError {
        payloadTooLarge("The request body is larger than \(limit) bytes.")
    }
    /// Too large by some other measure than bytes (seconds of audio, characters of text).
    public static func payloadTooLarge(_ message: String) -> FleetError {
        .init(status: .contentTooLarge, code: .payloadTooLarge, message: message)
    }
    public static func unprocessable(_ message: String) -> FleetError {
        .init(status: .unprocessableContent, code: .unprocessable, message: message)
    }
    public static func notFound(_ message: String) -> FleetError {
        .init(status: .notFound, code: .notFound, message: message)
    }
    public static func internalError(_ message: String) -> FleetError {
        .init(status: .internalServerError, code: .internal, message: message)
    }
    /// A peer failed; `code` says how (timeout, unavailable, circuit_open, bad_response).
    public static func downstream(_ code: Code, peer: String, _ detail: String) -> FleetError {
        let status: HTTPResponse.Status = switch code {
        case .timeout: .gatewayTimeout
        case .circuitOpen: .serviceUnavailable
        default: .badGateway
        }
        return .init(status: status, code: code, message: "\(peer): \(detail)")
    }

    /// Maps any error a handler can throw onto the fleet's shape.
    public static func from(_ error: any Error) -> FleetError {
        switch error {
        case let fleet as FleetError:
            return fleet
        case let http as HTTPError:
            return FleetError(status: http.status, code: code(for: http.status),
                              message: http.body ?? http.status.reasonPhrase)
        case let decoding as DecodingError:
            return .badRequest("The JSON body does not match: \(decoding.shortDescription)")
        case let response as any HTTPResponseError:
            return FleetError(status: response.status, code: code(for: response.status), message: "\(error)")
        default:
            return .internalError(String(describing: error))
        }
    }

    static func code(for status: HTTPResponse.Status) -> Code {
        switch status.code {
        case 400: .badRequest
        case 404: .notFound
        case 413: .payloadTooLarge
        case 415: .unsupportedMediaType
        case 422: .unprocessable
        case 429: .rateLimited
        case 502: .badResponse
        case 503: .unavailable
        case 504: .timeout
        default: status.code >= 500 ? .internal : .badRequest
        }
    }

    /// The wire shape, shared by the middleware that writes it and the client that reads a peer's.
    struct Body: Codable, Sendable {
        struct Detail: Codable, Sendable {
            let code: String
            let message: String
            let service: String
        }
        let error: Detail
    }

    func response(service: String) -> Response {
        let body = Body(error: .init(code: code.description, message: message, service: service))
        let data = (try? JSONEncoder.fleet.encode(body)) ?? Data()
        return Response(status: status, headers: [.contentType: MediaType.json],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension DecodingError {
    /// Names the field that failed, without dumping the whole coding path machinery.
    var shortDescription: String {
        switch self {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue.snakeCased)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue.snakeCased).joined(separator: "."))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON"
                : "invalid value at '\(context.codingPath.map(\.stringValue.snakeCased).joined(separator: "."))'"
        @unknown default: return "invalid body"
        }
    }
}

extension String {
    /// `sessionId` -> `session_id`: a Swift property as the JSON field a client wrote.
    var snakeCased: String {
        var result = ""
        for character in self {
            if character.isUppercase, !result.isEmpty { result.append("_") }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}
