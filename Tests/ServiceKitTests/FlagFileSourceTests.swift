import CoreMetrics
import FleetTelemetry
import Foundation
import Logging
import Prometheus
@testable import ServiceKit
import Testing

extension PrometheusCollectorRegistry {
    /// `flag_errors_total` for one flag and reason; 0 when there is no such series yet.
    func flagErrors(flag: String, reason: String) -> Double {
        for line in emitToString().split(separator: "\n")
        where line.hasPrefix("flag_errors_total{") && line.contains("flag=\"\(flag)\"") && line.contains("reason=\"\(reason)\"") {
            return line.split(separator: " ").last.flatMap { Double($0) } ?? 0
        }
        return 0
    }
}

@Suite("Flag file source")
struct FlagFileSourceTests {
    @Test("a change to the file is in effect within 2 s; a malformed file or a bad value keeps the last good state and is counted")
    func watchesTheFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = FlagFile(path: folder.file())
        let board = ScenarioBoard(service: "stt")
        let registry = PrometheusCollectorRegistry()
        let source = FlagFileSource(file: file, board: board, logger: Logger(label: "test.flags"))

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await source.run() }
                defer { group.cancelAll() }
                #expect(board.isOn(.sttSlow) == false, "no file: everything off")

                let written = ContinuousClock.now
                try await file.update { definitions throws(FlagError) in try definitions.switchOn("sttSlow", value: .number(5)) }
                let applied = try await poll(within: effectDeadline) { board.severity(.sttSlow) }
                #expect(applied == 5)
                print("flag file: a change applied after \(ContinuousClock.now - written)")

                // Whole files, replaced atomically as the controls and editors do: a reader never
                // sees a half-written one, which would be a second, different malformed file.
                try Self.replace(file, with: Array(#"{"flags": {"sttSlow": "#.utf8))
                let malformed = try await poll(within: effectDeadline) {
                    registry.flagErrors(flag: "file", reason: "malformed_file") == 1 ? true : nil
                }
                #expect(malformed == true, "a malformed file is counted once")
                #expect(board.severity(.sttSlow) == 5, "the last good state stays")

                var bad = FlagDefinitions.defaults
                bad.flags["sttFailure"]?.variants["on"] = .number(150)
                bad.flags["sttFailure"]?.defaultVariant = "on"
                try Self.replace(file, with: bad.encoded())
                let outOfRange = try await poll(within: effectDeadline) {
                    registry.flagErrors(flag: "sttFailure", reason: "invalid_value") == 1 ? true : nil
                }
                #expect(outOfRange == true)
                #expect(board.severity(.sttSlow) == 5 && !board.isOn(.sttFailure), "a refused file changes nothing")

                try await file.write(.defaults)
                let off = try await poll(within: effectDeadline) { board.isOn(.sttSlow) ? nil : true }
                #expect(off == true, "the fixed file is applied")
                #expect(registry.flagErrors(flag: "file", reason: "malformed_file") == 1, "each refusal was counted once")
            }
        }
    }

    /// Replaces `file` with `bytes` whatever they are (`FlagFile` writes only valid definitions).
    static func replace(_ file: FlagFile, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file.path), options: .atomic)
    }

    @Test("the sources look often enough to keep the 2 s promise")
    func pollIntervals() {
        let board = ScenarioBoard(service: "stt")
        let logger = Logger(label: "test.flags")
        // A change is applied by the first look after it: one interval, plus a read of a few
        // kilobytes or one request bounded by its timeout.
        let file = FlagFileSource(file: FlagFile(path: "unused"), board: board, logger: logger)
        #expect(file.interval <= .seconds(1))
        let ofrep = OFREPSource(baseURL: "http://127.0.0.1:1", board: board, logger: logger)
        #expect(ofrep.interval + ofrep.timeout <= .seconds(2))
    }

    @Test("FLAGD_HOST picks OFREP at flagd's port 8016; without it the file at SCENARIO_FLAGS_FILE")
    func selection() throws {
        let file = try ScenarioSettings(reader: ServiceSettings.forTesting(member: .stt).reader)
        #expect(file.flagdHost == nil && file.ofrepBaseURL == nil)
        #expect(file.flagsFile == "var/flags/scenarios.flagd.json")
        let runtime = ServiceRuntime(member: .stt, settings: try .forTesting(member: .stt, environment: ["SCENARIO_FLAGS_FILE": "/tmp/x.json"]))
        #expect(runtime.flagFile.path == "/tmp/x.json")
        #expect(try FlagSource.source(runtime: runtime) is FlagFileSource)

        let flagd = ServiceRuntime(member: .stt, settings: try .forTesting(member: .stt, environment: ["FLAGD_HOST": "flagd"]))
        let source = try #require(try FlagSource.source(runtime: flagd) as? OFREPSource)
        #expect(source.baseURL == "http://flagd:8016")

        let badPort = try ServiceSettings.forTesting(member: .stt, environment: ["FLAGD_HOST": "flagd", "FLAGD_OFREP_PORT": "http"])
        #expect(throws: SettingsError.self) { try ScenarioSettings(reader: badPort.reader) }
    }
}
