import AsyncHTTPClient
import Configuration
import FleetTelemetry
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// Starts, watches, restarts and stops the nine child processes of `audio-fleet up`.
final class FleetSupervisor: Sendable {
    enum Event: Sendable {
        case signal(String)
        /// A child process ended; `pid` tells a replaced process's late exit from the current one's.
        case exited(FleetMember, pid: Int32, how: String)
    }

    let host: String
    let portOffset: Int
    let logDirectory: URL
    let followLogs: Bool
    let restartPolicy: RestartPolicy
    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    /// Child processes by member; Process is not Sendable, so every access holds the lock.
    private let children = Mutex<[FleetMember: Process]>([:])
    /// When each current child started, and each member's exits so far under the restart policy.
    private let started = Mutex<[FleetMember: ContinuousClock.Instant]>([:])
    private let restarts: Mutex<[FleetMember: RestartTracker]>
    private let stopping = Atomic<Bool>(false)

    /// Where the children's OTLP goes: what the environment (or `.env`) says, else the
    /// monitoring-dashboard's embedded backend (ExportDefault).
    let export: ExportDefault

    init(host: String, portOffset: Int, logDirectory: URL, followLogs: Bool, environment: ConfigReader,
         restartPolicy: RestartPolicy = .fleet) throws {
        self.host = host
        self.portOffset = portOffset
        self.logDirectory = logDirectory
        self.followLogs = followLogs
        self.restartPolicy = restartPolicy
        export = ExportDefault.decide(reader: environment,
                                      dashboardURL: Self.url(of: .monitoringDashboard, host: host, portOffset: portOffset))
        (events, continuation) = AsyncStream.makeStream()
        restarts = Mutex(Dictionary(uniqueKeysWithValues: FleetMember.allCases.map { ($0, RestartTracker(policy: restartPolicy)) }))
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
    /// and, when nothing names an OTLP endpoint, the embedded backend's. MALLOC_ARENA_MAX (unless
    /// set) caps each child's malloc arenas from its first allocation (HeapTuning says why).
    func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // Each child sets its own service.name; a shared one would merge nine services into one.
        environment.removeValue(forKey: "OTEL_SERVICE_NAME")
        for member in FleetMember.allCases { environment[member.urlVariable] = url(of: member) }
        environment["DATA_DIR"] = environment["DATA_DIR"] ?? "var/data"
        environment["MALLOC_ARENA_MAX"] = environment["MALLOC_ARENA_MAX"] ?? String(HeapTuning.arenaLimit)
        environment.merge(export.additions) { _, added in added }
        return environment
    }

    func startAll() throws {
        for member in FleetDirectory.startOrder {
            let pid = try launch(member, restarts: 0)
            say("  started \(member.name.padding(toLength: 21, withPad: " ", startingAt: 0)) pid \(pid), port \(port(of: member))")
        }
    }

    /// Starts `member`'s process; `restarts` reaches it as AUDIO_FLEET_RESTARTS, which it exports
    /// as `service_restarts_total`. A restarted child appends to the log its predecessor wrote.
    @discardableResult
    private func launch(_ member: FleetMember, restarts: Int) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["serve", member.name, "--host", host, "--port", String(port(of: member))]
        var environment = childEnvironment()
        environment["AUDIO_FLEET_RESTARTS"] = String(restarts)
        process.environment = environment
        let output = try openLog(for: member, append: restarts > 0)
        process.standardOutput = output
        process.standardError = output
        let continuation = self.continuation
        process.terminationHandler = { process in
            let how = process.terminationReason == .uncaughtSignal
                ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            continuation.yield(.exited(member, pid: process.processIdentifier, how: how))
        }
        try process.run()
        children.withLock { $0[member] = process }
        started.withLock { $0[member] = .now }
        return process.processIdentifier
    }

    /// Whether `pid` is `member`'s current process (an exit reported late may be a replaced one's).
    func isCurrent(_ member: FleetMember, pid: Int32) -> Bool {
        children.withLock { $0[member]?.processIdentifier == pid }
    }

    /// What to do about `member`'s unexpected exit: restart it after a pause, or give up.
    func decideAfterExit(of member: FleetMember) -> (RestartTracker.Decision, restarts: Int) {
        let startedAt = started.withLock { $0[member] } ?? .now
        return restarts.withLock { trackers in
            let decision = trackers[member]!.childExited(startedAt: startedAt, exitedAt: .now)
            return (decision, trackers[member]!.restarts)
        }
    }

    /// Restarts `member` after `delay`, unless the fleet is stopping by then, and says when it is
    /// ready again. Runs on its own, so signals and other exits are handled meanwhile.
    func restart(_ member: FleetMember, after delay: Duration, restarts count: Int) {
        Task {
            try? await Task.sleep(for: delay)
            guard !isStopping else { return }
            do {
                let pid = try launch(member, restarts: count)
                note("restarted \(member.name): pid \(pid) (restart \(count))", in: member)
            } catch {
                note("could not restart \(member.name): \(error)", in: member)
                return
            }
            let since = ContinuousClock.now
            while !isStopping, isRunning(member) {
                if await isReady(member) {
                    note("\(member.name) is ready again after \(String(format: "%.1f", (ContinuousClock.now - since).seconds)) s", in: member)
                    return
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// One line on `up`'s console and in the member's own log, so whoever reads either sees it.
    func note(_ line: String, in member: FleetMember) {
        say("audio-fleet up: \(line)")
        let descriptor = open(logFile(of: member).path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        handle.write(Data("audio-fleet up: \(line)\n".utf8))
    }

    /// Each child writes to its log file; with --follow-logs a pipe copies lines here as well.
    /// Opened for appending, so `up`'s own notes (`note`) and the child's lines interleave rather
    /// than overwrite each other, and a restarted child continues its predecessor's log.
    private func openLog(for member: FleetMember, append: Bool) throws -> Any {
        let file = logFile(of: member)
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
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

    func isReady(_ member: FleetMember) async -> Bool {
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

    /// How one tier of the shutdown went.
    struct TierStop: Sendable {
        let name: String
        let members: [FleetMember]
        let took: Duration
        /// Members still running after the grace period, which SIGKILL ended.
        let killed: [FleetMember]
    }

    /// Stops the fleet tier by tier (`FleetDirectory.stopTiers`): SIGTERM to a tier's children,
    /// which drain their in-flight work within their shutdown budget and exit; the next tier
    /// only once they have. A child still running after `grace` gets SIGKILL.
    @discardableResult
    func stopAll(grace: Duration = .seconds(12)) async -> [TierStop] {
        stopping.store(true, ordering: .relaxed)
        var stops: [TierStop] = []
        for tier in FleetDirectory.stopTiers {
            let begun = ContinuousClock.now
            let processes = children.withLock { boxes in tier.members.compactMap { boxes[$0] }.filter(\.isRunning) }
            for process in processes { kill(process.processIdentifier, SIGTERM) }
            let deadline = begun + grace
            // Foundation reaps its children, so isRunning turns false once a process has exited.
            while ContinuousClock.now < deadline, anyRunning(tier.members) {
                try? await Task.sleep(for: .milliseconds(50))
            }
            let killed = children.withLock { boxes in
                tier.members.filter { member in
                    guard let process = boxes[member], process.isRunning else { return false }
                    kill(process.processIdentifier, SIGKILL)
                    return true
                }
            }
            stops.append(TierStop(name: tier.name, members: tier.members, took: ContinuousClock.now - begun, killed: killed))
        }
        continuation.finish()
        return stops
    }

    private func anyRunning(_ members: [FleetMember]) -> Bool {
        children.withLock { boxes in members.contains { boxes[$0]?.isRunning ?? false } }
    }

    /// Each child's exit status after `stopAll`, for those that did not exit 0.
    func uncleanExits() -> [String] {
        children.withLock { boxes in
            FleetDirectory.startOrder.compactMap { member in
                guard let process = boxes[member], !process.isRunning else { return nil }
                let clean = process.terminationReason == .exit && process.terminationStatus == 0
                return clean ? nil : "\(member.name) (\(process.terminationReason == .exit ? "exit status" : "signal") \(process.terminationStatus))"
            }
        }
    }

    func signalled(_ name: String) {
        continuation.yield(.signal(name))
    }

    func tail(of member: FleetMember, lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: logFile(of: member), encoding: .utf8) else { return "  (no log)" }
        return text.split(separator: "\n").suffix(lines).map { "    " + $0 }.joined(separator: "\n")
    }
}
