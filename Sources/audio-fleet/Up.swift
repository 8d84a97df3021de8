import ArgumentParser
import FleetTelemetry
import Foundation
import ServiceKit
import UnixSignals

/// `audio-fleet up`: all nine services on this machine, each its own process (and so its own
/// `service.name`), wired to each other on loopback. A child that exits on its own is restarted with backoff
/// (RestartPolicy); Ctrl-C or SIGTERM stops them all gracefully, front doors first (ShutdownTiers).
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run all nine services natively, each in its own process.")

    @Option(help: "Address the services listen on.")
    var host = "127.0.0.1"

    @Option(help: "Added to every port (8009 becomes 8009+N), to run a second fleet beside the first.")
    var portOffset = 0

    @Option(help: "Folder for each service's log file.")
    var logDirectory = "var/log"

    @Option(help: "Seconds to wait for every service to become ready.")
    var readyTimeout = 90

    @Flag(help: "Also copy every service's output to this terminal, prefixed with its name.")
    var followLogs = false

    func run() async throws {
        let supervisor = try FleetSupervisor(host: host, portOffset: portOffset,
                                             logDirectory: URL(fileURLWithPath: logDirectory), followLogs: followLogs,
                                             environment: try await ServiceSettings.environmentReader())
        let events = supervisor.events
        // SIGINT and SIGTERM become supervisor events instead of killing `up` outright.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let forwarding = Task {
            for await signal in signals { supervisor.signalled(signal.description) }
        }
        defer { forwarding.cancel() }

        say("Starting the audio-orchestrator fleet (\(FleetDirectory.startOrder.count) services, logs in \(logDirectory)/)")
        try supervisor.startAll()
        let readiness = await supervisor.waitUntilReady(timeout: .seconds(readyTimeout))
        guard readiness else {
            say("The fleet did not become ready; stopping it. See the logs above or in \(logDirectory)/.")
            await supervisor.stopAll()
            throw ExitCode(1)
        }
        supervisor.printURLs()

        for await event in events {
            switch event {
            case .signal(let name):
                say("\n\(name) received: stopping the fleet, front doors first…")
                let stops = await supervisor.stopAll()
                for stop in stops {
                    let names = stop.members.map(\.name).joined(separator: ", ")
                    say("  stopped \(stop.name) (\(names)) in \(String(format: "%.1f", stop.took.seconds)) s"
                        + (stop.killed.isEmpty ? "" : "; SIGKILL to \(stop.killed.map(\.name).joined(separator: ", ")), still running after the grace period"))
                }
                let unclean = supervisor.uncleanExits()
                if !unclean.isEmpty { say("  not a clean exit: \(unclean.joined(separator: ", "))") }
                say("All services stopped.")
                if stops.contains(where: { !$0.killed.isEmpty }) { throw ExitCode(1) }
                return
            case .exited(let member, let pid, let how):
                guard !supervisor.isStopping, supervisor.isCurrent(member, pid: pid) else { continue }
                let (decision, restarts) = supervisor.decideAfterExit(of: member)
                switch decision {
                case .restart(let delay):
                    supervisor.note("\(member.name) (pid \(pid)) exited unexpectedly (\(how)); restarting it in "
                        + "\(String(format: "%.1f", delay.seconds)) s (restart \(restarts)). Last lines of its log:", in: member)
                    say(supervisor.tail(of: member))
                    supervisor.restart(member, after: delay, restarts: restarts)
                case .giveUp(let exits):
                    let window = Int(supervisor.restartPolicy.crashLoopWindow.seconds)
                    supervisor.note("\(member.name) (pid \(pid)) exited unexpectedly (\(how)), \(exits) times within \(window) s: "
                        + "it is crash-looping, so the fleet stops. Last lines of its log:", in: member)
                    say(supervisor.tail(of: member))
                    await supervisor.stopAll()
                    throw ExitCode(1)
                }
            }
        }
    }
}
