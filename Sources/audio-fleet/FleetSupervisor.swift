import AsyncHTTPClient
import Configuration
import FleetTelemetry
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// Starts, watches and stops the nine child processes of `audio-fleet up`.
final class FleetSupervisor: Sendable {
    enum Event: Sendable {
        case signal(String)
        case exited(FleetMember, Int32)
    }

    let host: String
    let portOffset: Int
    let logDirectory: URL
    let followLogs: Bool
    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    /// Child processes by member; Process is not Sendable, so every access holds the lock.
    private let children = Mutex<[FleetMember: Process]>([:])
    private let stopping = Atomic<Bool>(false)

    /// Where the children's OTLP goes: what the environment (or `.env`) says, else the
    /// monitoring-dashboard's embedded backend (ExportDefault).
    let export: ExportDefault

    init(host: String, portOffset: Int, logDirectory: URL, followLogs: Bool, environment: ConfigReader) throws {
        self.host = host
        self.portOffset = portOffset
        self.logDirectory = logDirectory
        self.followLogs = followLogs
        export = ExportDefault.decide(reader: environment,
                                      dashboardURL: Self.url(of: .monitoringDashboard, host: host, portOffset: portOffset))
        (events, continuation) = AsyncStream.makeStream()
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func port(of member: FleetMember) -> Int { member.hostPort + portOffset }
    func url(of member: FleetMember) -> String { Self.url(of: member, host: host, portOffset: portOffset) }
    static func url(of member: FleetMember, host: String, portOffset: Int) -> String {
        "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(member.hostPort + portOffset)"
    }
    func logFile(of member: FleetMember) -> URL { logDirectory.appendingPathComponent("\(member.name).log") }

    /// The environment every child gets: ours, with each peer's URL pointing at its sibling process
    /// and, when nothing names an OTLP endpoint, the embedded backend's.
    func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // Each child sets its own service.name; a shared one would merge nine services into one.
        environment.removeValue(forKey: "OTEL_SERVICE_NAME")
        for member in FleetMember.allCases { environment[member.urlVariable] = url(of: member) }
        environment["DATA_DIR"] = environment["DATA_DIR"] ?? "var/data"
        environment.merge(export.additions) { _, added in added }
        return environment
    }

    func startAll() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let environment = childEnvironment()
        for member in FleetDirectory.startOrder {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["serve", member.name, "--host", host, "--port", String(port(of: member))]
            process.environment = environment
            let output = try openLog(for: member)
            process.standardOutput = output
            process.standardError = output
            let continuation = self.continuation
            process.terminationHandler = { process in
                continuation.yield(.exited(member, process.terminationStatus))
            }
            try process.run()
            let pid = process.processIdentifier
            children.withLock { $0[member] = process }
            say("  started \(member.name.padding(toLength: 21, withPad: " ", startingAt: 0)) pid \(pid), port \(port(of: member))")
        }
    }

    /// Each child writes to its log file; with --follow-logs a pipe copies lines here as well.
    private func openLog(for member: FleetMember) throws -> Any {
        let file = logFile(of: member)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        guard followLogs else { return handle }
        let pipe = Pipe()
        let prefix = "[\(member.name)] "
        pipe.fileHandleForReading.readabilityHandler = { reader in
            let data = reader.availableData
            guard !data.isEmpty else { return }
            handle.write(data)
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n") { say(prefix + line) }
        }
        return pipe
    }

    /// Polls every service's /health/ready until all answer 200, a child dies, or time runs out.
    func waitUntilReady(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        let started = ContinuousClock.now
        return await withTaskGroup(of: Bool.self) { group in
            for member in FleetDirectory.startOrder {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        if await self.isReady(member) {
                            let seconds = (ContinuousClock.now - started).seconds
                            say("  ready   \(member.name.padding(toLength: 21, withPad: " ", startingAt: 0)) after \(String(format: "%.1f", seconds)) s")
                            return true
                        }
                        if !self.isRunning(member) {
                            say("  FAILED  \(member.name) exited during start-up:\n\(self.tail(of: member))")
                            return false
                        }
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                    say("  TIMEOUT \(member.name) was not ready after \(timeout)")
                    return false
                }
            }
            var allReady = true
            for await ready in group { allReady = allReady && ready }
            return allReady
        }
    }

    private func isReady(_ member: FleetMember) async -> Bool {
        var request = HTTPClientRequest(url: url(of: member) + "/health/ready")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status.code == 200
    }

    func isRunning(_ member: FleetMember) -> Bool {
        children.withLock { $0[member]?.isRunning ?? false }
    }

    func printURLs() {
        say("\nThe fleet is up. Open:")
        say("  testing-ui            \(url(of: .testingUI))/          run a turn from text, a file or the microphone; listen to it")
        say("  monitoring-dashboard  \(url(of: .monitoringDashboard))/          health, charts, service map, every trace's waterfall")
        say("  discord (voice)       \(url(of: .discord))/          the simulated channel: listen to each turn")
        // Set by scripts/run-native.sh when it started them (or by hand, for ones running elsewhere).
        for (name, variable) in [("Jaeger (traces)", "JAEGER_UI_URL"), ("Grafana (dashboards)", "GRAFANA_URL"),
                                 ("Prometheus (queries)", "PROMETHEUS_URL")] {
            if let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty {
                say("  \(name.padding(toLength: 21, withPad: " ", startingAt: 0)) \(url)")
            }
        }
        say(export.summary)
        say("Every service: /health/live, /health/ready, /metrics")
        for member in FleetDirectory.startOrder {
            say("  \(member.name.padding(toLength: 21, withPad: " ", startingAt: 0)) \(url(of: member))")
        }
        say("Press Ctrl-C to stop.")
    }

    /// SIGTERM to every child, then SIGKILL to any still running after the grace period.
    func stopAll(grace: Duration = .seconds(8)) async {
        stopping.store(true, ordering: .relaxed)
        let pids = children.withLock { $0.values.filter(\.isRunning).map(\.processIdentifier) }
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, anyRunning() {
            try? await Task.sleep(for: .milliseconds(100))
        }
        // Foundation reaps its children, so isRunning turns false once a process has exited.
        children.withLock { boxes in
            for process in boxes.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        continuation.finish()
    }

    private func anyRunning() -> Bool {
        children.withLock { $0.values.contains(where: \.isRunning) }
    }

    func signalled(_ name: String) {
        continuation.yield(.signal(name))
    }

    func tail(of member: FleetMember, lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: logFile(of: member), encoding: .utf8) else { return "  (no log)" }
        return text.split(separator: "\n").suffix(lines).map { "    " + $0 }.joined(separator: "\n")
    }
}
