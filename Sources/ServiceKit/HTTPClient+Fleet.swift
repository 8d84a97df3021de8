public import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The client every service uses for its peers. It fails fast when a peer is down — a 1 s
    /// connect timeout and no silent reconnect loop inside the pool — so a dead peer costs a turn
    /// about a second, and the per-call timeout, retries and circuit breaker decide what happens
    /// next. (With the defaults a refused connection is retried until the request deadline: a turn
    /// waited 60 s on a stopped tts-bark.)
    ///
    /// A peer may have many calls in flight: at 200 speakers the bridge runs up to 50 turns at
    /// once, each holding an orchestrator connection for seconds. The pool's default of 8
    /// connections per host made the ninth caller wait for a free one and fail after the 1 s
    /// connect timeout (`getConnectionFromPoolTimeout`); 256 covers the largest load.
    ///
    /// Made on first use, which the runner reaches only after telemetry is bootstrapped: the client
    /// captures the global tracer when it is created.
    public static let fleet: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

extension HTTPClient {
    /// An untraced twin of `fleet` for health probes: readiness checks run every few seconds, and a
    /// root trace per probe would bury the voice turns in Jaeger.
    public static let probes: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
