import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one error shape every service answers with:
/// `{"error": {"code": "bad_request", "message": "...", "service": "stt"}}`.
///
/// `code` is short, stable and bounded (it is the `error_type` metric label), so clients can branch
/// on it; `message` is for people.
public struct FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) (\(status.code)): \(message)" }

    public static func badRequest(_ message: String) -> FleetError {
        .init(status: .badRequest, code: "bad_request", message: message)
    }
    public static func unsupportedMediaType(_ message: String) -> FleetError {
        .init(status: .unsupportedMediaType, code: "unsupported_media_type", message: message)
    }
    public static func payloadTooLarge(limit: Int) -> FleetError {
        .init(status: .contentTooLarge, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
    }
    public static func unprocessable(_ message: String) -> FleetError {
        .init(status: .unprocessableContent, code: "unprocessable", message: message)
    }
    public static func notFound(_ message: String) -> FleetError {
        .init(status: .notFound, code: "not_found", message: message)
    }
    public static func internalError(_ message: String) -> FleetError {
        .init(status: .internalServerError, code: "internal", message: message)
    }
    /// A downstream service failed; `code` says how (timeout, unavailable, circuit_open, bad_response).
    public static func downstream(_ code: String, peer: String, _ detail: String) -> FleetError {
        .init(status: code == "timeout" ? .gatewayTimeout : .badGateway, code: code, message: "\(peer): \(detail)")
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

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 404: return "not_found"
        case 413: return "payload_too_large"
        case 415: return "unsupported_media_type"
        case 422: return "unprocessable"
        case 429: return "rate_limited"
        case 502: return "bad_response"
        case 503: return "unavailable"
        case 504: return "timeout"
        default: return status.code >= 500 ? "internal" : "bad_request"
        }
    }

    struct Body: Codable, Sendable {
        struct Detail: Codable, Sendable {
            let code: String
            let message: String
            let service: String
        }
        let error: Detail
    }

    func response(service: String) -> Response {
        let body = Body(error: .init(code: code, message: message, service: service))
        let data = (try? JSONEncoder.fleet.encode(body)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension DecodingError {
    /// Names the field that failed, without dumping the whole coding path machinery.
    var shortDescription: String {
        switch self {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON"
                : "invalid value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: return "invalid body"
        }
    }
}
