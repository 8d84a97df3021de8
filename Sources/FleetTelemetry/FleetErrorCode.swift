/// What went wrong, in a word a client can branch on and a metric can carry as its `error_type`.
///
/// The swift-nio / AsyncHTTPClient shape: a struct over a private enum, so the set is closed (no
/// caller can mint `"payload too large"` by hand and start a new time series) yet can grow without
/// breaking anyone who switches over it. `description` is the wire and label value.
public struct FleetErrorCode: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, CaseIterable {
        case badRequest = "bad_request"
        case unsupportedMediaType = "unsupported_media_type"
        case payloadTooLarge = "payload_too_large"
        case notFound = "not_found"
        case requestTimeout = "request_timeout"
        case unprocessable
        case rateLimited = "rate_limited"
        case `internal`
        case timeout
        case unavailable
        case circuitOpen = "circuit_open"
        case badResponse = "bad_response"
        case clientClosedRequest = "client_closed_request"
        case unauthorized
        case forbidden
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// The request is malformed or a value is out of range (400).
    public static let badRequest = FleetErrorCode(.badRequest)
    /// The body's media type is not one the route reads (415).
    public static let unsupportedMediaType = FleetErrorCode(.unsupportedMediaType)
    /// The body, or the audio in it, is larger than the route accepts (413).
    public static let payloadTooLarge = FleetErrorCode(.payloadTooLarge)
    /// No such route, turn, session or model (404).
    public static let notFound = FleetErrorCode(.notFound)
    /// The client did not finish sending its request within the server's read timeout (408).
    public static let requestTimeout = FleetErrorCode(.requestTimeout)
    /// Well-formed, but nothing can be done with it (422).
    public static let unprocessable = FleetErrorCode(.unprocessable)
    /// Too many requests (429).
    public static let rateLimited = FleetErrorCode(.rateLimited)
    /// A bug or an unexpected failure in this service (500).
    public static let `internal` = FleetErrorCode(.internal)
    /// A peer did not answer in time (504).
    public static let timeout = FleetErrorCode(.timeout)
    /// A peer could not be reached, or said it is unavailable (502/503).
    public static let unavailable = FleetErrorCode(.unavailable)
    /// A peer failed so often that its circuit breaker stopped calling it (503).
    public static let circuitOpen = FleetErrorCode(.circuitOpen)
    /// A peer answered with an error or with something unreadable (502).
    public static let badResponse = FleetErrorCode(.badResponse)

    /// The client hung up before its answer was ready (499, nginx's convention): not a failure of
    /// this service, so never a 5xx, yet counted so a wave of hang-ups still shows.
    public static let clientClosedRequest = FleetErrorCode(.clientClosedRequest)

    /// A mutating request without the fleet's shared token, or with a wrong one (401).
    public static let unauthorized = FleetErrorCode(.unauthorized)
    /// A mutating request from another site, or to a host name the service does not answer to (403).
    public static let forbidden = FleetErrorCode(.forbidden)

    /// Every code, in declaration order: the `error_type` label's allowed values.
    public static let all: [FleetErrorCode] = Base.allCases.map(FleetErrorCode.init)

    /// The code a client sent back in an error body; nil for a word this fleet does not use.
    public init?(_ description: String) {
        guard let base = Base(rawValue: description) else { return nil }
        self.base = base
    }

    public var description: String { base.rawValue }

    /// Worth one more try: a transport failure, a timeout, or a peer that said it is unavailable.
    public var isRetryable: Bool { self == .unavailable || self == .timeout }
}
