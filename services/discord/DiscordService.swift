import FleetContracts
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// The Discord voice bridge. Discord itself is simulated: a voice channel of speakers who talk in
/// real time as Opus frames. Everything after the speakers' microphones is real: Opus decoding,
/// VAD segmentation, the HTTP calls through audio-processor, stt and the orchestrator, and the
/// paced playback of Atlas's reply into the channel.
public enum DiscordService: FleetService {
    public static let member = FleetMember.discord

    public static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        let config = try DiscordConfig(settings: runtime.settings)

        let audioProcessor = runtime.client(for: .audioProcessor, timeout: .seconds(10))
        let stt = runtime.client(for: .stt, timeout: .seconds(30))
        // A transcript is not idempotent (it lands in the conversation's history), so the
        // orchestrator is never retried; its own calls to the model and TTS take up to ~30 s each.
        let orchestrator = runtime.client(for: .orchestrator, timeout: .seconds(75), retries: 0)
        for peer in [audioProcessor, stt, orchestrator] {
            await runtime.health.addDependency(peer, required: true)
        }

        let turns = TurnLog(capacity: config.turnHistory)
        let messages = ChannelLog()
        let voiceOutput = try ChannelVoiceOutput()
        let clock = RealTimeClock()
        let orchestration = OrchestrationClient(orchestrator)
        // The dashboard's turn feed is optional: short timeout, no retries, not a readiness dependency.
        let dashboard = TurnReportClient(runtime.client(for: .monitoringDashboard, timeout: .seconds(2), retries: 0))
        let pipeline = TurnPipeline(
            audioProcessor: AudioProcessingClient(audioProcessor), transcriber: TranscriberClient(stt),
            orchestrator: orchestration,
            matcher: WakePhraseMatcher(phrases: config.wakePhrases, threshold: config.wakeThreshold),
            clock: clock, sink: voiceOutput, turns: turns, channel: messages, reporter: dashboard,
            logger: runtime.logger)
        let logger = runtime.logger
        let channel = VoiceChannel(
            config: config, seed: runtime.settings.seed, clock: clock, pipeline: pipeline, turns: turns,
            untilFleetReady: { await waitUntilLive(orchestrator, within: config.startupTimeout, logger: logger) },
            logger: logger)
        await runtime.health.addComponent("voice_channel") { await channel.roster.running }

        DiscordController(channel: channel, messages: messages, orchestrator: orchestration, voiceOutput: voiceOutput,
                          discordAPI: runtime.latency(config.apiLatency, stream: "discord-api"), config: config)
            .addRoutes(to: routes)
        return [channel]
    }

    /// Waits until `peer` answers /health/live, at most `seconds`, so the first turns of a fleet
    /// that is still starting do not fail for nothing.
    static func waitUntilLive(_ peer: DownstreamClient, within seconds: Double, logger: Logger) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if await peer.isLive() {
                logger.info("peer is live; speakers may start", metadata: ["peer": "\(peer.peer)"])
                return
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        logger.warning("peer still not live; speakers start anyway", metadata: ["peer": "\(peer.peer)", "waited_seconds": "\(seconds)"])
    }
}
