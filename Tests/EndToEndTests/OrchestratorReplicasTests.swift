import FleetTelemetry
import FleetTestSupport
import Foundation
import OrchestratorService
import Synchronization
import Testing

/// Two orchestrator processes sharing one PostgreSQL database (ORCHESTRATOR_STORE=postgres), as
/// replicas behind a Kubernetes Service would: real `audio-fleet serve orchestrator` binaries over
/// real guardrails, llm-flan and tts-bark processes, and the test's PostgreSQL server
/// (`TemporaryPostgres`). Never skipped: without the binary or a server it fails.
@Suite("Orchestrator replicas on PostgreSQL", .serialized)
struct OrchestratorReplicasTests {
    static let portOffset = 23_000

    @Test("two orchestrator processes writing one conversation at once: turns 1...50 once each, nothing lost")
    func twoReplicasOneConversation() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path),
                     "build the binary first: swift build --build-tests (\(FleetProcess.binary.path))")
        let database = try await TemporaryPostgres.makeDatabase()
        let peers = try ServedFleet(portOffset: Self.portOffset, members: [.guardrails, .llm, .tts])
        defer { peers.stop() }
        let ports = [FleetMember.orchestrator.hostPort + Self.portOffset, FleetMember.orchestrator.hostPort + Self.portOffset + 1]
        let replicas = try ports.map { port in
            try OrchestratorReplica(port: port, environment: [
                "ORCHESTRATOR_STORE": "postgres",
                // The password-less URL of the test server; ORCHESTRATOR_DATABASE_URL as users set it.
                "ORCHESTRATOR_DATABASE_URL": "postgres://\(database.username)@\(database.host):\(database.port)/\(database.database)?sslmode=disable",
                "ORCHESTRATOR_MAX_MESSAGES_PER_SESSION": "1000",
                "GUARDRAILS_URL": peers.url(.guardrails), "LLM_URL": peers.url(.llm), "TTS_URL": peers.url(.tts),
                "LATENCY_SCALE": "0.05",
            ])
        }
        defer { for replica in replicas { replica.stop() } }
        try await peers.waitUntilReady(timeout: .seconds(60))
        for replica in replicas { try await replica.waitUntilReady(timeout: .seconds(60)) }

        // Readiness names the store.
        let health = try await Self.json(replicas[0].url + "/health/ready")
        #expect("\(health)".contains("postgres"), "readiness does not show the postgres component: \(health)")

        let perReplica = 25
        let session = "replicas-\(UUID().uuidString.lowercased())"
        let started = ContinuousClock.now
        let replies = await withTaskGroup(of: (String, Int, String).self) { group in
            for (index, replica) in replicas.enumerated() {
                for number in 0..<perReplica {
                    let correlation = "r\(index)-t\(number)"
                    group.addTask {
                        let reply = await TestHTTP.postJSON(replica.url + "/mcp/transcript", """
                            {"transcript": "tell me about the weather please", "session_id": "\(session)",
                             "correlation_id": "\(correlation)", "include_audio": false}
                            """)
                        return (correlation, reply.status, String(decoding: reply.body, as: UTF8.self))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let took = ContinuousClock.now - started
        print("two orchestrator replicas: \(2 * perReplica) concurrent turns into one PostgreSQL conversation in \(took)")

        let failed = replies.filter { $0.1 != 200 }
        #expect(failed.isEmpty, "failed turns: \(failed.prefix(3))\n\(replicas.map { $0.logs() }.joined(separator: "\n"))")
        // Every reply got its own turn number, 1...50 between them.
        let numbers = replies.compactMap { reply -> Int? in
            guard let body = try? JSONSerialization.jsonObject(with: Data(reply.2.utf8)) as? [String: Any] else { return nil }
            return body["turn"] as? Int
        }
        #expect(numbers.sorted() == Array(1...(2 * perReplica)), "turn numbers: \(numbers.sorted())")

        // Both replicas read the same conversation, whole.
        for replica in replicas {
            let conversation = try await Self.json(replica.url + "/mcp/sessions/\(session)")
            #expect(conversation["turn_count"] as? Int == 2 * perReplica)
            let messages = conversation["messages"] as? [[String: Any]] ?? []
            #expect(messages.count == 4 * perReplica)
            let turns = messages.compactMap { $0["turn"] as? Int }
            #expect(Set(turns) == Set(1...(2 * perReplica)))
            for number in 1...(2 * perReplica) {
                let pair = messages.filter { $0["turn"] as? Int == number }
                #expect(pair.compactMap { $0["role"] as? String } == ["user", "assistant"], "turn \(number)")
                #expect(Set(pair.compactMap { $0["correlation_id"] as? String }).count == 1, "turn \(number)")
            }
            let correlations = Set(messages.compactMap { $0["correlation_id"] as? String })
            #expect(correlations == Set(replies.map(\.0)), "a turn's messages are missing")
        }
    }

    @Test("ORCHESTRATOR_STORE=postgres without a URL, or with a malformed one, stops start-up naming ORCHESTRATOR_DATABASE_URL")
    func refusedWithoutURL() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path),
                     "build the binary first: swift build --build-tests (\(FleetProcess.binary.path))")
        for (index, url) in [nil, "postgres://atlas:hunter2@db.internal:notaport/conversations"].enumerated() {
            var environment = ["ORCHESTRATOR_STORE": "postgres"]
            environment["ORCHESTRATOR_DATABASE_URL"] = url
            let replica = try OrchestratorReplica(port: FleetMember.orchestrator.hostPort + Self.portOffset + 2 + index,
                                                  environment: environment)
            let exited = await replica.waitForExit(within: .seconds(20))
            #expect(exited != nil && exited != 0, "the orchestrator did not stop with an error (\(String(describing: exited)))")
            let log = replica.logs()
            #expect(log.contains("ORCHESTRATOR_DATABASE_URL"), "the message does not name the variable: \(log)")
            #expect(!log.contains("hunter2"), "the message shows the password: \(log)")
            replica.stop()
        }
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let reply = await TestHTTP.get(url)
        try #require(reply.status == 200, "GET \(url): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        return (try JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
    }
}

/// One `audio-fleet serve orchestrator` process on its own port, its output in a log file.
final class OrchestratorReplica: Sendable {
    private let process: Mutex<Process>
    let port: Int
    let workDirectory: URL
    var url: String { "http://127.0.0.1:\(port)" }

    init(port: Int, environment extra: [String: String]) throws {
        self.port = port
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("audio-fleet-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OTEL_") }
        environment["OTEL_ENABLED"] = "false"
        environment["DATA_DIR"] = workDirectory.appendingPathComponent("data").path
        for (key, value) in extra { environment[key] = value }
        let process = try FleetProcess.launch(["serve", "orchestrator", "--port", String(port)], in: workDirectory,
                                              environment: environment,
                                              log: workDirectory.appendingPathComponent("orchestrator.log"))
        self.process = Mutex(process)
    }

    func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while await TestHTTP.get(url + "/health/ready").status != 200 {
            guard process.withLock({ $0.isRunning }) else { throw FleetTestError("orchestrator on \(port) exited:\n\(logs())") }
            guard ContinuousClock.now < deadline else { throw FleetTestError("orchestrator on \(port) never became ready:\n\(logs())") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The exit status once the process has exited, or nil if it still runs after `limit`.
    func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.withLock({ $0.isRunning }) {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.withLock { $0.terminationStatus }
    }

    func stop() {
        process.withLock { process in
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    func logs() -> String {
        let text = (try? String(contentsOf: workDirectory.appendingPathComponent("orchestrator.log"), encoding: .utf8)) ?? ""
        return "== orchestrator :\(port)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}
