import FleetTelemetry
import Foundation
import ServiceKit
import Testing

/// One service as a real process: the telemetry settings users pass, start-up errors, shutdown.
@Suite("A service process", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path), "build the binary first"))
struct ServiceProcessTests {
    /// Starts `audio-fleet serve guardrails` on `port` with `environment`, capturing its output.
    func serve(port: Int, environment extra: [String: String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = FleetProcess.binary
        process.arguments = ["serve", "guardrails", "--port", String(port)]
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

    @Test("an invalid telemetry variable stops start-up with a message naming it")
    func invalidVariable() async throws {
        let (process, output) = try serve(port: 29_413, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "otel-collector:4317"])
        let took = await waitForExit(process, within: .seconds(10))
        #expect(took != nil, "the process kept running")
        #expect(process.terminationStatus != 0)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "the message does not name the variable: \(text)")
    }
}
