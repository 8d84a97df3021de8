import FleetTelemetry
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs one service as a process: settings, telemetry, the application and its background work in
/// one ServiceGroup that shuts down gracefully on SIGTERM or SIGINT.
public enum ServiceRunner {
    /// The whole shutdown, final telemetry export included, ends within this plus the cancellation
    /// grace below — under 5 s even with no collector listening (export timeouts are 2 s by default;
    /// with a collector up the final export takes milliseconds).
    static let shutdownBudget: Duration = .milliseconds(3500)
    static let cancellationGrace: Duration = .milliseconds(500)

    public static func run<S: FleetService>(_ service: S.Type, overrides: [String: String] = [:]) async throws {
        let member = service.member
        // One reader for everything: the environment, a .env file and the command line, OTEL_* included.
        let settings = try await ServiceSettings.load(member: member, overrides: overrides)
        let telemetry = try await Telemetry.bootstrap(serviceName: member.name, reader: settings.reader)
        MetricCatalog.initializeSeries(for: member.name)
        // Only now may HTTP clients exist: they capture the tracer bootstrapped above.
        let runtime = ServiceRuntime(member: member, settings: settings)
        OTLPBlackhole.follow(runtime.scenarios, relays: telemetry.otlpRelays,
                             unavailable: telemetry.otlpBlackholeUnavailable, logger: runtime.logger)
        let built = try await FleetApplication.build(service, runtime: runtime, registry: telemetry.registry)
        // Keeps runtime.scenarios current: flagd over OFREP when FLAGD_HOST is set, else the flag file.
        let flags = try FlagSource.source(runtime: runtime)
        // Keeps the readiness gauges current when nobody probes /health/ready (READINESS_REFRESH_INTERVAL).
        let readiness = try ReadinessRefresher(health: runtime.health, reader: settings.reader)

        runtime.logger.info("starting", metadata: [
            "address": "\(settings.host):\(settings.port)",
            "otlp_export": "\(telemetry.configuration.exportEnabled)",
            "service.instance.id": "\(telemetry.configuration.serviceInstanceID)",
        ])
        // Services stop in reverse order: the server first, then background work, telemetry last
        // so the final spans of in-flight requests are exported.
        var configuration = ServiceGroupConfiguration(
            services: telemetry.services + [ProcessMetricsService(), flags, readiness] + built.background + [built.application],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: runtime.logger)
        configuration.maximumGracefulShutdownDuration = shutdownBudget
        configuration.maximumCancellationDuration = cancellationGrace
        try await ServiceGroup(configuration: configuration).run()
    }
}
