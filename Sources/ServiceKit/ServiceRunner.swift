import Configuration
import FleetTelemetry
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs one service as a process: settings, telemetry, the application and its background work in
/// one ServiceGroup that shuts down gracefully on SIGTERM or SIGINT.
public enum ServiceRunner {
    /// The whole shutdown, final telemetry export included, ends within this plus the cancellation
    /// grace below. An idle service takes well under a second (with no collector listening, up to
    /// the 2 s export timeout); the budget is what in-flight work may use to drain: Hummingbird's
    /// graceful shutdown stops accepting connections and lets the requests in flight complete
    /// (each HTTP/1 connection closes after its current response), and the discord bridge lets its
    /// speakers' turns finish (`VoiceFleet.drainBudget`, 6 s), with the rest left for the export.
    static let shutdownBudget: Duration = .seconds(9)
    static let cancellationGrace: Duration = .milliseconds(500)

    /// How many times `audio-fleet up` restarted this service before this process (AUDIO_FLEET_RESTARTS).
    static var supervisedRestarts: Int {
        ProcessInfo.processInfo.environment["AUDIO_FLEET_RESTARTS"].flatMap(Int.init).map { max(0, $0) } ?? 0
    }

    public static func run<S: FleetService>(_ service: S.Type, overrides: [String: String] = [:]) async throws {
        let member = service.member
        // Before the first audio buffer is allocated and before more threads meet in malloc
        // (HeapTuning says why).
        let heapTuned = HeapTuning.keepLargeBuffersOutOfArenas() && HeapTuning.limitArenas()
        // One reader for everything: the environment, a .env file and the command line, OTEL_* included.
        let settings = try await ServiceSettings.load(member: member, overrides: overrides)
        // Before telemetry and the servers make their threads, which then inherit it.
        // At 0 there is nothing to do, and the bridge keeps a thread of its own lower (SpeakerClients).
        let nice = try CPUPriority.configuredNice(for: member, raw: settings.reader.string(forKey: "service.nice"))
        let niced = nice == 0 || CPUPriority.apply(nice)
        let priority: [any Service] = nice == 0 ? [] : [CPUPriority.Keeper(nice: nice)]
        // Sent by this process's peer calls and embedded in its pages (MutationGuard checks it).
        FleetAPIToken.adopt(from: settings)
        let telemetry = try await Telemetry.bootstrap(serviceName: member.name, reader: settings.reader)
        MetricCatalog.initializeSeries(for: member.name)
        MetricCatalog.serviceRestarts.increment(by: Double(supervisedRestarts))
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
            "heap_tuned": "\(heapTuned)",
            "nice": "\(niced ? nice : CPUPriority.current)",
        ])
        // Services stop in reverse order: the server first, then background work, telemetry last
        // so the final spans of in-flight requests are exported.
        var configuration = ServiceGroupConfiguration(
            services: telemetry.services + [ProcessMetricsService(), HeapTrimService(), flags, readiness] + priority + built.background + [built.application],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: runtime.logger)
        configuration.maximumGracefulShutdownDuration = shutdownBudget
        configuration.maximumCancellationDuration = cancellationGrace
        try await ServiceGroup(configuration: configuration).run()
    }
}
