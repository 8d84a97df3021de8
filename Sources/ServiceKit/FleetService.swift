import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceLifecycle

/// What each of the nine services provides; everything else (config, telemetry, health, metrics,
/// errors, the server itself) comes from the kit, so every service reads the same way.
public protocol FleetService {
    static var member: FleetMember { get }

    /// Adds the service's routes to `routes` (already traced and measured), registers its health
    /// components and dependencies with `runtime.health`, and returns any background work to run
    /// beside the server (the voice bridge's simulated speakers, for example).
    static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service]
}

/// Everything a service needs at build time, made once per process by the runner (or by a test).
public struct ServiceRuntime: Sendable {
    public let member: FleetMember
    public let settings: ServiceSettings
    public let logger: Logger
    public let http: HTTPClient
    public let health: HealthMonitor

    public init(member: FleetMember, settings: ServiceSettings, logger: Logger? = nil,
                http: HTTPClient = .fleet) {
        self.member = member
        self.settings = settings
        self.logger = logger ?? Logger(label: member.name)
        self.http = http
        self.health = HealthMonitor(service: member.name)
    }

    /// A client for a peer service at its configured URL.
    public func client(for peer: FleetMember, timeout: Duration = .seconds(10), retries: Int = 2) -> DownstreamClient {
        DownstreamClient(peer: peer.name, baseURL: settings.peerURLs[peer] ?? peer.defaultURL, http: http,
                         timeout: timeout, retries: retries)
    }

    /// A seeded latency source for one stubbed model, scaled by LATENCY_SCALE.
    public func latency(_ model: LatencyModel, stream: String) -> LatencySource {
        LatencySource(model: model, seed: settings.seed, stream: "\(member.name)/\(stream)", scale: settings.latencyScale)
    }
}
