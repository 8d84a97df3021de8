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
                                  ("ORCHESTRATOR_STORE", "mongodb"), ("ORCHESTRATOR_AGENT_LATENCY_P99", "0.001")] {
            do {
                _ = try OrchestratorConfig(settings: ServiceSettings.forTesting(member: .orchestrator,
                                                                                 environment: [variable: value]))
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as SettingsError {
                #expect(error.variable == variable)
            }
        }
    }

    static func settings(_ environment: [String: String]) throws -> OrchestratorConfig {
        try OrchestratorConfig(settings: ServiceSettings.forTesting(member: .orchestrator, environment: environment))
    }

    @Test("ORCHESTRATOR_STORE=postgres reads ORCHESTRATOR_DATABASE_URL: decoded user and password, defaults, PGPASSWORD")
    func databaseURL() throws {
        let config = try Self.settings([
            "ORCHESTRATOR_STORE": "Postgres",
            "ORCHESTRATOR_DATABASE_URL": "postgres://fleet%40prod:p%40ss%2Fw%3Ard@db.internal:6432/conversations?sslmode=require",
        ])
        #expect(config.store == .postgres)
        #expect(config.databaseURL == DatabaseURL(host: "db.internal", port: 6432, username: "fleet@prod",
                                                  password: "p@ss/w:rd", database: "conversations", sslMode: .require))
        // The password never shows in what is logged.
        #expect(config.databaseURL?.description == "postgres://fleet@prod:***@db.internal:6432/conversations?sslmode=require")

        // libpq's defaults: port 5432, the database named after the user, no TLS; PGPASSWORD when the URL has none.
        let defaults = try Self.settings([
            "ORCHESTRATOR_STORE": "postgres", "ORCHESTRATOR_DATABASE_URL": "postgresql://atlas@127.0.0.1",
            "PGPASSWORD": "from-env",
        ])
        #expect(defaults.databaseURL == DatabaseURL(host: "127.0.0.1", port: 5432, username: "atlas",
                                                    password: "from-env", database: "atlas", sslMode: .disable))
        // The URL's own password wins over PGPASSWORD.
        let both = try Self.settings([
            "ORCHESTRATOR_STORE": "postgres", "ORCHESTRATOR_DATABASE_URL": "postgres://atlas:mine@db/x?sslmode=verify-full",
            "PGPASSWORD": "from-env",
        ])
        #expect(both.databaseURL?.password == "mine" && both.databaseURL?.sslMode == .verifyFull)
        // Set with another store, it is still checked, and kept.
        #expect(try Self.settings(["ORCHESTRATOR_DATABASE_URL": "postgres://a@b/c"]).databaseURL?.host == "b")
        #expect(try Self.settings([:]).databaseURL == nil)
    }

    @Test("postgres without a URL, or a malformed URL, stops start-up naming ORCHESTRATOR_DATABASE_URL and hiding the password")
    func badDatabaseURL() throws {
        let malformed = [
            "", "db.internal:5432", "mysql://u:secretpw@db/x", "http://u:secretpw@db/x", "postgres://db.internal/x",
            "postgres://u:secretpw@/x", "postgres://u:secretpw@db:0/x", "postgres://u:secretpw@db:70000/x",
            "postgres://u:secretpw@db/x/y", "postgres://u:secretpw@db/x?sslmode=prefer",
            "postgres://u:secretpw@db/x?connect_timeout=5", "postgres://u:secretpw@db:port/x",
        ]
        for value in malformed {
            do {
                _ = try Self.settings(["ORCHESTRATOR_STORE": "postgres", "ORCHESTRATOR_DATABASE_URL": value])
                Issue.record("ORCHESTRATOR_DATABASE_URL=\(value) was accepted")
            } catch let error as SettingsError {
                #expect(error.variable == "ORCHESTRATOR_DATABASE_URL", "\(value)")
                #expect(!error.description.contains("secretpw"), "the message shows the password: \(error)")
            }
        }
        do {
            _ = try Self.settings(["ORCHESTRATOR_STORE": "postgres"])
            Issue.record("postgres without a URL was accepted")
        } catch let error as SettingsError {
            #expect(error.variable == "ORCHESTRATOR_DATABASE_URL")
            #expect(error.description.contains("ORCHESTRATOR_STORE=postgres"))
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
