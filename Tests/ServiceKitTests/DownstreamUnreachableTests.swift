import AsyncHTTPClient
import CoreMetrics
import FleetTelemetry
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import NIOHTTP1
import Prometheus
import ServiceKit
import Testing
import Tracing

@Suite("downstreamUnreachable scenario")
struct DownstreamUnreachableTests {
    static let breakerState = #"circuit_breaker_state{peer_service="guardrails"}"#

    @Test("a peer the flag names refuses connections: calls fail as unavailable, its readiness falls, others are untouched")
    func runtimeClientsFollowTheFlag() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await Self.withLivePeer { url in
                try await Self.withHTTPClient(tracer: InMemoryTracer()) { http in
                    let settings = try ServiceSettings.forTesting(member: .orchestrator, environment: [
                        FleetMember.guardrails.urlVariable: url, FleetMember.llm.urlVariable: url,
                    ])
                    let runtime = ServiceRuntime(member: .orchestrator, settings: settings, http: http)
                    let guardrails = runtime.client(for: .guardrails, timeout: .seconds(2))
                    let llm = runtime.client(for: .llm, timeout: .seconds(2))
                    #expect(try await guardrails.send(.POST, "/validate/input").status == 200)

                    runtime.scenarios.set(.downstreamUnreachable, to: .string("guardrails"))
                    let error = await #expect(throws: FleetError.self) { try await guardrails.send(.POST, "/validate/input") }
                    #expect(error?.code == .unavailable)
                    #expect(await guardrails.isLive() == false)
                    #expect(await llm.isLive(), "only the peer the flag names is cut off")
                    #expect(try await llm.send(.POST, "/validate/input").status == 200)

                    let health = HealthMonitor(service: "orchestrator")
                    await health.addDependency(guardrails, required: true)
                    let report = await health.readiness()
                    #expect(report.dependencies["guardrails"]?.status == "unreachable")
                    #expect(!report.isReady)
                    #expect(registry.value(of: #"service_dependency_health{dependency="guardrails"}"#) == 0)
                }
            }
        }
    }

    @Test("the breaker opens, the caller's spans carry error status, and calls succeed again after off")
    func breakerOpensAndRecovers() async throws {
        let registry = PrometheusCollectorRegistry()
        let tracer = InMemoryTracer()
        let board = ScenarioBoard(service: "orchestrator")
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await Self.withLivePeer { url in
                try await Self.withHTTPClient(tracer: tracer) { http in
                    // Open for 10 s: no pause of a loaded test run lets it half-open between the call
                    // that opens it and the call that must find it open.
                    let policy = CircuitBreaker.Policy(failureThreshold: 5, successThreshold: 2, openDuration: .seconds(10))
                    let client = DownstreamClient(peer: "guardrails", url: url, http: http, timeout: .seconds(2), retries: 2,
                                                  breakerPolicy: policy, scenarios: board)
                    #expect(try await Self.request(client).status == 200)
                    #expect(registry.value(of: Self.breakerState) == 0)
                    tracer.clearAll()

                    board.set(.downstreamUnreachable, to: .string("guardrails"))
                    var codes: [FleetError.Code] = []
                    for _ in 0..<3 {
                        do { _ = try await Self.request(client) } catch let error as FleetError { codes.append(error.code) }
                    }
                    // Three refused attempts, then two more open the breaker, which refuses the rest.
                    #expect(codes == [.unavailable, .circuitOpen, .circuitOpen])
                    #expect(registry.value(of: Self.breakerState) == 2, "circuit_breaker_state shows open")
                    try Self.expectFailedCallSpans(tracer.finishedSpans, calls: 3, refusedAttempts: 5)

                    board.set(.downstreamUnreachable, to: nil)
                    // Open for 10 s; then trial calls go through, and two successes close it.
                    let recovered = try await poll(within: .seconds(10) + effectDeadline, every: .milliseconds(200)) {
                        try? await Self.request(client)
                    }
                    #expect(recovered?.status == 200)
                    #expect(registry.value(of: Self.breakerState) == 1, "one success leaves it half-open")
                    #expect(try await Self.request(client).status == 200)
                    #expect(await client.breaker.state == .closed(failures: 0))
                    #expect(registry.value(of: Self.breakerState) == 0)
                }
            }
        }
    }

    @Sendable static func request(_ client: DownstreamClient) async throws -> DownstreamClient.Reply {
        try await client.send(.POST, "/validate/input")
    }

    /// Each failed call's span has error status and its error type; the refused attempts are
    /// AsyncHTTPClient's client spans under them, each with the connection error recorded.
    static func expectFailedCallSpans(_ spans: [FinishedInMemorySpan], calls: Int, refusedAttempts: Int) throws {
        let callSpans = spans.filter { $0.operationName == "call guardrails" }
        #expect(callSpans.count == calls)
        for span in callSpans {
            #expect(span.status?.code == .error, "\(span.operationName) has status \(String(describing: span.status))")
        }
        #expect(callSpans.map { $0.attributes.get("error.type") } == [.string("unavailable"), .string("circuit_open"), .string("circuit_open")])
        let attempts = spans.filter { $0.kind == .client }
        #expect(attempts.count == refusedAttempts)
        let callIDs = Set(callSpans.map(\.spanID))
        for attempt in attempts {
            #expect(!attempt.errors.isEmpty, "a refused attempt records its connection error")
            #expect(attempt.parentSpanID.map(callIDs.contains) == true, "an attempt's span is a child of its call's")
        }
    }

    /// A live stand-in for guardrails on an ephemeral port.
    static func withLivePeer(_ body: @Sendable @escaping (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/health/live") { _, _ in "alive" }
        router.post("/validate/input") { _, _ in "{}" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(try #require(client.port))") }
    }

    /// A client configured as `HTTPClient.fleet` is (fail fast on a refused connection), tracing
    /// into `tracer` instead of the global tracer.
    static func withHTTPClient(tracer: InMemoryTracer, _ body: (HTTPClient) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tracing.tracer = tracer
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await body(http)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
