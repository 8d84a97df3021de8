import ArgumentParser
import FleetContracts

/// `audio-fleet scenario list`: every scenario, whether it is on, its value and what it does.
struct ScenarioListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show every scenario and its state.")

    @OptionGroup var endpoint: ScenarioEndpoint

    func run() async throws {
        try await reportingFailures {
            let list: ScenarioList = try await endpoint.call.get("/scenarios")
            for line in Self.table(list) { say(line) }
        }
    }

    /// A header, one row per scenario (key, state, value with unit, summary), and where flags come from.
    static func table(_ list: ScenarioList) -> [String] {
        let keyWidth = max(3, list.scenarios.map(\.key.count).max() ?? 0)
        let values = list.scenarios.map(Self.value)
        let valueWidth = max(5, values.map(\.count).max() ?? 0)
        func row(_ key: String, _ state: String, _ value: String, _ summary: String) -> String {
            [key.padded(to: keyWidth), state.padded(to: 5), value.padded(to: valueWidth), summary].joined(separator: "  ")
        }
        var lines = [row("KEY", "STATE", "VALUE", "SUMMARY")]
        for (state, value) in zip(list.scenarios, values) {
            lines.append(row(state.key, Self.state(state), value, state.summary))
        }
        lines.append("\(list.active.count) of \(list.scenarios.count) on; flags from \(list.source). Values in brackets are what `on` sets.")
        if list.scenarios.contains(where: { $0.pending != nil }) {
            lines.append("→ marks a change the flag file already has; every service follows within 2 s.")
        }
        return lines
    }

    /// "on", "off", or "off→on" while the services catch up with the file.
    static func state(_ state: ScenarioState) -> String {
        let now = state.active ? "on" : "off", next = state.willBeActive ? "on" : "off"
        return now == next ? now : "\(now)→\(next)"
    }

    /// The value in effect; "(4 x)" for what `on` would set while off; "4 x→8 x" while changing.
    static func value(_ state: ScenarioState) -> String {
        let now = state.active ? state.valueText : nil
        guard let pending = state.pending else { return now ?? "(\(state.onValueText))" }
        let next = state.willBeActive ? ScenarioState.text(of: pending, unit: state.unit) : "off"
        return "\(now ?? "off")→\(next)"
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
