public import FleetContracts
public import FleetTelemetry
public import Hummingbird
import Logging
public import ServiceKit
public import ServiceLifecycle

/// orchestrator: turns a transcript into Atlas's reply — guardrails, the language model, the
/// guardrails again, speech synthesis — and remembers each session's conversation in SQLite (or in
/// PostgreSQL, shared by several replicas: docs/operations/conversation-store.md).
public enum OrchestratorService: FleetService {
    public static let member = FleetMember.orchestrator
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    /// The three services a turn calls: HTTP clients when the process runs, fakes in a test.
    public struct Peers: Sendable {
        public var guardrails: any Guardrails
        public var languageModel: any LanguageModel
        public var speech: any SpeechSynthesis

        public init(guardrails: any Guardrails, languageModel: any LanguageModel, speech: any SpeechSynthesis) {
            self.guardrails = guardrails
            self.languageModel = languageModel
            self.speech = speech
        }
    }

    public static func peers(runtime: ServiceRuntime) throws -> Peers {
        let config = try OrchestratorConfig(settings: runtime.settings)
        // Guardrails answer in milliseconds, so a short timeout and the usual retries. A model call
        // that timed out after 30 s is not worth repeating while a user waits: one retry, for
        // connection failures and 503s mostly.
        return Peers(
            guardrails: GuardrailsClient(runtime.client(for: .guardrails, timeout: config.guardrailsTimeout, retries: 2)),
            languageModel: LanguageModelClient(runtime.client(for: .llm, timeout: config.llmTimeout, retries: 1),
                                               model: config.model),
            speech: SpeechSynthesisClient(runtime.client(for: .tts, timeout: config.ttsTimeout, retries: 1)))
    }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers: Peers) async throws -> [any Service] {
        let config = try OrchestratorConfig(settings: runtime.settings)
        for connection in peers.connections {
            await runtime.health.addDependency(connection.peer, required: connection.required)
        }

        let store = try await makeStore(config, runtime: runtime)
        await runtime.health.addComponent(store.kind) { await store.isHealthy() }

        let orchestrator = TurnOrchestrator(peers: peers, store: store, config: config,
                                            agent: runtime.latency(config.agentLatency, stream: "agent"),
                                            logger: runtime.logger)
        await orchestrator.updateSessionGauge()
        OrchestratorController(orchestrator: orchestrator, mutationGuard: try MutationGuard(settings: runtime.settings))
            .addRoutes(to: routes)
        // The PostgreSQL store's connection pool closes after the server has drained (services stop
        // in reverse order, the server first).
        return (store as? PostgresConversationStore).map { [$0] } ?? []
    }

    /// SQLite in DATA_DIR unless ORCHESTRATOR_STORE says memory or postgres. The PostgreSQL store is
    /// migrated before the service starts; a database that does not answer within
    /// `PostgresConversationStore.startupTimeout` stops start-up.
    static func makeStore(_ config: OrchestratorConfig, runtime: ServiceRuntime) async throws -> any ConversationStore {
        switch config.store {
        case .sqlite:
            let store = try SQLiteConversationStore(directory: runtime.settings.dataDirectory,
                                                    maxMessagesPerSession: config.maxMessagesPerSession)
            runtime.logger.info("conversation memory in SQLite", metadata: ["path": "\(store.path)"])
            return store
        case .memory:
            runtime.logger.notice("conversation memory in process memory only; it is lost on restart")
            return InMemoryConversationStore(maxMessagesPerSession: config.maxMessagesPerSession)
        case .postgres:
            // OrchestratorConfig refuses postgres without a URL.
            guard let url = config.databaseURL else {
                throw SettingsError(variable: "ORCHESTRATOR_DATABASE_URL", value: "", expected: DatabaseURL.expected)
            }
            let store = try await PostgresConversationStore(url: url, maxMessagesPerSession: config.maxMessagesPerSession,
                                                            logger: runtime.logger)
            runtime.logger.info("conversation memory in PostgreSQL", metadata: ["database": "\(url)"])
            return store
        }
    }
}
