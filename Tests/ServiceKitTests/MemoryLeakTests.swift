import CoreMetrics
import FleetTelemetry
import Prometheus
import ServiceKit
import Testing

/// Serialized: the first test reads the whole process's resident memory, which the second's leak
/// would disturb.
@Suite("memoryLeak scenario", .serialized)
struct MemoryLeakTests {
    static let mebibyte = 1 << 20

    @Test("while on, resident memory grows by the cap; switched off, it falls back")
    func leaksAndFrees() async throws {
        let registry = PrometheusCollectorRegistry()
        let board = ScenarioBoard(service: "llm-flan")
        let capBytes = 128 * Self.mebibyte
        func resident() -> Double? { registry.value(of: "process_resident_memory_bytes") }
        func leaked() -> Double? { registry.value(of: "scenario_leaked_bytes") }

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Faster than the service's 4 MiB/s, so the cap is reached in half a second.
                group.addTask { try await MemoryLeak(scenarios: board, bytesPerSecond: 256 * Self.mebibyte).run() }
                group.addTask { try await ProcessMetricsService(interval: .milliseconds(50)).run() }
                defer { group.cancelAll() }
                let baseline = try #require(await poll(within: effectDeadline) { resident() })
                #expect(leaked() == 0)

                board.set(.memoryLeak, to: .number(128))
                let grown = try await poll(within: effectDeadline) {
                    resident().flatMap { $0 - baseline >= 0.8 * Double(capBytes) && leaked() == Double(capBytes) ? $0 : nil }
                }
                let peak = try #require(grown, "resident memory rose only \(((resident() ?? 0) - baseline) / Double(Self.mebibyte)) MiB")
                #expect(leaked() == Double(capBytes), "the leak stops at its cap")

                board.set(.memoryLeak, to: nil)
                let fallen = try await poll(within: effectDeadline) {
                    resident().flatMap { peak - $0 >= 0.8 * Double(capBytes) && leaked() == 0 ? $0 : nil }
                }
                #expect(fallen != nil, "resident memory fell only \((peak - (resident() ?? peak)) / Double(Self.mebibyte)) MiB")
            }
        }
    }

    @Test("lowering the cap frees down to it; the leak grows only while on")
    func followsTheCap() async throws {
        let registry = PrometheusCollectorRegistry()
        let board = ScenarioBoard(service: "llm-flan")
        func leakedMiB() -> Double? { registry.value(of: "scenario_leaked_bytes").map { $0 / Double(Self.mebibyte) } }

        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await MemoryLeak(scenarios: board, bytesPerSecond: 64 * Self.mebibyte).run() }
                defer { group.cancelAll() }
                for cap in [8.0, 3, 0] {
                    board.set(.memoryLeak, to: .number(cap))
                    let held = try await poll(within: effectDeadline) { leakedMiB().flatMap { $0 == cap ? $0 : nil } }
                    #expect(held == cap, "holds \(leakedMiB() ?? -1) MiB with a cap of \(cap) MiB")
                }
            }
        }
    }
}
