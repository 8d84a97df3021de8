import FleetTelemetry
import Foundation
import ServiceKit
import Testing

/// One service as a real process: the telemetry settings users pass, start-up errors, shutdown.
@Suite("A service process", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path), "build the binary first"))
struct ServiceProcessTests {
    /// Starts `audio-fleet serve guardrails` (or `service`, with `options`) on `port` with
    /// `environment`, capturing its output.
    func serve(port: Int, environment extra: [String: String], service: String = "guardrails",
               options: [String] = []) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = FleetProcess.binary
        process.arguments = ["serve", service, "--port", String(port)] + options
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    func waitForExit(_ process: Process, within limit: Duration) async -> Duration? {
        let start = ContinuousClock.now
        while process.isRunning {
            guard ContinuousClock.now - start < limit else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return ContinuousClock.now - start
    }

    @Test("exports over OTLP with no collector listening, keeps serving, stops within 5 s",
          arguments: TelemetryConfiguration.protocols.sorted())
    func noCollector(protocol name: String) async throws {
        let port = ["grpc": 29_411, "http/protobuf": 29_412][name]!
        let (process, _) = try serve(port: port, environment: [
            "OTEL_EXPORTER_OTLP_PROTOCOL": name, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
            "OTEL_ENABLED": "true", "OTEL_METRIC_EXPORT_INTERVAL": "500", "OTEL_BSP_SCHEDULE_DELAY": "200",
        ])
        defer { if process.isRunning { process.interrupt() } }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = await TestHTTP.get("http://127.0.0.1:\(port)/health/ready").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "guardrails did not become ready with \(name) export and no collector")
        let check = await TestHTTP.postJSON("http://127.0.0.1:\(port)/validate/input", #"{"text": "hello"}"#)
        #expect(check.status == 200)
        try await Task.sleep(for: .seconds(1))  // let a few exports fail first

        process.terminate()
        let took = await waitForExit(process, within: .seconds(10))
        #expect(took != nil && took! < .seconds(5), "shutdown took \(String(describing: took))")
        #expect(process.terminationStatus == 0)
    }

    /// Starts guardrails with `variable` set to `value` and expects it to stop at once, non-zero,
    /// with a message that names the variable.
    func expectRefused(_ variable: String, _ value: String, port: Int) async throws {
        let (process, output) = try serve(port: port, environment: [variable: value])
        let took = await waitForExit(process, within: .seconds(10))
        #expect(took != nil, "the process kept running")
        #expect(process.terminationStatus != 0)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains(variable), "the message does not name the variable: \(text)")
    }

    @Test("an invalid telemetry variable stops start-up with a message naming it")
    func invalidVariable() async throws {
        try await expectRefused("OTEL_EXPORTER_OTLP_ENDPOINT", "otel-collector:4317", port: 29_413)
    }

    @Test("a service other than the bridge runs every thread at nice 10, and SERVICE_NICE sets it")
    func cpuPriority() async throws {
        for (port, configured, expected) in [(29_414, nil, 10), (29_415, "3", 3)] as [(Int, String?, Int)] {
            let (process, _) = try serve(port: port, environment: configured.map { ["SERVICE_NICE": $0] } ?? [:])
            defer { if process.isRunning { process.interrupt() } }
            var ready = false
            for _ in 0..<100 where !ready {
                ready = await TestHTTP.get("http://127.0.0.1:\(port)/health/ready").status == 200
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready)
            // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value. A dispatch worker
            // made after start-up may be at 0 for up to a second (CPUPriority.Keeper).
            func niceOfEachThread() throws -> [String: Int] {
                let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/task")
                var nice: [String: Int] = [:]
                for task in tasks {
                    let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(task)/stat", encoding: .utf8)
                    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
                    nice[task] = fields.count > 17 ? Int(fields[16]) : nil
                }
                return nice
            }
            var threads = try niceOfEachThread()
            for _ in 0..<30 where threads.values.contains(where: { $0 != expected }) {
                try await Task.sleep(for: .milliseconds(100))
                threads = try niceOfEachThread()
            }
            #expect(threads.count > 3, "the server's threads: \(threads)")
            #expect(threads.values.allSatisfy { $0 == expected }, "nice of each thread: \(threads)")
            process.terminate()
            _ = await waitForExit(process, within: .seconds(10))
        }
    }

    @Test("SERVICE_NICE outside 0...19 stops start-up with a message naming it")
    func invalidNice() async throws {
        try await expectRefused("SERVICE_NICE", "-5", port: 29_416)
    }

    @Test("--shard is the bridge's only, and takes i/n with 0 <= i < n")
    func shardOption() async throws {
        for (service, shard, message) in [("guardrails", "0/2", "discord bridge only"), ("discord", "2/2", "0 <= i < n"),
                                          ("discord", "half", "0 <= i < n")] {
            let (process, output) = try serve(port: 29_417, environment: [:], service: service, options: ["--shard", shard])
            defer { if process.isRunning { process.interrupt() } }
            #expect(await waitForExit(process, within: .seconds(10)) != nil, "\(service) --shard \(shard) kept running")
            #expect(process.terminationStatus != 0)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.contains(message), "\(service) --shard \(shard): \(text)")
        }
    }
}
