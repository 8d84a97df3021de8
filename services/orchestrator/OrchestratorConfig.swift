import Configuration
import Foundation
public import ServiceKit

/// The orchestrator's own settings. Each key maps to an environment variable
/// (`orchestrator.history.turns` is ORCHESTRATOR_HISTORY_TURNS); a malformed value stops start-up.
public struct OrchestratorConfig: Sendable, Equatable {
    /// ORCHESTRATOR_HISTORY_TURNS (6): earlier turns of the session sent to the model with each transcript.
    public var historyTurns: Int
    /// ORCHESTRATOR_MAX_TOKENS (120): the model's reply budget; a spoken answer should be short.
    public var maxTokens: Int
    /// ORCHESTRATOR_MAX_MESSAGES_PER_SESSION (200): messages kept per session; older turns are pruned.
    public var maxMessagesPerSession: Int
    /// ORCHESTRATOR_STORE (sqlite): `sqlite` keeps conversations in `<DATA_DIR>/orchestrator.sqlite`,
    /// `memory` keeps them in the process only (lost on restart), `postgres` in the PostgreSQL
    /// database at ORCHESTRATOR_DATABASE_URL, which several replicas may share.
    public var store: StoreKind
    /// ORCHESTRATOR_DATABASE_URL: `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|require|verify-full`,
    /// required with ORCHESTRATOR_STORE=postgres; PGPASSWORD supplies a password the URL lacks.
    public var databaseURL: DatabaseURL?
    /// ORCHESTRATOR_LLM_MODEL (flan-t5-large): the model asked for in each chat completion; llm-flan serves this one.
    public var model: String
    /// ORCHESTRATOR_SYSTEM_PROMPT: who Atlas is; the default asks for short, speakable answers.
    public var systemPrompt: String
    /// ORCHESTRATOR_GUARDRAILS_TIMEOUT (5 s), ORCHESTRATOR_LLM_TIMEOUT (30 s), ORCHESTRATOR_TTS_TIMEOUT (30 s):
    /// per-attempt timeouts of the calls to each peer.
    public var guardrailsTimeout: Duration
    public var llmTimeout: Duration
    public var ttsTimeout: Duration
    /// ORCHESTRATOR_AGENT_LATENCY_MEDIAN (0.012 s), _P99 (0.06 s), _PER_MESSAGE (0.0008 s): the original's
    /// LangChain agent spent this long choosing tools and assembling the prompt before each model call.
    public var agentLatency: LatencyModel

    public enum StoreKind: String, Sendable, Equatable {
        case sqlite, memory, postgres
    }

    public static let defaultSystemPrompt = """
        You are Atlas, a helpful voice assistant in a Discord voice channel. Your answers are read aloud, \
        so reply in one or two short, friendly sentences of plain speech: no lists, markdown, links or emoji. \
        If you do not know something, say so briefly.
        """

    public init(historyTurns: Int = 6, maxTokens: Int = 120, maxMessagesPerSession: Int = 200,
                store: StoreKind = .sqlite, databaseURL: DatabaseURL? = nil, model: String = "flan-t5-large",
                systemPrompt: String = OrchestratorConfig.defaultSystemPrompt,
                guardrailsTimeout: Duration = .seconds(5), llmTimeout: Duration = .seconds(30),
                ttsTimeout: Duration = .seconds(30),
                agentLatency: LatencyModel = LatencyProfile.default.orchestratorAgent) {
        self.historyTurns = historyTurns
        self.maxTokens = maxTokens
        self.maxMessagesPerSession = maxMessagesPerSession
        self.store = store
        self.databaseURL = databaseURL
        self.model = model
        self.systemPrompt = systemPrompt
        self.guardrailsTimeout = guardrailsTimeout
        self.llmTimeout = llmTimeout
        self.ttsTimeout = ttsTimeout
        self.agentLatency = agentLatency
    }

    public init(settings: ServiceSettings) throws {
        let reader = settings.reader
        let defaults = OrchestratorConfig()
        historyTurns = try reader.parsed("orchestrator.history.turns", default: defaults.historyTurns) {
            Int($0).flatMap { (0...100).contains($0) ? $0 : nil }
        }
        maxTokens = try reader.parsed("orchestrator.max.tokens", default: defaults.maxTokens) {
            Int($0).flatMap { (1...4096).contains($0) ? $0 : nil }
        }
        maxMessagesPerSession = try reader.parsed("orchestrator.max.messages.per.session",
                                                  default: defaults.maxMessagesPerSession) {
            Int($0).flatMap { $0 >= 2 ? $0 : nil }
        }
        store = try reader.parsed("orchestrator.store", default: defaults.store) { StoreKind(rawValue: $0.lowercased()) }
        databaseURL = try Self.databaseURL(reader.string(forKey: "orchestrator.database.url"),
                                           password: reader.string(forKey: "pgpassword"), store: store)
        model = try reader.parsed("orchestrator.llm.model", default: defaults.model) { $0.isEmpty ? nil : $0 }
        systemPrompt = try reader.parsed("orchestrator.system.prompt", default: defaults.systemPrompt) {
            $0.isEmpty ? nil : $0
        }
        guardrailsTimeout = try Self.seconds(settings, "orchestrator.guardrails.timeout", defaults.guardrailsTimeout)
        llmTimeout = try Self.seconds(settings, "orchestrator.llm.timeout", defaults.llmTimeout)
        ttsTimeout = try Self.seconds(settings, "orchestrator.tts.timeout", defaults.ttsTimeout)

        let positive: (String) -> Double? = { Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        // LATENCY_PROFILE's agent cost, each part overridden by its own variable.
        let agent = settings.latencyProfile.orchestratorAgent
        let median = try reader.parsed("orchestrator.agent.latency.median", default: agent.baseMedian,
                                       positive)
        // A p99 below the median is not a distribution; the message names the variable.
        let p99 = try reader.parsed("orchestrator.agent.latency.p99",
                                    default: max(agent.baseP99, median)) {
            Double($0).flatMap { $0 >= median && $0.isFinite ? $0 : nil }
        }
        let perMessage = try reader.parsed("orchestrator.agent.latency.per.message",
                                           default: agent.perUnit) {
            Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
        }
        agentLatency = LatencyModel(median: median, p99: p99, perUnit: perMessage)
    }

    /// ORCHESTRATOR_DATABASE_URL, checked whenever it is set and required with the postgres store. The
    /// message of a malformed one shows it with the password hidden.
    static func databaseURL(_ raw: String?, password: String?, store: StoreKind) throws -> DatabaseURL? {
        let variable = "ORCHESTRATOR_DATABASE_URL"
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            guard store != .postgres else {
                throw SettingsError(variable: variable, value: "",
                                    expected: DatabaseURL.expected + " with ORCHESTRATOR_STORE=postgres")
            }
            return nil
        }
        guard let url = DatabaseURL(raw, fallbackPassword: password) else {
            throw SettingsError(variable: variable, value: DatabaseURL.redacting(raw), expected: DatabaseURL.expected)
        }
        return url
    }

    /// A timeout in seconds (fractions allowed), above zero and at most ten minutes.
    private static func seconds(_ settings: ServiceSettings, _ key: String, _ fallback: Duration) throws -> Duration {
        let value = try settings.reader.parsed(key, default: fallback.seconds) {
            Double($0).flatMap { $0 > 0 && $0 <= 600 ? $0 : nil }
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}
