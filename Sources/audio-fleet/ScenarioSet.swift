import ArgumentParser
import FleetContracts

/// `audio-fleet scenario set <key> <value>`: switches a scenario on at this severity (which
/// becomes the value a later `on` uses).
struct ScenarioSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a scenario's severity (switching it on).")

    @Argument(help: "The scenario's key, e.g. packetLoss.")
    var key: String

    @Argument(help: "Its severity in the scenario's unit, e.g. 10 (%), 4 (x), 3 (s), guardrails.")
    var value: String

    @OptionGroup var endpoint: ScenarioEndpoint

    func run() async throws {
        try await reportingFailures {
            let list = try await endpoint.change(key, enabled: true, value: value)
            say(ScenarioEndpoint.report(key, in: list))
        }
    }
}
