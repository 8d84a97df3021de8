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
    /// once, each holding an orchestrator connection for seconds, and the fault suite sends 200
    /// concurrent turns to the orchestrator, each holding a connection to every back end in turn.
    /// The pool's default of 8 connections per host made the ninth caller wait for a free one and
    /// fail after the 1 s connect timeout (`getConnectionFromPoolTimeout`), which AsyncHTTPClient
    /// also applies to a queued request. So the pool holds `connectionsPerPeer`, above the largest
    /// load, and a caller that still finds it full waits within its call's own timeout
    /// (`DownstreamClient` re-queues it), a wait its breaker does not count as the peer's failure.
    ///
    /// Made on first use, which the runner reaches only after telemetry is bootstrapped: the client
    /// captures the global tracer when it is created.
    public static let fleet: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerPeer
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

extension HTTPClient {
    /// Connections the fleet client keeps per peer: the 200 concurrent turns the fault suite sends,
    /// plus the bridge's 50, with room to spare.
    static let connectionsPerPeer = 256

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
