import FleetContracts
import FleetTelemetry
import ServiceKit
import Testing
@testable import DiscordService

@Suite("Discord settings")
struct DiscordConfigTests {
    @Test("settings parse, and a malformed one names its variable")
    func configuration() throws {
        let defaults = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord))
        #expect(defaults.speakers == 3 && defaults.turnInterval == 4...8 && defaults.autostart)
        #expect(defaults.silenceTimeout == 0.75 && defaults.maxSegmentDuration == 15 && defaults.minSegmentDuration == 0.3)
        #expect(defaults.vadFrameMs == 30 && defaults.vadAggressiveness == 1)

        let custom = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [
            "DISCORD_TURN_INTERVAL": "2", "DISCORD_AUTOSTART": "false", "WAKE_PHRASES": "hello computer, computer",
        ]))
        #expect(custom.turnInterval == 2...2)
        #expect(!custom.autostart)
        #expect(custom.wakePhrases == ["hello computer", "computer"])

        #expect(defaults.channelSize == 4 && defaults.bargeInPercent == 10 && defaults.overlapPercent == 5)
        let crowded = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [
            "DISCORD_SPEAKERS": "200", "DISCORD_CHANNEL_SIZE": "50", "DISCORD_BARGE_IN": "25%", "DISCORD_OVERLAP": "0",
        ]))
        #expect(crowded.speakers == 200 && crowded.channelSize == 50 && crowded.bargeInPercent == 25 && crowded.overlapPercent == 0)

        for (variable, value) in [("AUDIO_VAD_FRAME_MS", "25"), ("DISCORD_TURN_INTERVAL", "8-4"),
                                  ("AUDIO_MIN_SEGMENT_DURATION", "20"), ("DISCORD_PACKET_LOSS", "lots"),
                                  ("DISCORD_SPEAKERS", "501"), ("DISCORD_SPEAKERS", "-1"), ("DISCORD_CHANNEL_SIZE", "0"),
                                  ("DISCORD_CHANNEL_SIZE", "51"), ("DISCORD_BARGE_IN", "101"), ("DISCORD_OVERLAP", "some")] {
            do {
                _ = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [variable: value]))
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as SettingsError {
                #expect(error.variable == variable)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("peer timeouts are settings in seconds, with the defaults the bridge always used")
    func peerTimeouts() throws {
        let defaults = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord))
        #expect(defaults.audioProcessorTimeout == .seconds(10) && defaults.sttTimeout == .seconds(30))
        #expect(defaults.orchestratorTimeout == .seconds(75) && defaults.dashboardTimeout == .seconds(2))

        let custom = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [
            "DISCORD_AUDIO_PROCESSOR_TIMEOUT": "4", "DISCORD_STT_TIMEOUT": "12.5",
            "DISCORD_ORCHESTRATOR_TIMEOUT": "90", "DISCORD_DASHBOARD_TIMEOUT": "0.5",
        ]))
        #expect(custom.audioProcessorTimeout == .seconds(4) && custom.sttTimeout == .milliseconds(12_500))
        #expect(custom.orchestratorTimeout == .seconds(90) && custom.dashboardTimeout == .milliseconds(500))

        for variable in ["DISCORD_AUDIO_PROCESSOR_TIMEOUT", "DISCORD_STT_TIMEOUT", "DISCORD_ORCHESTRATOR_TIMEOUT",
                         "DISCORD_DASHBOARD_TIMEOUT"] {
            for value in ["0", "-1", "soon", "601"] {
                let error = #expect(throws: SettingsError.self, "\(variable)=\(value) was accepted") {
                    try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [variable: value]))
                }
                #expect(error?.variable == variable)
            }
        }
    }

    @Test("the HTTP peers get the configured timeouts; the orchestrator and the dashboard are never retried")
    func peerClients() throws {
        let settings = try ServiceSettings.forTesting(member: .discord, environment: [
            "DISCORD_ORCHESTRATOR_TIMEOUT": "60", "DISCORD_DASHBOARD_TIMEOUT": "1",
        ])
        let peers = try DiscordService.peers(runtime: ServiceRuntime(member: .discord, settings: settings))
        let audioProcessor = try #require((peers.audioProcessor as? AudioProcessingClient)?.client)
        let stt = try #require((peers.stt as? TranscriberClient)?.client)
        let orchestrator = try #require((peers.orchestrator as? OrchestrationClient)?.client)
        let dashboard = try #require((peers.dashboard as? TurnReportClient)?.client)
        #expect(audioProcessor.timeout == .seconds(10) && audioProcessor.retries > 0)
        #expect(stt.timeout == .seconds(30) && stt.retries > 0)
        #expect(orchestrator.timeout == .seconds(60) && orchestrator.retries == 0)
        #expect(dashboard.timeout == .seconds(1) && dashboard.retries == 0)
    }
}
