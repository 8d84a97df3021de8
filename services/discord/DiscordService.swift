public import FleetContracts
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// The Discord voice bridge. Discord itself is simulated: voice channels of speakers who talk in
/// real time as Opus frames, as many as PUT /voice/load asks for. Everything after the speakers' microphones is real: Opus decoding,
/// VAD segmentation, the HTTP calls through audio-processor, stt and the orchestrator, and the
/// paced playback of Atlas's reply into the channel.
public enum DiscordService: FleetService {
    public static let member = FleetMember.discord
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    /// The services a voice turn goes through, and the dashboard that hears how it went.
    public struct Peers: Sendable {
        public var audioProcessor: any AudioProcessing
        public var stt: any Transcriber
        public var orchestrator: any Orchestration
        /// The monitoring dashboard's live turn feed; nil reports turns nowhere.
        public var dashboard: (any TurnReporting)?

        public init(audioProcessor: any AudioProcessing, stt: any Transcriber, orchestrator: any Orchestration,
                    dashboard: (any TurnReporting)? = nil) {
            self.audioProcessor = audioProcessor
            self.stt = stt
            self.orchestrator = orchestrator
            self.dashboard = dashboard
        }
    }

    public static func peers(runtime: ServiceRuntime) throws -> Peers {
        let config = try DiscordConfig(settings: runtime.settings)
        return Peers(
            audioProcessor: AudioProcessingClient(runtime.client(for: .audioProcessor, timeout: config.audioProcessorTimeout)),
            stt: TranscriberClient(runtime.client(for: .stt, timeout: config.sttTimeout)),
            // A transcript is not idempotent (it lands in the conversation's history), so the
            // orchestrator is never retried; its own calls to the model and TTS take up to ~30 s each.
            orchestrator: OrchestrationClient(runtime.client(for: .orchestrator, timeout: config.orchestratorTimeout,
                                                             retries: 0)),
            // The dashboard's turn feed is optional: short timeout, no retries, not a readiness dependency.
            dashboard: TurnReportClient(runtime.client(for: .monitoringDashboard, timeout: config.dashboardTimeout,
                                                       retries: 0)))
    }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers: Peers) async throws -> [any Service] {
        let config = try DiscordConfig(settings: runtime.settings)
        let required: [any Peer] = [peers.audioProcessor, peers.stt, peers.orchestrator]
        for peer in required {
            await runtime.health.addDependency(peer, required: true)
        }

        let turns = TurnLog(capacity: config.turnHistory)
        let messages = ChannelLog()
        let clock = RealTimeClock()
        // Each speaker's turns play into their own channel's voice (TurnPipeline.speaking(in:)).
        let pipeline = TurnPipeline(
            audioProcessor: peers.audioProcessor, transcriber: peers.stt, orchestrator: peers.orchestrator,
            matcher: WakePhraseMatcher(phrases: config.wakePhrases, threshold: config.wakeThreshold),
            clock: clock, turns: turns, channel: messages, reporter: peers.dashboard, logger: runtime.logger,
            replyStreaming: config.replyStreaming)
        let logger = runtime.logger
        let orchestrator = peers.orchestrator
        // One wait for the whole fleet, however many speakers are waiting on it.
        let readiness = ReadinessGate { await waitUntilLive(orchestrator, within: config.startupTimeout, logger: logger) }
        let fleet = try await VoiceFleet.make(environment: SpeakerEnvironment(
            config: config, seed: runtime.settings.seed, clock: clock, pipeline: pipeline, roster: ChannelRoster(),
            turns: turns, scenarios: runtime.scenarios, untilFleetReady: { await readiness.wait() }, logger: logger))
        await runtime.health.addComponent("voice_channel") { await fleet.isOpen }

        DiscordController(fleet: fleet, config: config, mutationGuard: try MutationGuard(settings: runtime.settings))
            .addRoutes(to: routes)
        MCPController(fleet: fleet, messages: messages, orchestrator: peers.orchestrator,
                      discordAPI: runtime.latency(config.apiLatency, stream: "discord-api"))
            .addRoutes(to: routes)
        return [fleet]
    }

    /// Waits until `peer` answers /health/live, at most `seconds`, so the first turns of a fleet
    /// that is still starting do not fail for nothing.
    static func waitUntilLive(_ peer: any Peer, within seconds: Double, logger: Logger) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if await peer.isLive() {
                logger.info("peer is live; speakers may start", metadata: ["peer": "\(peer.name)"])
                return
            }
            // A tenth of a second: the check is one local GET, and the speakers (the fleet's first
            // words) wait on it.
            try? await Task.sleep(for: .milliseconds(100))
        }
        logger.warning("peer still not live; speakers start anyway", metadata: ["peer": "\(peer.name)", "waited_seconds": "\(seconds)"])
    }
}

/// Runs a wait once, however many callers are waiting on it (every speaker waits for the fleet
/// to come up before its first phrase). A waiter that is cancelled (its speaker left, the bridge
/// is closing) stops waiting at once; the wait itself runs on for the others.
actor ReadinessGate {
    private let body: @Sendable () async -> Void
    private var started = false
    private var ready = false

    init(_ body: @escaping @Sendable () async -> Void) {
        self.body = body
    }

    func wait() async {
        if !started {
            started = true
            Task { [body] in
                await body()
                self.markReady()
            }
        }
        while !ready, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func markReady() {
        ready = true
    }
}
