import ArgumentParser
import FleetContracts
import FleetTelemetry
import NIOHTTP1

/// `audio-fleet load [n]`: how many simulated speakers the running voice bridge has, and a new
/// count, in effect within seconds without a restart.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or set the number of simulated speakers in the running voice bridge.",
        discussion: """
            With no number, prints the current load. With one (0 to 200), the bridge adds or removes \
            speakers within seconds, spread over voice channels that each have their own floor.
            """)

    @Argument(help: "Speakers to run, 0 (an idle fleet) to 200.")
    var speakers: Int?

    @Option(help: "The voice bridge's URL (default: DISCORD_URL, else \(FleetMember.discord.defaultURL)).")
    var url: String?

    func validate() throws {
        if let speakers, let problem = LoadChange(speakers: speakers).problem {
            throw ValidationError(problem)
        }
    }

    func run() async throws {
        let bridge = FleetCall(.discord, url: url)
        try await reportingFailures {
            let load: VoiceLoad = if let speakers {
                try await bridge.send(.PUT, LoadControlClient.path, LoadChange(speakers: speakers))
            } else {
                try await bridge.get(LoadControlClient.path)
            }
            say(Self.describe(load))
        }
    }

    static func describe(_ load: VoiceLoad) -> String {
        let channels = load.channels == 1 ? "1 voice channel" : "\(load.channels) voice channels"
        return "\(load.speakers) speakers over \(channels) (up to \(load.channelSize) per channel)"
    }
}
