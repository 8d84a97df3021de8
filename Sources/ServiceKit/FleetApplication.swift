import FleetTelemetry
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Builds a service's Hummingbird application in the fleet's one shape:
///
///     /health/live, /health/ready, /metrics      measured, not traced (probes would drown the traces)
///     everything the service adds                 TracingMiddleware -> FleetHTTPMiddleware -> handler
///
/// Tracing is outermost so the server span covers the whole request and sees the final status.
public enum FleetApplication {
    public struct Built {
        public let application: Application<RouterResponder<BasicRequestContext>>
        public let background: [any Service]
    }

    public static func build(_ service: any FleetService.Type, runtime: ServiceRuntime,
                             registry: PrometheusCollectorRegistry) async throws -> Built {
        let router = Router(context: BasicRequestContext.self)
        let name = runtime.member.name
        let probes = router.group().add(middleware: FleetHTTPMiddleware(service: name))
        probes.get("/health/live") { _, _ in try Response.json(await runtime.health.liveness()) }
        probes.get("/health/ready") { _, _ in
            let report = await runtime.health.readiness()
            return try Response.json(report, status: report.isReady ? .ok : .serviceUnavailable)
        }
        probes.get("/metrics") { _, _ in
            Response.bytes(registry.emitToBuffer(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }

        let routes = router.group()
            .add(middleware: TracingMiddleware())
            .add(middleware: FleetHTTPMiddleware(service: name))
        let background = try await service.build(routes: routes, runtime: runtime)

        let application = Application(
            router: router,
            configuration: .init(address: .hostname(runtime.settings.host, port: runtime.settings.port),
                                 serverName: "audio-fleet/\(name)"),
            logger: runtime.logger)
        return Built(application: application, background: background)
    }
}
