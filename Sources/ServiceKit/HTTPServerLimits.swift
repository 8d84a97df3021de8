public import Configuration

/// How long and how many connections the HTTP server gives its clients, so a slow or idle client
/// costs a bounded number of descriptors and never holds a request open for minutes.
///
/// Two timeouts, because a request has two phases NIO sees differently: until its head is parsed,
/// nothing reaches the application (a client sending half its headers looks idle), and after it,
/// every body chunk counts as activity (a body sent a byte a second never looks idle).
public struct HTTPServerLimits: Sendable, Equatable {
    /// HTTP_IDLE_TIMEOUT (seconds, default 75): a connection with no complete request part for
    /// this long is closed: an idle keep-alive connection, or one still sending its headers.
    /// A request being answered (a slow model, an event stream) is never idle. Longer than
    /// AsyncHTTPClient's 60 s pool idle time (nginx's 75 s keep-alive, for the same reason): a
    /// peer's pooled connection is dropped by the peer's client first, never closed by this
    /// server just as a request goes out on it.
    public var idleTimeout: Duration
    /// HTTP_REQUEST_READ_TIMEOUT (seconds, default 60): from a request's head to the end of its
    /// body. Past it the request fails as 408 `request_timeout` and the connection is closed.
    public var requestReadTimeout: Duration
    /// HTTP_MAX_CONNECTIONS (default 4096): open connections per process; past it the server stops
    /// accepting until one closes, so the backlog, not the descriptor table, absorbs a flood.
    public var maxConnections: Int

    public init(idleTimeout: Duration = .seconds(75), requestReadTimeout: Duration = .seconds(60),
                maxConnections: Int = 4096) {
        self.idleTimeout = idleTimeout
        self.requestReadTimeout = requestReadTimeout
        self.maxConnections = maxConnections
    }

    init(reader: ConfigReader) throws {
        let defaults = HTTPServerLimits()
        idleTimeout = try reader.parsed("http.idle.timeout", default: defaults.idleTimeout, Self.positiveSeconds)
        requestReadTimeout = try reader.parsed("http.request.read.timeout", default: defaults.requestReadTimeout,
                                               Self.positiveSeconds)
        maxConnections = try reader.parsed("http.max.connections", default: defaults.maxConnections) {
            Int($0).flatMap { $0 > 0 ? $0 : nil }
        }
    }

    /// Seconds, fractions allowed (tests use a fraction of a second), more than zero.
    private static func positiveSeconds(_ text: String) -> Duration? {
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
