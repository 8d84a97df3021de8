import ArgumentParser
import FleetContracts

/// `audio-fleet scenario on <key> [value]`: switches a scenario on, at its stored `on` severity or
/// at the one given.
struct ScenarioOn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "on", abstract: "Switch a scenario on, at its stored severity or at the value given.")

    @Argument(help: "The scenario's key, e.g. sttSlow (see `audio-fleet scenario list`).")
    var key: String

    @Argument(help: "Its severity in the scenario's unit (e.g. 25 or 25% for a percentage, 4 for a factor, a service name).")
    var value: String?

    @OptionGroup var endpoint: ScenarioEndpoint

    func run() async throws {
        try await reportingFailures {
            let list = try await endpoint.change(key, enabled: true, value: value)
            say(ScenarioEndpoint.report(key, in: list))
        }
    }
}
