public import FleetTelemetry
import Foundation
public import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

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
    /// The client took longer than HTTP_REQUEST_READ_TIMEOUT to send its request.
    public static func requestTimeout(_ message: String) -> FleetError {
        .init(status: .requestTimeout, code: .requestTimeout, message: message)
    }
    /// The client hung up before the answer: nginx's 499, a 4xx so no dashboard counts it as the
    /// server's failure. Nobody reads this answer; the status is for the metrics and the log.
    public static func clientClosedRequest(_ message: String) -> FleetError {
        .init(status: .init(code: 499, reasonPhrase: "Client Closed Request"), code: .clientClosedRequest, message: message)
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
        case is RequestReadTimeout:
            return .requestTimeout("The request body did not arrive within the server's read timeout.")
        case let parser as HTTPParserError:
            // The connection ended mid-request: the client hung up. Any other parser error is a
            // malformed request (bad chunk framing, say), the client's 400.
            return parser == .invalidEOFState ? .clientClosedRequest("The client closed the connection mid-request.")
                : .badRequest("The request is not valid HTTP/1.1: \(parser).")
        case let channel as ChannelError where Self.clientGoneChannelErrors.contains(channel):
            return .clientClosedRequest("The client closed the connection: \(channel).")
        case let io as IOError where [ECONNRESET, EPIPE].contains(io.errnoCode):
            return .clientClosedRequest("The client closed the connection: \(io).")
        case let response as any HTTPResponseError:
            return FleetError(status: response.status, code: code(for: response.status), message: "\(error)")
        default:
            return .internalError(String(describing: error))
        }
    }

    /// Channel errors that mean the other end is gone rather than that this service failed.
    private static let clientGoneChannelErrors: [ChannelError] = [.ioOnClosedChannel, .eof, .outputClosed, .inputClosed,
                                                                  .alreadyClosed]

    /// Whether the answer ends the connection (`Connection: close`): after a body too large to
    /// read, or a client too slow to send one, the rest of the connection is not worth reading.
    public var closesConnection: Bool {
        code == .payloadTooLarge || code == .requestTimeout
    }

    static func code(for status: HTTPResponse.Status) -> Code {
        switch status.code {
        case 400: .badRequest
        case 404: .notFound
        case 408: .requestTimeout
        case 413: .payloadTooLarge
        case 415: .unsupportedMediaType
        case 422: .unprocessable
        case 429: .rateLimited
        case 502: .badResponse
        case 503: .unavailable
        case 499: .clientClosedRequest
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
