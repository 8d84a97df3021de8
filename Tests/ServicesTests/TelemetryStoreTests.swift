import Foundation
import GRDB
import HTTPTypes
import ServiceKit
import Testing
@testable import MonitoringDashboardService

/// The SQLite store under the embedded backend: what it answers, and how it stays inside its
/// bounds and keeps working when its file or its disk goes wrong.
@Suite("Telemetry: the SQLite store")
struct TelemetryStoreTests {
    static let turnA = "aaaa0000000000000000000000000001"
    static let turnB = "bbbb0000000000000000000000000002"

    func spans(_ json: String) throws -> [StoredSpan] {
        try OTLPReceiverController.decode(OTLPTraceRequest.self, Data(json.utf8)).storedSpans().spans
    }

    func logs(_ json: String) throws -> [StoredLog] {
        try OTLPReceiverController.decode(OTLPLogsRequest.self, Data(json.utf8)).storedLogs(now: 0)
    }

    @Test("a trace comes back whole, with its logs; the list is newest first and filters by service")
    func traceAndList() async throws {
        let store = try TelemetryFixture.store()
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnA, secondsAgo: 10)))
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 5)))
        try await store.insert(spans: spans(TelemetryFixture.swiftOTelTraces))
        try await store.insert(logs: logs(TelemetryFixture.logs(service: "orchestrator", [
            ("turn A", Self.turnA, 9), ("turn B", Self.turnB, 4), ("no trace", nil, 3)])))

        let trace = try #require(try await store.trace(id: Self.turnA))
        #expect(trace.spans.count == 9)
        #expect(trace.orphans.isEmpty)
        #expect(trace.services == ["discord", "guardrails", "llm-flan", "orchestrator", "tts-bark"])
        #expect(trace.spans.first?.name == "voice.turn", "sorted by start time")
        #expect(trace.logs.map(\.body) == ["turn A"])
        #expect(try await store.trace(id: "cccc0000000000000000000000000003") == nil)

        let recent = try await store.recentTraces(limit: 10, service: nil)
        #expect(recent.map(\.traceId) == [Self.turnB, Self.turnA, TelemetryFixture.capturedTraceID],
                "newest first (the captured one is from 2026-12-06, older)")
        let b = try #require(recent.first)
        #expect(b.rootName == "voice.turn" && b.rootService == "discord")
        #expect(b.spanCount == 9 && b.errorCount == 1)
        #expect(abs(b.durationSeconds - 0.9) < 0.001)
        #expect(try await store.recentTraces(limit: 1, service: nil).count == 1)
        #expect(try await store.recentTraces(limit: 10, service: "guardrails").count == 3)
        #expect(try await store.recentTraces(limit: 10, service: "tts-bark").map(\.traceId) == [Self.turnB, Self.turnA])

        #expect(try await store.logs(traceID: nil, service: nil, limit: 10).map(\.body) == ["no trace", "turn B", "turn A"])
        #expect(try await store.logs(traceID: Self.turnB, service: nil, limit: 10).map(\.body) == ["turn B"])
        #expect(try await store.logs(traceID: nil, service: "stt", limit: 10).isEmpty)
        #expect(try await store.logs(traceID: nil, service: "orchestrator", limit: 2).count == 2)
    }

    @Test("a trace's root found when its parts arrive in separate exports, root last")
    func rootArrivesLast() async throws {
        let store = try TelemetryFixture.store()
        let start = TelemetryFixture.nanos(secondsAgo: 2)
        let child = TelemetryFixture.Span(traceID: Self.turnA, spanID: "00000000000000c1", parentID: "00000000000000a1",
                                          name: "/asr", start: start + 10)
        let root = TelemetryFixture.Span(traceID: Self.turnA, spanID: "00000000000000a1", parentID: nil,
                                         name: "voice.turn", start: start, durationNanos: 50)
        try await store.insert(spans: spans(TelemetryFixture.traces([("stt", [child])])))
        #expect(try await store.recentTraces(limit: 1, service: nil).first?.rootName == "/asr")
        #expect(try await store.trace(id: Self.turnA)?.orphans.count == 1, "the parent has not arrived")
        try await store.insert(spans: spans(TelemetryFixture.traces([("discord", [root])])))
        let summary = try #require(try await store.recentTraces(limit: 1, service: nil).first)
        #expect(summary.rootName == "voice.turn" && summary.rootService == "discord")
        #expect(summary.services == ["discord", "stt"] && summary.spanCount == 2)
        #expect(summary.startTimeUnixNano == start)
        #expect(try await store.trace(id: Self.turnA)?.orphans.isEmpty == true)
    }

    @Test("the service map: an edge for each parent -> child pair across services, with calls and errors")
    func serviceMap() async throws {
        let store = try TelemetryFixture.store()
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnA, secondsAgo: 30)))
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 2)))
        let edges = try await store.serviceMap(since: Date().addingTimeInterval(-60))
        #expect(edges == [
            ServiceEdge(caller: "discord", callee: "orchestrator", calls: 2, errors: 0),
            ServiceEdge(caller: "orchestrator", callee: "guardrails", calls: 2, errors: 0),
            ServiceEdge(caller: "orchestrator", callee: "llm-flan", calls: 2, errors: 0),
            ServiceEdge(caller: "orchestrator", callee: "tts-bark", calls: 2, errors: 2),
        ])
        let recent = try await store.serviceMap(since: Date().addingTimeInterval(-10))
        #expect(recent.map(\.calls) == [1, 1, 1, 1], "only the turn since then")
    }

    @Test("metrics: an unchanged value is not stored again; the latest is summed per metric and service")
    func latestMetrics() async throws {
        let store = try TelemetryFixture.store()
        func ingest(_ requests: Int, secondsAgo: Double) async throws -> Int {
            let json = TelemetryFixture.metrics(service: "stt", requests: requests, secondsAgo: secondsAgo)
            let points = try OTLPReceiverController.decode(OTLPMetricsRequest.self, Data(json.utf8)).storedPoints(now: 0)
            return try await store.insert(points: points)
        }
        #expect(try await ingest(3, secondsAgo: 20) == 4)
        #expect(try await ingest(3, secondsAgo: 10) == 0, "nothing changed")
        #expect(try await ingest(5, secondsAgo: 1) == 3, "the gauge stayed at 1")
        let latest = try await store.latestMetrics(service: nil)
        #expect(latest.map(\.name) == ["http_requests_total", "latency_seconds", "service_health_status"])
        #expect(latest.map(\.value) == [15, 2.5, 1])
        #expect(latest.map(\.count) == [nil, 5, nil])
        #expect(latest.map(\.series) == [2, 1, 1])
        #expect(latest.map(\.kind) == ["sum", "histogram", "gauge"])
        #expect(try await store.latestMetrics(service: "llm-flan").isEmpty)
        #expect(await store.status().metricPoints == 7)
    }

    @Test("pruning by age drops whole traces, logs and points older than the bound, and only those")
    func pruneByAge() async throws {
        let store = try TelemetryFixture.store(maxAgeSeconds: 60)
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnA, secondsAgo: 120)))
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 5)))
        try await store.insert(logs: logs(TelemetryFixture.logs(service: "stt", [("old", nil, 90), ("new", nil, 1)])))
        let old = try OTLPReceiverController.decode(OTLPMetricsRequest.self,
                                                    Data(TelemetryFixture.metrics(service: "stt", requests: 1, secondsAgo: 100).utf8))
        try await store.insert(points: old.storedPoints(now: 0))

        let report = try await store.prune()
        #expect(report.traces == 1 && report.logs == 1 && report.metricPoints == 4)
        #expect(try await store.trace(id: Self.turnA) == nil)
        #expect(try await store.trace(id: Self.turnB)?.spans.count == 9)
        #expect(try await store.logs(traceID: nil, service: nil, limit: 10).map(\.body) == ["new"])
        let status = await store.status()
        #expect(status.spans == 9 && status.logs == 1 && status.metricPoints == 0)
        #expect(status.oldestTimeUnixNano.map { $0 > TelemetryFixture.nanos(secondsAgo: 60) } == true)
    }

    @Test("pruning by size keeps the newest under the bound, and the file on disk really shrinks")
    func pruneBySize() async throws {
        let directory = try TelemetryFixture.directory()
        let maxBytes: Int64 = 1 << 20
        let store = try TelemetryFixture.store(directory: directory, maxBytes: maxBytes)
        // About 4 MiB of traces, the newest last.
        for turn in 0..<240 {
            let id = String(format: "%08x", turn) + "000000000000000000000000"
            let padded = TelemetryFixture.voiceTurn(traceID: id, secondsAgo: Double(300 - turn))
                .replacingOccurrences(of: #""name":"POST""#,
                                      with: #""name":"POST","attributes":[{"key":"pad","value":{"stringValue":"\#(String(repeating: "x", count: 4000))"}}]"#)
            try await store.insert(spans: spans(padded))
        }
        // The WAL folded into the file, so the file's size is the data's.
        try await store.database.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let before = await store.status()
        #expect(before.bytes > 3 * maxBytes, "\(before.bytes)")

        let report = try await store.prune()
        let after = await store.status()
        #expect(report.usedBytesAfter <= maxBytes, "\(report)")
        #expect(after.bytes <= maxBytes + (64 << 10), "the file gives the pages back: \(after.bytes)")
        #expect(after.spans > 0 && after.spans < before.spans)
        let kept = try await store.recentTraces(limit: 1000, service: nil)
        #expect(kept.first?.traceId == String(format: "%08x", 239) + "000000000000000000000000", "the newest stay")
        #expect(kept.allSatisfy { $0.spanCount == 9 }, "traces are dropped whole")
        #expect(try await store.trace(id: String(format: "%08x", 0) + "000000000000000000000000") == nil)
    }

    @Test("a file that is not a database is moved aside, named in the error, and a fresh store works")
    func corruptFile() async throws {
        let directory = try TelemetryFixture.directory()
        let path = URL(fileURLWithPath: directory).appendingPathComponent(TelemetryStoreConfig.fileName).path
        try Data(repeating: 0x5A, count: 64 * 1024).write(to: URL(fileURLWithPath: path))

        let store = try TelemetryFixture.store(directory: directory)
        let status = await store.status()
        #expect(status.path == path)
        let error = try #require(status.lastError)
        let aside = try #require(try FileManager.default.contentsOfDirectory(atPath: directory)
            .first { $0.hasPrefix(TelemetryStoreConfig.fileName + ".corrupt-") })
        #expect(error.contains(path) && error.contains(aside), "\(error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(aside)).first == 0x5A,
                "the bad file is kept for a post-mortem")
        try await store.insert(spans: spans(TelemetryFixture.swiftOTelTraces))
        #expect(try await store.trace(id: TelemetryFixture.capturedTraceID)?.spans.count == 2)
    }

    @Test("a file that turns corrupt while open: queries fail with words that say so, the next pruning pass replaces it")
    func corruptWhileOpen() async throws {
        let directory = try TelemetryFixture.directory()
        let store = try TelemetryFixture.store(directory: directory)
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnA, secondsAgo: 5)))
        _ = try await store.prune()  // folds the WAL into the file
        let path = URL(fileURLWithPath: directory).appendingPathComponent(TelemetryStoreConfig.fileName).path
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 64 * 1024))
        try handle.close()

        // The next write may still land in the WAL on cached pages; a read meets the damage.
        _ = try? await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 1)))
        await #expect(throws: TelemetryStoreError.self) { _ = try await store.recentTraces(limit: 5, service: nil) }
        let broken = await store.status().lastError ?? ""
        #expect(broken.contains("corrupt"), "\(broken)")
        _ = try await store.prune()
        let status = await store.status()
        #expect(status.lastError?.contains("moved aside") == true, "\(status.lastError ?? "")")
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 1)))
        #expect(try await store.trace(id: Self.turnB)?.spans.count == 9)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).contains {
            $0.hasPrefix(TelemetryStoreConfig.fileName + ".corrupt-")
        })
    }

    @Test("a directory that cannot be written: the store keeps telemetry in memory and says why")
    func unwritableDirectory() async throws {
        let blocker = try TelemetryFixture.directory() + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let store = try TelemetryFixture.store(directory: blocker + "/data")  // a directory under a file
        let status = await store.status()
        #expect(status.path == ":memory:")
        #expect(status.lastError?.contains("telemetry kept in memory only") == true, "\(status.lastError ?? "")")
        try await store.insert(spans: spans(TelemetryFixture.swiftOTelTraces))
        #expect(try await store.recentTraces(limit: 5, service: nil).count == 1)
    }

    @Test("a full disk (SQLITE_FULL) fails the write with words that say so, and pruning recovers")
    func fullDisk() async throws {
        let store = try TelemetryFixture.store()
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnA, secondsAgo: 5)))
        try await store.database.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        var failure: TelemetryStoreError?
        for turn in 0..<50 where failure == nil {
            do {
                let id = String(format: "%08x", turn) + "111111111111111111111111"
                try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: id, secondsAgo: 1)))
            } catch let error as TelemetryStoreError {
                failure = error
            }
        }
        let error = try #require(failure)
        #expect(error.kind == .full)
        #expect(error.message.contains("full") && error.message.contains("SQLITE_FULL"), "\(error.message)")
        #expect(error.fleetError.status.code == 507)
        #expect(await store.status().lastError == error.message)
        #expect(try await store.recentTraces(limit: 100, service: nil).count >= 1, "reads keep working")

        _ = try await store.prune()
        try await store.insert(spans: spans(TelemetryFixture.voiceTurn(traceID: Self.turnB, secondsAgo: 1)))
        #expect(try await store.trace(id: Self.turnB) != nil)
        #expect(await store.status().lastError == nil, "working again: the error is cleared")
    }
}
