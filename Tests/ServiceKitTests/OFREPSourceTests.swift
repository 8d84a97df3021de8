import CoreMetrics
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceKit
import Synchronization
import Testing

/// Answers OFREP bulk evaluations as flagd does: `{"flags": [...]}` with an ETag that changes with
/// the flags, and 304 to a request whose If-None-Match is the current one.
final class FakeFlagd: Sendable {
    private struct State {
        var evaluations: [String: String] = [:]
        var version = 1
        var answered = 0
        var notModified = 0
        var requestBodies: Set<String> = []
    }

    private let state = Mutex(State())

    /// Serves `key` as a successful evaluation of `value` (JSON text); nil `value` serves flagd's
    /// answer for a disabled flag (reason DISABLED, no value).
    func serve(_ key: String, _ value: String?, variant: String = "on") {
        let evaluation = value.map { #"{"key":"\#(key)","value":\#($0),"variant":"\#(variant)","reason":"STATIC","metadata":{}}"# }
            ?? #"{"key":"\#(key)","reason":"DISABLED","metadata":{}}"#
        state.withLock {
            $0.evaluations[key] = evaluation
            $0.version += 1
        }
    }

    var answered: Int { state.withLock { $0.answered } }
    var notModified: Int { state.withLock { $0.notModified } }
    var requestBodies: Set<String> { state.withLock { $0.requestBodies } }

    func answer(ifNoneMatch: String?, body: String) -> Response {
        state.withLock { state in
            state.requestBodies.insert(body)
            let etag = "\"flags-\(state.version)\""
            if ifNoneMatch == etag {
                state.notModified += 1
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            state.answered += 1
            let text = #"{"flags":[\#(state.evaluations.values.sorted().joined(separator: ","))]}"#
            return Response(status: .ok, headers: [.contentType: "application/json", .eTag: etag],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// Serves on a free loopback port (or `port`); returns the port and the task to cancel to stop.
    func start(port: Int = 0) async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.post("/ofrep/v1/evaluate/flags") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            return self.answer(ifNoneMatch: request.headers[.ifNoneMatch], body: String(buffer: body))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "fake-flagd") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var bound = 0
        for await value in stream { bound = value; break }
        return (bound, task)
    }
}

/// Keeps the messages logged at warning and above, to count them.
struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .warning { records.records.withLock { $0.append("\(event.message)") } }
    }
}

final class LogRecords: Sendable {
    let records = Mutex<[String]>([])
    var logger: Logger { Logger(label: "test.ofrep") { _ in RecordingLogHandler(records: self) } }
    func count(containing text: String) -> Int { records.withLock { $0.filter { $0.contains(text) }.count } }
}

@Suite("OFREP flag source")
struct OFREPSourceTests {
    @Test("applies flagd's values within 2 s, sends an empty context, and takes 304 for no change")
    func appliesValues() async throws {
        let flagd = FakeFlagd()
        flagd.serve("sttSlow", "4")
        flagd.serve("otlpBlackhole", "true")
        flagd.serve("downstreamUnreachable", #""llm-flan""#)
        flagd.serve("ttsFailure", nil)
        let server = try await flagd.start()
        defer { server.task.cancel() }
        let board = ScenarioBoard(service: "stt")
        let source = OFREPSource(baseURL: "http://127.0.0.1:\(server.port)", board: board, logger: Logger(label: "test.ofrep"))

        try await withThrowingTaskGroup(of: Void.self) { group throws in
            group.addTask { try await source.run() }
            defer { group.cancelAll() }
            #expect(try await poll(within: effectDeadline) { board.severity(.sttSlow) } == 4)
            #expect(board.isOn(.otlpBlackhole) && board.peer(.downstreamUnreachable) == "llm-flan")
            #expect(!board.isOn(.ttsFailure), "a DISABLED flag is off")
            #expect(flagd.requestBodies == [#"{"context":{}}"#])

            #expect(try await poll(within: effectDeadline) { flagd.notModified >= 1 ? true : nil } == true,
                    "an unchanged flag set is answered 304 through If-None-Match")
            #expect(board.severity(.sttSlow) == 4, "a 304 keeps what is in effect")

            flagd.serve("sttSlow", "8")
            flagd.serve("otlpBlackhole", "false", variant: "off")
            #expect(try await poll(within: effectDeadline) { board.severity(.sttSlow) == 8 ? true : nil } == true)
            #expect(!board.isOn(.otlpBlackhole))
        }
    }

    @Test("a value out of range keeps that flag's last good value, is counted, and the others still apply")
    func refusesBadValues() async throws {
        let flagd = FakeFlagd()
        flagd.serve("sttFailure", "25")
        let server = try await flagd.start()
        defer { server.task.cancel() }
        let board = ScenarioBoard(service: "stt")
        let registry = PrometheusCollectorRegistry()
        let source = OFREPSource(baseURL: "http://127.0.0.1:\(server.port)", board: board, logger: Logger(label: "test.ofrep"))

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group throws in
                group.addTask { try await source.run() }
                defer { group.cancelAll() }
                #expect(try await poll(within: effectDeadline) { board.severity(.sttFailure) } == 25)

                flagd.serve("sttFailure", "150")
                flagd.serve("packetLoss", "10")
                flagd.serve("someoneElsesFlag", "true")
                #expect(try await poll(within: effectDeadline) { board.severity(.packetLoss) } == 10)
                #expect(board.severity(.sttFailure) == 25, "the refused flag keeps its last good value")
                #expect(registry.flagErrors(flag: "sttFailure", reason: "invalid_value") == 1)
                #expect(registry.flagErrors(flag: "other", reason: "unknown_flag") == 1)

                // Unchanged answers are neither evaluated nor counted again.
                let answered = flagd.answered
                #expect(try await poll(within: effectDeadline) { flagd.notModified >= 2 ? true : nil } == true)
                #expect(flagd.answered == answered)
                #expect(registry.flagErrors(flag: "sttFailure", reason: "invalid_value") == 1)
            }
        }
    }

    @Test("while flagd is unreachable the last good state stays, each poll is counted, one warning is logged")
    func keepsStateWhenUnreachable() async throws {
        let flagd = FakeFlagd()
        flagd.serve("noisyRoom", "25")
        let server = try await flagd.start()
        let board = ScenarioBoard(service: "discord")
        let registry = PrometheusCollectorRegistry()
        let logs = LogRecords()
        let source = OFREPSource(baseURL: "http://127.0.0.1:\(server.port)", board: board, logger: logs.logger,
                                 interval: .milliseconds(200))

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group throws in
                group.addTask { try await source.run() }
                defer { group.cancelAll() }
                #expect(try await poll(within: effectDeadline) { board.severity(.noisyRoom) } == 25)

                // A poll that timed out on a loaded machine before this is an outage of its own, with
                // its own warning: count only what this outage logs.
                let warningsBefore = logs.count(containing: "flagd cannot be reached")
                server.task.cancel()
                _ = await server.task.result
                let failures = try await poll(within: effectDeadline) {
                    registry.flagErrors(flag: "file", reason: "unreachable") >= 3 ? true : nil
                }
                #expect(failures == true, "every failed poll is counted")
                #expect(board.severity(.noisyRoom) == 25, "the last good state stays")
                #expect(logs.count(containing: "flagd cannot be reached") - warningsBefore == 1,
                        "one warning per outage, not one per poll")

                // flagd back on the same port: the source picks up where it left off.
                flagd.serve("noisyRoom", "10")
                let restarted = try await flagd.start(port: server.port)
                defer { restarted.task.cancel() }
                #expect(try await poll(within: effectDeadline) { board.severity(.noisyRoom) == 10 ? true : nil } == true)
            }
        }
    }
}
