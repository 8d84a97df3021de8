public import FleetContracts
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// testing-ui: type a sentence (or upload or record one), hear it spoken, and watch it go through
/// the real fleet — audio processing, speech recognition, guardrails, the LLM and TTS — to a spoken
/// reply, with each run kept in a history (the original was a Gradio pipeline tester).
public enum TestingUIService: FleetService {
    public static let member = FleetMember.testingUI
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    /// The three services a run goes through (the orchestrator calls the rest), and the voice
    /// bridge, whose speaker count the page's load control sets.
    public struct Peers: Sendable {
        public var audioProcessor: any AudioProcessing
        public var stt: any Transcriber
        public var orchestrator: any Orchestration
        public var voiceLoad: any LoadControl

        public init(audioProcessor: any AudioProcessing, stt: any Transcriber, orchestrator: any Orchestration,
                    voiceLoad: any LoadControl) {
            self.audioProcessor = audioProcessor
            self.stt = stt
            self.orchestrator = orchestrator
            self.voiceLoad = voiceLoad
        }
    }

    public static func peers(runtime: ServiceRuntime) throws -> Peers {
        let config = try TestingUIConfig(settings: runtime.settings)
        return Peers(
            audioProcessor: AudioProcessingClient(runtime.client(for: .audioProcessor, timeout: config.peerTimeout)),
            stt: TranscriberClient(runtime.client(for: .stt, timeout: config.peerTimeout)),
            // No retries: a repeated /mcp/transcript would add the turn to the conversation twice.
            orchestrator: OrchestrationClient(runtime.client(for: .orchestrator, timeout: config.peerTimeout, retries: 0)),
            // A load change is a person waiting on a button: answer or fail within seconds.
            voiceLoad: LoadControlClient(runtime.client(for: .discord, timeout: .seconds(5), retries: 1)))
    }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers: Peers) async throws -> [any Service] {
        let config = try TestingUIConfig(settings: runtime.settings)
        let required: [any Peer] = [peers.audioProcessor, peers.stt, peers.orchestrator]
        for peer in required {
            await runtime.health.addDependency(peer, required: true)
        }
        // Runs do not need the bridge; only the load control does, and it says so when it fails.
        await runtime.health.addDependency(peers.voiceLoad, required: false)
        let history = openHistory(config, runtime: runtime)
        if !history.isInMemory {
            await runtime.health.addComponent("sqlite") { await history.isHealthy() }
        }
        let runner = PipelineRunner(audio: peers.audioProcessor, transcriber: peers.stt, orchestrator: peers.orchestrator)
        TestingUIController(runner: runner, history: history, config: config, logger: runtime.logger).addRoutes(to: routes)
        RunHistoryController(history: history, config: config).addRoutes(to: routes)
        let mutationGuard = try MutationGuard(settings: runtime.settings)
        LoadController(bridge: peers.voiceLoad, mutationGuard: mutationGuard).addRoutes(to: routes)
        ScenarioController(flagFile: runtime.flagFile, board: runtime.scenarios, source: try flagSource(runtime),
                           mutationGuard: mutationGuard)
            .addRoutes(to: routes)
        return []
    }

    /// The run history in DATA_DIR; when the file cannot be opened (corrupt, unwritable), one in
    /// memory, with an error in the log, so a broken history never stops the runs.
    static func openHistory(_ config: TestingUIConfig, runtime: ServiceRuntime) -> RunHistory {
        do {
            let history = try RunHistory(directory: config.dataDirectory, keep: config.historyLimit)
            runtime.logger.info("run history in SQLite", metadata: ["path": "\(history.location)"])
            return history
        } catch {
            let path = "\(config.dataDirectory)/\(RunHistory.fileName)"
            runtime.logger.error("the run history file cannot be opened; keeping the history in memory until restart",
                                 metadata: ["path": "\(path)", "error": "\(error)"])
            // An in-memory SQLite database needs no disk; it fails only if SQLite itself cannot start.
            return try! RunHistory(inMemoryKeeping: config.historyLimit)
        }
    }

    /// Where this process reads its flags: flagd over OFREP when FLAGD_HOST is set (and flagd
    /// serves the file the controls write), else the flag file itself.
    static func flagSource(_ runtime: ServiceRuntime) throws -> String {
        let settings = try ScenarioSettings(reader: runtime.settings.reader)
        return settings.ofrepBaseURL.map { "OFREP \($0)" } ?? runtime.flagFile.path
    }
}
