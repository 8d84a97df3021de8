import FleetContracts
import FleetTelemetry
import ServiceKit
import Testing
@testable import OrchestratorService

@Suite("Orchestrator settings")
struct OrchestratorConfigTests {
    @Test("settings: defaults, overrides, and a malformed value naming its variable")
    func config() throws {
        let defaults = try OrchestratorConfig(settings: ServiceSettings.forTesting(member: .orchestrator))
        #expect(defaults == OrchestratorConfig())
        #expect(defaults.historyTurns == 6 && defaults.maxTokens == 120 && defaults.maxMessagesPerSession == 200)
        #expect(defaults.llmTimeout == .seconds(30) && defaults.ttsTimeout == .seconds(30))
        #expect(defaults.guardrailsTimeout == .seconds(5))

        let custom = try OrchestratorConfig(settings: ServiceSettings.forTesting(member: .orchestrator, environment: [
            "ORCHESTRATOR_HISTORY_TURNS": "3", "ORCHESTRATOR_MAX_TOKENS": "64", "ORCHESTRATOR_STORE": "memory",
            "ORCHESTRATOR_MAX_MESSAGES_PER_SESSION": "20", "ORCHESTRATOR_LLM_TIMEOUT": "2.5",
        ]))
        #expect(custom.historyTurns == 3 && custom.maxTokens == 64 && custom.maxMessagesPerSession == 20)
        #expect(custom.store == .memory)
        #expect(custom.llmTimeout == .milliseconds(2500))

        for (variable, value) in [("ORCHESTRATOR_HISTORY_TURNS", "many"), ("ORCHESTRATOR_MAX_TOKENS", "0"),
                                  ("ORCHESTRATOR_STORE", "postgres"), ("ORCHESTRATOR_AGENT_LATENCY_P99", "0.001")] {
            do {
                _ = try OrchestratorConfig(settings: ServiceSettings.forTesting(member: .orchestrator,
                                                                                 environment: [variable: value]))
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as SettingsError {
                #expect(error.variable == variable)
            }
        }
    }

    @Test("the peers over HTTP get the configured timeouts, one retry for the slow model and synthesis, two for guardrails")
    func peerClients() throws {
        let settings = try ServiceSettings.forTesting(member: .orchestrator, environment: [
            "ORCHESTRATOR_GUARDRAILS_TIMEOUT": "0.5", "ORCHESTRATOR_LLM_TIMEOUT": "2.5", "ORCHESTRATOR_TTS_TIMEOUT": "7",
            "ORCHESTRATOR_LLM_MODEL": "flan-t5-xl", "LLM_URL": "http://llm.internal:8110",
        ])
        let peers = try OrchestratorService.peers(runtime: ServiceRuntime(member: .orchestrator, settings: settings))
        let guardrails = try #require(peers.guardrails as? GuardrailsClient)
        let model = try #require(peers.languageModel as? LanguageModelClient)
        let speech = try #require(peers.speech as? SpeechSynthesisClient)
        #expect(guardrails.client.timeout == .milliseconds(500) && guardrails.client.retries == 2)
        #expect(model.client.timeout == .milliseconds(2500) && model.client.retries == 1)
        #expect(speech.client.timeout == .seconds(7) && speech.client.retries == 1)
        #expect(model.model == "flan-t5-xl")
        #expect(peers.connections.map(\.peer.name) == ["guardrails", "llm-flan", "tts-bark"])
        #expect(model.url == "http://llm.internal:8110")
    }
}
