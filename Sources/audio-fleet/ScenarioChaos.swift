import ArgumentParser
import FleetContracts
import FleetTelemetry
import ServiceKit
import UnixSignals

/// `audio-fleet scenario chaos --seed N`: random scenarios on and off for random durations, for
/// leaving a demo running. The plan is `ChaosSchedule`, a pure function of the seed; this command
/// sleeps until each change and applies it. Ctrl-C (or --until) switches off what it switched on.
struct ScenarioChaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Switch random scenarios on and off for random durations, reproducibly from a seed.")

    @Option(help: "The seed: the same seed gives the same changes at the same times (default: a random one, printed).")
    var seed: UInt64?

    @Option(help: "Shortest time a scenario stays on, in seconds.")
    var minDuration: Double = 20

    @Option(help: "Longest time a scenario stays on, in seconds.")
    var maxDuration: Double = 120

    @Option(help: "At most this many scenarios on at once.")
    var maxActive = 2

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var until: Double?

    @Option(help: "A scenario it must leave alone (repeatable), e.g. --exclude otlpBlackhole.")
    var exclude: [String] = []

    @Flag(help: "Print the plan up to --until (default 600 s) without changing anything.")
    var dryRun = false

    @OptionGroup var endpoint: ScenarioEndpoint

    var options: ChaosSchedule.Options {
        ChaosSchedule.Options(minDuration: minDuration, maxDuration: maxDuration, maxActive: maxActive,
                              scenarios: Scenario.all.filter { !exclude.contains($0.key) })
    }

    func validate() throws {
        if let unknown = exclude.first(where: { Scenario.named($0) == nil }) {
            throw ValidationError("--exclude \(unknown): no such scenario; known: \(Scenario.keys.joined(separator: ", ")).")
        }
        if let problem = options.problem { throw ValidationError(problem) }
        if let until, !(until > 0) { throw ValidationError("--until must be more than 0 seconds.") }
    }

    func run() async throws {
        let seed = seed ?? UInt64.random(in: 0...999_999)
        let schedule = ChaosSchedule(seed: seed, options: options)
        if dryRun {
            let horizon = until ?? 600
            say("Chaos plan for seed \(seed) up to \(Int(horizon)) s:")
            for event in schedule.prefix(while: { $0.offset < horizon }) { say("  " + ChaosRun.line(event)) }
            return
        }
        say("Chaos with seed \(seed) (replay it with --seed \(seed)) against \(endpoint.call.base); Ctrl-C switches off what it switched on.")
        let run = ChaosRun(endpoint: endpoint)
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await run.play(schedule, until: until) }
            group.addTask {
                for await signal in signals {
                    say("\n\(signal) received: switching off what chaos switched on…")
                    return
                }
            }
            await group.next()
            group.cancelAll()
        }
        await run.switchOffEverything()
    }
}
