import ArgumentParser
import FleetContracts
import FleetTelemetry
import Foundation
import NIOHTTP1

/// `audio-fleet scenario list|on|off|set|chaos`: the fault scenarios of the running fleet, switched
/// through the testing-ui's /scenarios endpoint, which writes the one flag file every service reads.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "List, switch on or off, or randomly cycle the fleet's fault scenarios.",
        discussion: "A change is in effect in every service within 2 s. Scenarios: \(Scenario.keys.joined(separator: ", ")).",
        subcommands: [ScenarioListCommand.self, ScenarioOn.self, ScenarioOff.self, ScenarioSet.self, ScenarioChaos.self])
}

/// Where the scenario endpoint is: the testing-ui.
struct ScenarioEndpoint: ParsableArguments {
    @Option(help: "The testing-ui's URL (default: TESTING_UI_URL, else \(FleetMember.testingUI.defaultURL)).")
    var url: String?

    var call: FleetCall { FleetCall(.testingUI, url: url) }

    /// Switches `key` on (at `value`, or its stored `on` value) or off; answers the file's new state.
    func change(_ key: String, enabled: Bool, value: String? = nil) async throws -> ScenarioList {
        let change = ScenarioChange(enabled: enabled, value: value.map { Self.flagValue($0, for: key) })
        return try await call.send(.PUT, "/scenarios/\(key.addingPathEscapes)", change)
    }

    /// The value as the scenario spells it ("25%" -> 25, "on" -> true); anything else goes as it is
    /// typed, so the server's refusal names the flag and what it accepts.
    static func flagValue(_ text: String, for key: String) -> FlagValue {
        if let scenario = Scenario.named(key), let value = scenario.parse(text) { return value }
        if let number = Double(text) { return .number(number) }
        return .string(text)
    }

    /// "sttSlow is on at 4 x" / "sttSlow is off", from a PUT's answer.
    static func report(_ key: String, in list: ScenarioList) -> String {
        guard let state = list.scenarios.first(where: { $0.key == key }) else { return "\(key): changed" }
        let now = state.active ? "on at \(state.valueText)" : "off"
        return "\(key) is \(now) in \(list.source); every service follows within 2 s."
    }
}

extension String {
    /// A flag key as one path segment; keys are letters, so this only matters for a typo.
    var addingPathEscapes: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self
    }
}
