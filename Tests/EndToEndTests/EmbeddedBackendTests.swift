import FleetTelemetry
import Foundation
import ServiceKit
import Synchronization
import Testing

/// The monitoring dashboard as the fleet's OTLP backend, with the real binary: `audio-fleet up`
/// with no collector and no OTLP variable exports there by default, and a dashboard that dies
/// takes nobody down with it.
@Suite("Embedded OTLP backend, end to end", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path),
                "build the binary first: swift build --build-tests"))
struct EmbeddedBackendTests {
    @Test("`up` with no OTLP variable exports to the dashboard: a voice turn's trace from 8 services, no orphans")
    func upExportsToTheDashboardByDefault() async throws {
        // Nothing OTEL_* from the machine running the test: the default is what is tested.
        let fleet = try FleetProcess(portOffset: 21_000, environment: [
            "LATENCY_SCALE": "0.3", "DISCORD_SPEAKERS": "3", "MONITOR_POLL_INTERVAL": "1",
        ], removing: { $0.hasPrefix("OTEL_") })
        do {
            try await fleet.waitUntilReady(timeout: .seconds(30))
            try await checkTurnTrace(fleet.url(.monitoringDashboard), logs: fleet.logs)
        } catch {
            _ = await fleet.stop()
            throw error
        }
        _ = await fleet.stop()
    }

    /// Waits for a voice turn whose trace has arrived whole (root, 8 services, no orphans), then
    /// checks what the API says about it.
    func checkTurnTrace(_ dashboard: String, logs: () -> String) async throws {
        let deadline = ContinuousClock.now + .seconds(45)
        var best = "no trace yet"
        var complete: [String: Any]?
        while complete == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            for summary in try await Self.json(dashboard + "/api/traces?service=discord&limit=20")["traces"] as? [[String: Any]] ?? []
            where summary["root_name"] as? String == StageSpan.turn {
                let id = summary["trace_id"] as? String ?? ""
                let trace = try await Self.json(dashboard + "/api/traces/\(id)")
                let spans = trace["spans"] as? [[String: Any]] ?? []
                let services = Set(spans.compactMap { $0["service"] as? String })
                let orphans = Self.orphans(spans)
                best = "\(id): \(spans.count) spans, services \(services.sorted()), \(orphans.count) orphans"
                if services.count >= 8, orphans.isEmpty {
                    complete = trace
                    break
                }
            }
        }
        let trace = try #require(complete, "no whole voice-turn trace in the dashboard within 45 s (best: \(best)):\n\(logs())")
        let spans = trace["spans"] as? [[String: Any]] ?? []
        let names = Set(spans.compactMap { $0["name"] as? String })
        for stage in [StageSpan.transcribe, StageSpan.orchestrate, StageSpan.generate, StageSpan.synthesize] {
            #expect(names.contains(stage), "the turn's trace lacks \(stage)")
        }
        #expect(spans.filter { $0["parent_span_id"] is NSNull }.count == 1, "one root")

        let map = try await Self.json(dashboard + "/api/service-map?minutes=5")["edges"] as? [[String: Any]] ?? []
        let edges = Set(map.map { "\($0["caller"] ?? "")>\($0["callee"] ?? "")" })
        for edge in ["discord>stt", "discord>orchestrator", "orchestrator>llm-flan", "orchestrator>tts-bark"] {
            #expect(edges.contains(edge), "the service map lacks \(edge): \(edges.sorted())")
        }
        let status = try await Self.json(dashboard + "/api/telemetry/status")
        #expect(status["last_error"] is NSNull, "the store reports \(status["last_error"] ?? "")")
        #expect((status["logs"] as? Int ?? 0) > 0, "no log record arrived")
    }

    @Test("killing the dashboard does not slow the others: orchestrator turns before and after SIGKILL")
    func killingTheDashboardSlowsNobody() async throws {
        let fleet = try ServedFleet(portOffset: 22_000,
                                    members: [.monitoringDashboard, .guardrails, .llm, .tts, .orchestrator])
        defer { fleet.stop() }
        try await fleet.waitUntilReady(timeout: .seconds(30))
        let dashboard = fleet.url(.monitoringDashboard)
        let turn = fleet.url(.orchestrator) + "/mcp/transcript"
        let body = #"{"transcript": "what time is it", "include_audio": false}"#

        _ = try await Self.timedTurns(2, turn, body)  // warm-up: connections, caches
        let before = try await Self.timedTurns(10, turn, body)
        // The exports reached the dashboard: the orchestrator's turns are there.
        var exported = 0
        for _ in 0..<40 where exported == 0 {
            try await Task.sleep(for: .milliseconds(250))
            exported = (try await Self.json(dashboard + "/api/traces?service=orchestrator&limit=50")["traces"]
                as? [[String: Any]])?.count ?? 0
        }
        #expect(exported > 0, "no orchestrator trace reached the dashboard:\n\(fleet.logs())")

        fleet.kill(.monitoringDashboard)
        try await Task.sleep(for: .seconds(1))  // every exporter meets the dead endpoint at least once
        let after = try await Self.timedTurns(10, turn, body)
        #expect(await TestHTTP.get(fleet.url(.orchestrator) + "/health/ready").status == 200,
                "the dashboard is nobody's dependency")

        let (medianBefore, medianAfter) = (Self.median(before), Self.median(after))
        print("orchestrator turn median: \(Int(medianBefore * 1000)) ms with the dashboard, "
              + "\(Int(medianAfter * 1000)) ms after SIGKILL (\(exported) traces exported before)")
        #expect(medianAfter <= 2 * medianBefore + 0.1,
                "turns slowed from \(medianBefore) s to \(medianAfter) s once the dashboard died")
    }

    /// Runs `count` turns one after another; each must succeed. Returns their durations in seconds.
    static func timedTurns(_ count: Int, _ url: String, _ body: String) async throws -> [Double] {
        var seconds: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let reply = await TestHTTP.postJSON(url, body)
            seconds.append((ContinuousClock.now - start).seconds)
            try #require(reply.status == 200, "a turn failed (\(reply.status)): \(String(decoding: reply.body, as: UTF8.self))")
        }
        return seconds
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }

    /// Spans whose parent is named but absent.
    static func orphans(_ spans: [[String: Any]]) -> [[String: Any]] {
        let ids = Set(spans.compactMap { $0["span_id"] as? String })
        return spans.filter { span in (span["parent_span_id"] as? String).map { !ids.contains($0) } ?? false }
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let reply = await TestHTTP.get(url)
        return (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
    }
}

/// Some services as separate `audio-fleet serve` processes, exporting OTLP/JSON to the dashboard
/// among them: unlike `up`, which stops them all when one dies, these outlive each other.
final class ServedFleet: Sendable {
    private let processes: Mutex<[FleetMember: Process]>
    let portOffset: Int
    let workDirectory: URL

    init(portOffset: Int, members: [FleetMember]) throws {
        self.portOffset = portOffset
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("audio-fleet-served-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent("log"),
                                                withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OTEL_") }
        for member in FleetMember.allCases {
            environment[member.urlVariable] = "http://127.0.0.1:\(member.hostPort + portOffset)"
        }
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:\(FleetMember.monitoringDashboard.hostPort + portOffset)"
        environment["FLEET_OTLP_EMBEDDED_BACKEND"] = "true"
        // Exports as often as the fleet allows, so a dead endpoint is met on every turn.
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "100"
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "100"
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000"
        environment["LATENCY_SCALE"] = "0.2"
        environment["ORCHESTRATOR_STORE"] = "memory"
        environment["DATA_DIR"] = workDirectory.appendingPathComponent("data").path
        var started: [FleetMember: Process] = [:]
        for member in members {
            started[member] = try FleetProcess.launch(
                ["serve", member.name, "--port", String(member.hostPort + portOffset)], in: workDirectory,
                environment: environment, log: workDirectory.appendingPathComponent("log/\(member.name).log"))
        }
        processes = Mutex(started)
    }

    func url(_ member: FleetMember) -> String { "http://127.0.0.1:\(member.hostPort + portOffset)" }

    func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for member in processes.withLock({ Array($0.keys) }) {
            while await TestHTTP.get(url(member) + "/health/ready").status != 200 {
                guard ContinuousClock.now < deadline else { throw FleetTestError("\(member.name) never became ready:\n\(logs())") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// SIGKILL: no graceful shutdown, no final export, the port just goes dead.
    func kill(_ member: FleetMember) {
        processes.withLock { processes in
            guard let process = processes[member], process.isRunning else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// SIGTERM to each, waiting for it to exit.
    func stop() {
        processes.withLock { processes in
            for process in processes.values where process.isRunning { process.terminate() }
            for process in processes.values { process.waitUntilExit() }
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    func logs() -> String {
        processes.withLock { Array($0.keys) }.map { member in
            let text = (try? String(contentsOf: workDirectory.appendingPathComponent("log/\(member.name).log"), encoding: .utf8)) ?? ""
            return "== \(member.name)\n" + text.split(separator: "\n").suffix(12).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
