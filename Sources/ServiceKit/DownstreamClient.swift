public import AsyncHTTPClient
import FleetTelemetry
import Foundation
import HTTPTypes
import NIOCore
public import NIOHTTP1
import Tracing

/// A traced HTTP client for one peer service, with a timeout per attempt, bounded retries and a
/// circuit breaker. AsyncHTTPClient makes a client span per attempt and injects `traceparent`
/// itself; each call wraps its attempts in a `call <peer>` span that carries the call's outcome.
///
/// Retries only happen where a repeat is harmless and likely to help: connection failures,
/// timeouts, 503 and 504. A 4xx is the caller's fault and is returned at once.
///
/// While the `downstreamUnreachable` scenario names this peer, every call (and the readiness
/// probe) goes to an address that refuses connections instead of `url`: a real connection failure
/// that the retries, the breaker and the spans see as they would see a dead peer.
public struct DownstreamClient: Peer {
    public let name: String
    public let url: String
    public let timeout: Duration
    public let retries: Int
    let http: HTTPClient
    public let breaker: CircuitBreaker
    let scenarios: ScenarioBoard?

    public init(peer: String, url: String, http: HTTPClient, timeout: Duration = .seconds(10),
                retries: Int = 2, breakerPolicy: CircuitBreaker.Policy = .original, scenarios: ScenarioBoard? = nil) {
        self.name = peer
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.http = http
        self.timeout = timeout
        self.retries = retries
        let base = self.url
        // While open, the breaker asks the peer's /health/live, so it takes calls again as soon as
        // the peer is back rather than after the whole open duration.
        self.breaker = CircuitBreaker(peer: peer, policy: breakerPolicy, probe: {
            await Self.isLive(at: Self.target(of: peer, url: base, scenarios: scenarios))
        })
        self.scenarios = scenarios
    }

    /// Where calls go right now: `url`, or a refusing address while this peer is cut off.
    var target: String { Self.target(of: name, url: url, scenarios: scenarios) }

    static func target(of peer: String, url: String, scenarios: ScenarioBoard?) -> String {
        scenarios?.peer(.downstreamUnreachable) == peer ? RefusingAddress.url : url
    }

    /// A body sent or received: bytes plus their media type.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
        public var contentType: String? { headers.first(name: "content-type") }

        /// The body as the fleet's JSON; a body that is not is the peer's `bad_response`.
        public func decode<Result: Decodable>(_ type: Result.Type, from peer: String) throws -> Result {
            do {
                return try JSONDecoder.fleet.decode(Result.self, from: Data(body))
            } catch {
                throw FleetError.downstream(.badResponse, peer: peer, "answered with JSON we cannot read: \(error)")
            }
        }
    }

    // MARK: JSON

    /// Posts `body` as the fleet's JSON and reads the fleet's JSON back.
    public func postJSON<Body: Encodable, Result: Decodable>(_ path: String, _ body: Body,
                                                             as: Result.Type = Result.self) async throws -> Result {
        let reply = try await send(.POST, path, body: Array(try JSONEncoder.fleet.encode(body)), contentType: MediaType.json)
        return try reply.decode(Result.self, from: name)
    }

    // MARK: Bytes

    /// Sends a request and returns the whole reply; throws a `FleetError` unless it is 2xx.
    public func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String? = nil,
                     headers extra: [(String, String)] = []) async throws -> Reply {
        try await traced(method, path) { span in
            var attempt = 0
            while true {
                do {
                    return try await attemptOnce(method, path, body: body, contentType: contentType, headers: extra)
                } catch let error as FleetError where attempt < retries && error.isRetryable {
                    attempt += 1
                    span?.attributes["fleet.peer.retries"] = attempt
                    MetricCatalog.httpClientRetries.increment(["peer_service": name])
                    try await Task.sleep(for: Self.backoff(attempt: attempt))
                }
            }
        }
    }

    /// The pause before retry `attempt` (1, 2, ...): 100 ms doubling, with full jitter (a random
    /// share of it), so callers that failed together do not all come back at the same instant.
    static func backoff(attempt: Int, using random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        let ceiling = 0.05 * Double(1 << min(attempt, 10))
        return .seconds(random(0...ceiling))
    }

    /// Opens a streaming request (server-sent events) and hands back the response as it arrives.
    /// The caller reads `body`; the breaker counts the call when the headers arrive.
    public func stream(_ path: String, json: [UInt8]) async throws -> HTTPClientResponse {
        try await traced(.POST, path) { _ in try await openStream(path, json: json) }
    }

    private func openStream(_ path: String, json: [UInt8]) async throws -> HTTPClientResponse {
        guard await breaker.allowsCall() else { throw circuitOpen }
        var request = HTTPClientRequest(url: target + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: MediaType.json)
        request.headers.add(name: "accept", value: MediaType.eventStream)
        request.body = .bytes(ByteBuffer(bytes: json))
        let start = ContinuousClock.now
        do {
            let response = try await execute(request)
            try await check(status: Int(response.status.code), body: response.status.code >= 300
                ? Array(try await response.body.collect(upTo: 64 * 1024).readableBytesView) : [], start: start)
            return response
        } catch let error as FleetError {
            throw error
        } catch {
            throw await failed(error, start: start)
        }
    }

    /// Whether the peer answers `/health/live` within a second; used by readiness checks, through
    /// the untraced probe client.
    public func isLive() async -> Bool { await Self.isLive(at: target) }

    static func isLive(at target: String) async -> Bool {
        var request = HTTPClientRequest(url: target + "/health/live")
        request.method = .GET
        guard let response = try? await HTTPClient.probes.execute(request, timeout: .seconds(1)) else { return false }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return response.status.code == 200
    }

    /// One attempt within `timeout`, however long it waits for a pooled connection.
    ///
    /// AsyncHTTPClient gives up on a request still queued for a connection after the connect
    /// timeout (`getConnectionFromPoolTimeout`), which is the fleet client's 1 s, meant for a dead
    /// peer. A full pool is this process's own queue, so the request goes back in the queue until
    /// the attempt's own deadline: the pool wait is bounded by the call's timeout, not the connect's.
    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let deadline = NIODeadline.now() + .init(timeout)
        while true {
            do {
                return try await http.execute(request, deadline: deadline)
            } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout && NIODeadline.now() < deadline {
                continue
            }
        }
    }

    private func attemptOnce(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?,
                             headers extra: [(String, String)]) async throws -> Reply {
        guard await breaker.allowsCall() else { throw circuitOpen }
        var request = HTTPClientRequest(url: target + path)
        request.method = method
        if let contentType { request.headers.add(name: "content-type", value: contentType) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        // The fleet's shared token, for peers' guarded endpoints (MutationGuard); none when unset.
        for (name, value) in FleetAPIToken.headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }

        let start = ContinuousClock.now
        do {
            let response = try await execute(request)
            let bytes = Array(try await response.body.collect(upTo: 32 * 1024 * 1024).readableBytesView)
            try await check(status: Int(response.status.code), body: bytes, start: start)
            return Reply(status: Int(response.status.code), headers: response.headers, body: bytes)
        } catch let error as FleetError {
            throw error
        } catch {
            throw await failed(error, start: start)
        }
    }

    /// Records the outcome of a reply that arrived; a non-2xx becomes a `FleetError`.
    private func check(status: Int, body: [UInt8], start: ContinuousClock.Instant) async throws {
        let elapsed = (ContinuousClock.now - start).seconds
        if (200..<300).contains(status) {
            await breaker.recordSuccess()
            MetricCatalog.httpClientDuration.observe(elapsed, ["peer_service": name, "outcome": "success"])
            return
        }
        MetricCatalog.httpClientDuration.observe(elapsed, ["peer_service": name, "outcome": "error"])
        // The peer answered; only its own failures (5xx) count against it.
        if status >= 500 { await breaker.recordFailure() } else { await breaker.recordSuccess() }
        let detail = (try? JSONDecoder.fleet.decode(FleetError.Body.self, from: Data(body)))
            .map { "\($0.error.code): \($0.error.message)" } ?? "HTTP \(status)"
        let code: FleetError.Code = status == 503 ? .unavailable : status == 504 ? .timeout : .badResponse
        throw FleetError.downstream(code, peer: name, "answered \(status) (\(detail))")
    }

    private func failed(_ error: any Error, start: ContinuousClock.Instant) async -> FleetError {
        // Only the peer's failures open its breaker, not this process's own waits and cancellations.
        if !Self.isLocal(error) { await breaker.recordFailure() }
        MetricCatalog.httpClientDuration.observe((ContinuousClock.now - start).seconds,
                                                 ["peer_service": name, "outcome": "error"])
        let timedOut = (error as? HTTPClientError) == .deadlineExceeded || (error as? HTTPClientError) == .readTimeout
        return FleetError.downstream(timedOut ? .timeout : .unavailable, peer: name, "\(error)")
    }

    /// Runs one logical call, its attempts included, in a span that ends with error status when the
    /// call fails. AsyncHTTPClient's own client span (one per attempt, a child of this one) records
    /// a refused or timed-out connection only as an exception event and leaves its status unset,
    /// and a call the open breaker refuses makes no HTTP span at all; without this span neither
    /// would show as an error in a trace. Spans go to the client's tracer; an untraced client
    /// (the probes') makes none.
    private func traced<Result>(_ method: HTTPMethod, _ path: String,
                                _ call: ((any Span)?) async throws -> Result) async throws -> Result {
        guard let tracer = http.tracer else { return try await call(nil) }
        return try await tracer.withSpan("call \(name)", ofKind: .internal) { span in
            span.attributes["peer.service"] = name
            span.attributes["http.request.method"] = method.rawValue
            span.attributes["url.path"] = String(path.prefix { $0 != "?" })
            do {
                return try await call(span)
            } catch {
                let fleetError = FleetError.from(error)
                span.attributes["error.type"] = fleetError.code.description
                span.setStatus(SpanStatus(code: .error, message: fleetError.message))
                throw error
            }
        }
    }

    /// Failures that happen in this process whatever the peer does: no free pooled connection in
    /// time, a caller that went away, a client shutting down.
    static func isLocal(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        guard let error = error as? HTTPClientError else { return false }
        return [.getConnectionFromPoolTimeout, .cancelled, .alreadyShutdown].contains(error)
    }

    private var circuitOpen: FleetError {
        FleetError.downstream(.circuitOpen, peer: name, "circuit breaker open after repeated failures; not calling it for now")
    }
}

extension FleetError {
    /// Transport failures, timeouts and a peer's 503/504 are worth one more try; anything else is not.
    var isRetryable: Bool { code.isRetryable }
}
