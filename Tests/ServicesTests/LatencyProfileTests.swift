import FleetTelemetry
import ServiceKit
import Testing
@testable import DiscordService
@testable import GuardrailsService
@testable import LLMFlanService
@testable import OrchestratorService
@testable import STTService
@testable import TTSBarkService

/// LATENCY_PROFILE: one variable picks every stage's latency defaults, each stage's own variable
/// still wins, and an unknown profile stops start-up naming the valid ones.
@Suite("Latency profiles")
struct LatencyProfileTests {
    /// Every stage's model as the six services' settings resolve it under `environment`.
    struct Resolved: Equatable {
        var stt: LatencyModel
        var ttft: LatencyModel
        var tokensPerSecond: Double
        var tts: LatencyModel
        var guardrails: LatencyModel
        var agent: LatencyModel
        var discordAPI: LatencyModel
        var silenceTimeout: Double

        init(_ environment: [String: String]) throws {
            func settings(_ member: FleetMember) throws -> ServiceSettings {
                try ServiceSettings.forTesting(member: member, environment: environment)
            }
            stt = try STTConfig(settings: settings(.stt)).latency
            let llm = try LLMFlanConfig(settings: settings(.llm))
            ttft = llm.timeToFirstToken
            tokensPerSecond = llm.tokensPerSecond
            tts = try TTSBarkConfig(settings: settings(.tts)).latency
            guardrails = try GuardrailsConfig(settings: settings(.guardrails)).latency
            agent = try OrchestratorConfig(settings: settings(.orchestrator)).agentLatency
            let discord = try DiscordConfig(settings: settings(.discord))
            discordAPI = discord.apiLatency
            silenceTimeout = discord.silenceTimeout
        }

        init(_ profile: LatencyProfile) {
            stt = profile.stt
            ttft = profile.llmTimeToFirstToken
            tokensPerSecond = profile.llmTokensPerSecond
            tts = profile.tts
            guardrails = profile.guardrails
            agent = profile.orchestratorAgent
            discordAPI = profile.discordAPI
            silenceTimeout = profile.silenceTimeout
        }
    }

    @Test("each profile resolves to its own models in every service", arguments: LatencyProfile.all)
    func resolves(profile: LatencyProfile) throws {
        #expect(try Resolved(["LATENCY_PROFILE": profile.name]) == Resolved(profile))
        #expect(try Resolved(["LATENCY_PROFILE": profile.name.uppercased()]) == Resolved(profile))
    }

    @Test("no profile is the default one, whose numbers are the settings' own defaults")
    func unsetIsDefault() throws {
        #expect(try Resolved([:]) == Resolved(.default))
        #expect(try Resolved(["LATENCY_PROFILE": ""]) == Resolved(.default))
        #expect(STTConfig().latency == LatencyProfile.default.stt)
        #expect(LLMFlanConfig().timeToFirstToken == LatencyProfile.default.llmTimeToFirstToken)
        #expect(DiscordConfig().silenceTimeout == LatencyProfile.default.silenceTimeout)
    }

    @Test("the profiles differ where they mimic different stacks")
    func profilesDiffer() {
        let original = LatencyProfile.original, realtime = LatencyProfile.realtime, standard = LatencyProfile.default
        #expect(original.llmTokensPerSecond < standard.llmTokensPerSecond)
        #expect(realtime.llmTokensPerSecond > standard.llmTokensPerSecond)
        #expect(original.tts.quantile(0.5, units: 100) > standard.tts.quantile(0.5, units: 100))
        #expect(realtime.stt.quantile(0.5, units: 3) < standard.stt.quantile(0.5, units: 3))
        #expect(realtime.silenceTimeout < standard.silenceTimeout)
        #expect(Set(LatencyProfile.all.map(\.name)).count == LatencyProfile.all.count)
    }

    @Test("a stage's own variable overrides the profile's value, the rest of the profile stays")
    func explicitVariableWins() throws {
        let resolved = try Resolved(["LATENCY_PROFILE": "realtime", "STT_LATENCY_MEDIAN": "0.3",
                                     "LLM_TOKENS_PER_SECOND": "20", "AUDIO_SILENCE_TIMEOUT": "0.6"])
        let realtime = LatencyProfile.realtime
        #expect(resolved.stt.baseMedian == 0.3)
        #expect(resolved.stt.baseP99 == realtime.stt.baseP99 && resolved.stt.perUnit == realtime.stt.perUnit)
        #expect(resolved.tokensPerSecond == 20)
        #expect(resolved.silenceTimeout == 0.6)
        #expect(resolved.ttft == realtime.llmTimeToFirstToken && resolved.tts == realtime.tts)
    }

    @Test("an unknown profile is refused, and the message lists the valid ones")
    func unknownIsRefused() {
        for member in [FleetMember.stt, .discord, .testingUI] {
            do {
                _ = try ServiceSettings.forTesting(member: member, environment: ["LATENCY_PROFILE": "turbo"])
                Issue.record("LATENCY_PROFILE=turbo was accepted by \(member.name)")
            } catch let error as SettingsError {
                #expect(error.variable == "LATENCY_PROFILE")
                for profile in LatencyProfile.all { #expect(error.description.contains(profile.name)) }
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
