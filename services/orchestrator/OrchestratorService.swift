import FleetContracts
import Hummingbird
import ServiceKit
import ServiceLifecycle

/// orchestrator: turns a transcript into Atlas's reply — guardrails, the language model, the
/// guardrails again, speech synthesis — and remembers each session's conversation in SQLite.
public enum OrchestratorService: FleetService {
    public static let member = FleetMember.orchestrator

    public static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        let config = try OrchestratorConfig(settings: runtime.settings)

        // Guardrails answer in milliseconds, so a short timeout and the usual retries. A model call
        // that timed out after 30 s is not worth repeating while a user waits: one retry, for
        // connection failures and 503s mostly.
        let guardrailsPeer = runtime.client(for: .guardrails, timeout: config.guardrailsTimeout, retries: 2)
        let llmPeer = runtime.client(for: .llm, timeout: config.llmTimeout, retries: 1)
        let ttsPeer = runtime.client(for: .tts, timeout: config.ttsTimeout, retries: 1)
        for peer in [guardrailsPeer, llmPeer, ttsPeer] {
            await runtime.health.addDependency(peer, required: true)
        }

        let store = try makeStore(config, runtime: runtime)
        await runtime.health.addComponent(store.kind) { await store.isHealthy() }

        let orchestrator = TurnOrchestrator(
            guardrails: GuardrailsClient(guardrailsPeer),
            languageModel: LanguageModelClient(llmPeer, model: config.model),
            speech: SpeechSynthesisClient(ttsPeer),
            store: store, config: config,
            agent: runtime.latency(config.agentLatency, stream: "agent"),
            logger: runtime.logger)
        await orchestrator.updateSessionGauge()

        let connections = [guardrailsPeer, llmPeer, ttsPeer].map { PeerConnection($0, required: true) }
        OrchestratorController(orchestrator: orchestrator, connections: connections).addRoutes(to: routes)
        return []
    }

    /// SQLite in DATA_DIR unless ORCHESTRATOR_STORE=memory.
    static func makeStore(_ config: OrchestratorConfig, runtime: ServiceRuntime) throws -> any ConversationStore {
        switch config.store {
        case .sqlite:
            let store = try SQLiteConversationStore(directory: runtime.settings.dataDirectory,
                                                    maxMessagesPerSession: config.maxMessagesPerSession)
            runtime.logger.info("conversation memory in SQLite", metadata: ["path": "\(store.path)"])
            return store
        case .memory:
            runtime.logger.notice("conversation memory in process memory only; it is lost on restart")
            return InMemoryConversationStore(maxMessagesPerSession: config.maxMessagesPerSession)
        }
    }
}
