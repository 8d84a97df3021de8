import FleetContracts
import FleetTelemetry
import Foundation
import ServiceKit

/// Applies a chaos schedule to the running fleet in real time, remembering what it switched on so
/// it can switch exactly that off at the end. A failed change (the testing-ui restarting, say) is
/// printed and the schedule goes on.
actor ChaosRun {
    let endpoint: ScenarioEndpoint
    private var switchedOn: [String] = []

    init(endpoint: ScenarioEndpoint) {
        self.endpoint = endpoint
    }

    /// Sleeps until each event and applies it; returns at `until` (or never), or when cancelled.
    func play(_ schedule: ChaosSchedule, until: Double?) async {
        let start = ContinuousClock.now
        for event in schedule {
            if let until, event.offset >= until { break }
            do {
                try await Task.sleep(until: start + .seconds(event.offset))
            } catch {
                return
            }
            await apply(event)
        }
        if let until, (try? await Task.sleep(until: start + .seconds(until))) != nil {
            say("\(Self.clock(until)) --until reached: switching off what chaos switched on…")
        }
    }

    func switchOffEverything() async {
        for key in switchedOn {
            do {
                _ = try await endpoint.change(key, enabled: false)
                say("\(key) off")
            } catch {
                say("\(key): could not switch it off: \(error); run `audio-fleet scenario off \(key)`")
            }
        }
        switchedOn = []
    }

    private func apply(_ event: ChaosSchedule.Event) async {
        let key = event.scenario.key
        // Remembered before the call: a call cut short by Ctrl-C may still have switched it on,
        // and switching off a scenario that is off does no harm.
        if event.value != nil, !switchedOn.contains(key) { switchedOn.append(key) }
        do {
            _ = try await endpoint.change(key, enabled: event.value != nil, value: event.value.map(Self.argument))
            if event.value == nil { switchedOn.removeAll { $0 == key } }
            say(Self.line(event))
        } catch {
            say("\(Self.clock(event.offset)) \(key): not changed: \(error)")
        }
    }

    /// A value as the command line would type it, so it goes through the same parsing.
    private static func argument(_ value: FlagValue) -> String {
        switch value {
        case .number(let number): FlagValue.number(number).description
        case .string(let name): name
        case .bool(let on): on ? "true" : "false"
        }
    }

    /// "[+01:05] sttSlow on at 4 x for 63 s" / "[+02:08] sttSlow off".
    static func line(_ event: ChaosSchedule.Event) -> String {
        let what = event.value.map { value in
            "on at \(ScenarioState.text(of: value, unit: event.scenario.unit)) for \(Int(event.duration ?? 0)) s"
        } ?? "off"
        return "\(clock(event.offset)) \(event.scenario.key) \(what)"
    }

    static func clock(_ offset: Double) -> String {
        let seconds = Int(offset)
        return String(format: "[+%02d:%02d]", seconds / 60, seconds % 60)
    }
}
