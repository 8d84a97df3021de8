public import AsyncHTTPClient
public import FleetTelemetry
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// What each of the nine services provides; everything else (config, telemetry, health, metrics,
/// errors, the server itself) comes from the kit, so every service reads the same way.
public protocol FleetService {
    /// The services this one calls, as FleetContracts protocols (`NoPeers` for none). The runner
    /// passes HTTP clients; a test passes in-memory fakes.
    associatedtype Peers: Sendable

    static var member: FleetMember { get }

    /// The service's OpenAPI 3.1 document (services/<name>/openapi.yaml, compiled in), served at
    /// /openapi.yaml: the contract its routes are tested against.
    static var openAPIDocument: [UInt8] { get }

    /// The peers over HTTP, at the URLs and with the timeouts the settings give.
    static func peers(runtime: ServiceRuntime) throws -> Peers

    /// Adds the service's routes to `routes` (already traced and measured), registers its health
    /// components and dependencies with `runtime.health`, and returns any background work to run
    /// beside the server (the voice bridge's simulated speakers, for example).
    static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                      peers: Peers) async throws -> [any Service]
}

extension FleetService where Peers == NoPeers {
    public static func peers(runtime: ServiceRuntime) -> NoPeers { NoPeers() }
}

/// Everything a service needs at build time, made once per process by the runner (or by a test).
public struct ServiceRuntime: Sendable {
    public let member: FleetMember
    public let settings: ServiceSettings
    public let logger: Logger
    public let http: HTTPClient
    public let health: HealthMonitor
    /// The fault scenarios in effect, kept current by the flag source the runner starts.
    public let scenarios: ScenarioBoard
    /// The flag file the scenario controls edit (SCENARIO_FLAGS_FILE). Natively the file source
    /// watches it; in compose testing-ui writes it and flagd serves it to every service.
    public var flagFile: FlagFile

    public init(member: FleetMember, settings: ServiceSettings, logger: Logger? = nil,
                http: HTTPClient = .fleet) {
        self.member = member
        self.settings = settings
        self.logger = logger ?? Logger(label: member.name)
        self.http = http
        self.health = HealthMonitor(service: member.name)
        self.scenarios = ScenarioBoard(service: member.name, seed: settings.seed)
        self.flagFile = FlagFile(path: ScenarioSettings.flagsFile(in: settings.reader))
    }

    /// A client for a peer service at its configured URL (cut off while `downstreamUnreachable` names it).
    public func client(for peer: FleetMember, timeout: Duration, retries: Int = 2) -> DownstreamClient {
        DownstreamClient(peer: peer.name, url: settings.peerURLs[peer] ?? peer.defaultURL, http: http,
                         timeout: timeout, retries: retries, scenarios: scenarios)
    }

    /// A seeded latency source for one stubbed model, scaled by LATENCY_SCALE.
    public func latency(_ model: LatencyModel, stream: String) -> LatencySource {
        LatencySource(model: model, seed: settings.seed, stream: "\(member.name)/\(stream)", scale: settings.latencyScale)
    }
}
