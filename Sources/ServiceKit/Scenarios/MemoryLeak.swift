#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FleetTelemetry
public import ServiceLifecycle

/// The `memoryLeak` scenario: while it is on, this process takes memory at a steady rate and never
/// gives it back, up to the scenario's cap in MiB; switched off (or lowered), it frees what it held
/// at once. `process_resident_memory_bytes` climbs and falls with it, and `scenario_leaked_bytes`
/// says how much of that is the leak.
///
/// The memory is real: each chunk is an anonymous mapping of its own whose every page is written,
/// so it is resident, not merely reserved. Chunks are mapped directly rather than taken from
/// malloc because glibc's mmap threshold adapts: after the first large block is freed it serves
/// blocks of up to 32 MiB from its heap, and freeing those need not return pages to the kernel, so
/// "off" would not make the resident memory fall. `munmap` always does.
public struct MemoryLeak: Service {
    static let mebibyte = 1 << 20

    let scenarios: ScenarioBoard
    let chunkBytes: Int
    /// The pause between chunks: `chunkBytes` at `bytesPerSecond`.
    let interval: Duration

    /// - Parameters:
    ///   - bytesPerSecond: how fast the leak grows; 4 MiB/s reaches the default 256 MiB cap in a minute.
    ///   - chunkBytes: how much is taken at a time.
    public init(scenarios: ScenarioBoard, bytesPerSecond: Int = 4 << 20, chunkBytes: Int = 1 << 20) {
        self.scenarios = scenarios
        self.chunkBytes = max(chunkBytes, Int(sysconf(Int32(_SC_PAGESIZE))))
        self.interval = .seconds(Double(self.chunkBytes) / Double(max(bytesPerSecond, 1)))
    }

    public func run() async throws {
        var held: [LeakedChunk] = []
        MetricCatalog.scenarioLeakedBytes.set(0)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let cap = Int((scenarios.severity(.memoryLeak) ?? 0) * Double(Self.mebibyte))
            let before = held.count
            // Lowered or switched off: let go of everything above the cap at once.
            while !held.isEmpty, held.count * chunkBytes > cap { held.removeLast() }
            if (held.count + 1) * chunkBytes <= cap, let chunk = LeakedChunk(bytes: chunkBytes) {
                held.append(chunk)
            }
            if held.count != before { MetricCatalog.scenarioLeakedBytes.set(Double(held.count * chunkBytes)) }
            // Wake early when shutdown starts, so the service group is never kept waiting.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        held.removeAll()
        MetricCatalog.scenarioLeakedBytes.set(0)
    }
}

/// One anonymous private mapping, every page written so it counts in the resident set; unmapped
/// when the leak lets go of it.
private final class LeakedChunk {
    private let start: UnsafeMutableRawPointer
    private let bytes: Int

    /// Nil when the kernel refuses the mapping: the leak then stops growing rather than crashing.
    init?(bytes: Int) {
        #if canImport(Darwin)
        let flags = MAP_PRIVATE | MAP_ANON
        #else
        let flags = MAP_PRIVATE | MAP_ANONYMOUS
        #endif
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, flags, -1, 0), mapped != MAP_FAILED else {
            return nil
        }
        start = mapped
        self.bytes = bytes
        // Anonymous pages cost nothing until written; write them all (with a non-zero byte, which
        // no kernel can share as a zero page) so the leak is resident memory, as a real one is.
        start.initializeMemory(as: UInt8.self, repeating: 0xA5, count: bytes)
    }

    deinit {
        munmap(start, bytes)
    }
}
