import ArgumentParser
import FleetContracts

/// `audio-fleet scenario off <key>` or `--all`: back to a healthy fleet.
struct ScenarioOff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "off", abstract: "Switch one scenario, or all of them, off.")

    @Argument(help: "The scenario's key.")
    var key: String?

    @Flag(help: "Switch every scenario off.")
    var all = false

    @OptionGroup var endpoint: ScenarioEndpoint

    func validate() throws {
        guard (key == nil) == all else { throw ValidationError("Name one scenario or pass --all (not both).") }
    }

    func run() async throws {
        try await reportingFailures {
            if let key {
                say(ScenarioEndpoint.report(key, in: try await endpoint.change(key, enabled: false)))
            } else {
                let list: ScenarioList = try await endpoint.call.post("/scenarios/reset")
                say("Every scenario is off in \(list.source) (\(list.active.count) on); every service follows within 2 s.")
            }
        }
    }
}
