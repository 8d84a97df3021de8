import AsyncHTTPClient
import FleetTelemetry
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// The real `audio-fleet` binary running `up` as nine processes, for the end-to-end test.
final class FleetProcess: Sendable {
    /// Process is not Sendable: every use holds the lock.
    private let process: Mutex<Process>
    let portOffset: Int
    let workDirectory: URL

    /// The package root, found from this file's path so the test runs from any directory.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// AUDIO_FLEET_BIN, else the debug build that `swift build --build-tests` leaves behind.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["AUDIO_FLEET_BIN"] { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/audio-fleet")
    }

    /// Starts `audio-fleet <arguments>` in `directory` with exactly `environment`, its output
    /// (stdout and stderr) to the file `log`.
    static func launch(_ arguments: [String], in directory: URL, environment: [String: String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// `removing` takes variables out of the inherited environment (OTEL_*, to test the defaults).
    init(portOffset: Int, environment extra: [String: String], removing: (String) -> Bool = { _ in false }) throws {
        self.portOffset = portOffset
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("audio-fleet-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["up", "--port-offset", String(portOffset), "--log-directory",
                             workDirectory.appendingPathComponent("log").path]
        process.currentDirectoryURL = workDirectory
        var environment = ProcessInfo.processInfo.environment.filter { !removing($0.key) }
        environment["DATA_DIR"] = workDirectory.appendingPathComponent("data").path
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = Mutex(process)
    }

    private var isRunning: Bool { process.withLock { $0.isRunning } }

    func url(_ member: FleetMember) -> String { "http://127.0.0.1:\(member.hostPort + portOffset)" }

    /// Waits until every service answers /health/ready with 200.
    func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for member in FleetMember.allCases {
            while await TestHTTP.get(url(member) + "/health/ready").status != 200 {
                guard isRunning else { throw FleetTestError("`audio-fleet up` exited:\n\(logs())") }
                guard ContinuousClock.now < deadline else { throw FleetTestError("\(member.name) never became ready:\n\(logs())") }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    /// SIGTERM to `up`, which stops the nine children gracefully; returns how long that took.
    func stop() async -> Duration {
        let start = ContinuousClock.now
        process.withLock { if $0.isRunning { $0.terminate() } }
        while isRunning, ContinuousClock.now - start < .seconds(20) { try? await Task.sleep(for: .milliseconds(50)) }
        try? FileManager.default.removeItem(at: workDirectory)
        return ContinuousClock.now - start
    }

    func logs() -> String {
        FleetMember.allCases.map { member in
            let file = workDirectory.appendingPathComponent("log/\(member.name).log")
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            return "== \(member.name)\n" + text.split(separator: "\n").suffix(12).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

struct FleetTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Plain HTTP for the tests: a failed connection is status 0, so polling loops stay simple.
enum TestHTTP {
    struct Reply { let status: Int; let body: [UInt8] }

    static func get(_ url: String) async -> Reply {
        await send(HTTPClientRequest(url: url))
    }

    static func postJSON(_ url: String, _ json: String) async -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        return await send(request)
    }

    private static func send(_ request: HTTPClientRequest) async -> Reply {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 32 << 20)
            return Reply(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch {
            return Reply(status: 0, body: [])
        }
    }
}
