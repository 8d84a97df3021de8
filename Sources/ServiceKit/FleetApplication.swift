import FleetTelemetry
public import Hummingbird
import Logging
public import Prometheus
public import ServiceLifecycle

/// Builds a service's Hummingbird application in the fleet's one shape:
///
///     /health/live, /health/ready, /metrics,
///     /openapi.yaml                              measured, not traced (probes would drown the traces)
///     everything the service adds                 FleetTracingMiddleware -> FleetHTTPMiddleware -> handler
///     (OTLP ingestion, /v1/traces, /v1/metrics, /v1/logs, is measured but not traced: see FleetTracingMiddleware)
///
/// Tracing is outermost so the server span covers the whole request and sees the final status.
public enum FleetApplication {
    public struct Built {
        public let application: Application<RouterResponder<FleetRequestContext>>
        public let background: [any Service]
        /// Every route the router answers, for the test that holds them to the OpenAPI document.
        public let routes: [Router<FleetRequestContext>.RouteDescription]
    }

    /// The service with its peers over HTTP, as a process runs it.
    public static func build<S: FleetService>(_ service: S.Type, runtime: ServiceRuntime,
                                              registry: PrometheusCollectorRegistry) async throws -> Built {
        try await build(service, runtime: runtime, registry: registry, peers: try S.peers(runtime: runtime))
    }

    /// The service with the peers given: in-memory fakes in a test.
    public static func build<S: FleetService>(_ service: S.Type, runtime: ServiceRuntime,
                                              registry: PrometheusCollectorRegistry, peers: S.Peers) async throws -> Built {
        let router = Router(context: FleetRequestContext.self)
        let name = runtime.member.name
        let probes = router.group().add(middleware: FleetHTTPMiddleware(service: name))
        probes.get("/health/live") { _, _ in await runtime.health.liveness() }
        probes.get("/health/ready") { _, _ in
            let report = await runtime.health.readiness()
            return EditedResponse(status: report.isReady ? .ok : .serviceUnavailable, response: report)
        }
        probes.get("/metrics") { _, _ in
            BinaryBody(registry.emitToBuffer(), contentType: MediaType.prometheusText)
        }
        probes.get("/openapi.yaml") { _, _ in
            BinaryBody(service.openAPIDocument, contentType: MediaType.yaml)
        }

        let routes = router.group()
            .add(middleware: FleetTracingMiddleware())
            .add(middleware: FleetHTTPMiddleware(service: name))
        let background = try await service.build(routes: routes, runtime: runtime, peers: peers)

        // Slow and idle clients are timed out and connections capped (HTTPServerLimits); past the
        // cap, new connections wait in the listen backlog instead of taking descriptors.
        let limits = runtime.settings.httpServer
        let application = Application(
            router: router,
            server: .fleetHTTP1(limits),
            configuration: .init(address: .hostname(runtime.settings.host, port: runtime.settings.port),
                                 serverName: "audio-fleet/\(name)",
                                 availableConnectionsDelegate: .maximum(limits.maxConnections, logger: runtime.logger)),
            logger: runtime.logger)
        return Built(application: application, background: background, routes: router.routes)
    }
}
