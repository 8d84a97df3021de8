public import FleetContracts
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// The Discord voice bridge. Discord itself is simulated: a voice channel of speakers who talk in
/// real time as Opus frames. Everything after the speakers' microphones is real: Opus decoding,
/// VAD segmentation, the HTTP calls through audio-processor, stt and the orchestrator, and the
/// paced playback of Atlas's reply into the channel.
public enum DiscordService: FleetService {
    public static let member = FleetMember.discord

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
        let voiceOutput = try ChannelVoiceOutput()
        let clock = RealTimeClock()
        let pipeline = TurnPipeline(
            audioProcessor: peers.audioProcessor, transcriber: peers.stt, orchestrator: peers.orchestrator,
            matcher: WakePhraseMatcher(phrases: config.wakePhrases, threshold: config.wakeThreshold),
            clock: clock, sink: voiceOutput, turns: turns, channel: messages, reporter: peers.dashboard,
            logger: runtime.logger)
        let logger = runtime.logger
        let orchestrator = peers.orchestrator
        let channel = VoiceChannel(
            config: config, seed: runtime.settings.seed, clock: clock, pipeline: pipeline, turns: turns,
            untilFleetReady: { await waitUntilLive(orchestrator, within: config.startupTimeout, logger: logger) },
            logger: logger)
        await runtime.health.addComponent("voice_channel") { await channel.roster.running }

        DiscordController(channel: channel, voiceOutput: voiceOutput, config: config).addRoutes(to: routes)
        MCPController(channel: channel, messages: messages, orchestrator: peers.orchestrator,
                      discordAPI: runtime.latency(config.apiLatency, stream: "discord-api"))
            .addRoutes(to: routes)
        return [channel]
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
            try? await Task.sleep(for: .milliseconds(500))
        }
        logger.warning("peer still not live; speakers start anyway", metadata: ["peer": "\(peer.name)", "waited_seconds": "\(seconds)"])
    }
}
