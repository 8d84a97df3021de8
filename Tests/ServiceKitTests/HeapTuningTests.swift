import Foundation
import Testing
@testable import ServiceKit

/// Every service's allocator tuning (HeapTuning): audio buffers must not stay in the malloc arenas,
/// where interleaved frees left resident holes that grew the bridge's RSS under 50 speakers.
@Suite("Heap tuning")
struct HeapTuningTests {
    // The fixed mmap threshold is not applied here: it is process-wide, and in a test process shared
    // with 600 tests it made every large audio buffer an mmap and the bridge's real-time tests miss
    // their waits. The fault suite's soak measures its effect on a real service.

    @Test("a trim hands freed arena pages of small objects back to the kernel")
    func trimReturnsFreedPages() throws {
        // 16 MB of small blocks (below the threshold, so in the arena), freed again.
        let blocks = (0..<16_384).compactMap { _ in malloc(1024) }
        for block in blocks { memset(block, 1, 1024) }
        for block in blocks { free(block) }
        #expect(blocks.count == 16_384)
        #expect(HeapTuning.returnFreePages())
    }

    @Test("MALLOC_ARENA_MAX decides the arena cap when it is a positive number, else two arenas")
    func arenaLimitFromTheEnvironment() {
        #expect(HeapTuning.configuredArenaLimit(environment: [:]) == Int32(HeapTuning.arenaLimit))
        #expect(HeapTuning.configuredArenaLimit(environment: ["MALLOC_ARENA_MAX": "4"]) == 4)
        #expect(HeapTuning.configuredArenaLimit(environment: ["MALLOC_ARENA_MAX": "0"]) == Int32(HeapTuning.arenaLimit))
        #expect(HeapTuning.configuredArenaLimit(environment: ["MALLOC_ARENA_MAX": "many"]) == Int32(HeapTuning.arenaLimit))
    }

    @Test("only file mappings nobody can have written are let go: code, clean read-only data, read-only shared files")
    func startupPagesChoosesCleanFileMappings() {
        let smaps = """
            55d0a0000000-55d0a2b95000 r-xp 00000000 08:01 1234 /opt/fleet/audio-fleet
            Rss:               21808 kB
            Anonymous:             0 kB
            55d0a2b95000-55d0a2c5b000 r--p 02b94000 08:01 1234 /opt/fleet/audio-fleet
            Rss:                 792 kB
            Anonymous:           792 kB
            55d0a2c5b000-55d0a2e00000 rw-p 02c5a000 08:01 1234 /opt/fleet/audio-fleet
            Rss:                1536 kB
            Anonymous:           184 kB
            7f0000000000-7f00000fa000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libflite_cmu_us_rms.so.2.2
            Rss:                1140 kB
            Anonymous:             0 kB
            7f0000100000-7f0000200000 r--p 00000000 08:01 98 /usr/lib/My Library/with space.so
            Rss:                   0 kB
            Anonymous:             0 kB
            7f0000300000-7f00005c6000 r--s 00000000 08:01 97 /usr/share/pocketsphinx/model/en-us/en-us/mdef
            Rss:                2840 kB
            Anonymous:             0 kB
            7f0000600000-7f0000700000 rw-s 00000000 00:05 96 /dev/shm/shared-ring
            Rss:                1024 kB
            Anonymous:             0 kB
            7f1000000000-7f1004000000 rw-p 00000000 00:00 0
            Rss:                4436 kB
            Anonymous:          4436 kB
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
            Rss:                 132 kB
            Anonymous:           132 kB
            """
        let mappings = ReadOnlyFileMapping.parse(smaps: smaps)
        #expect(mappings.count == 9)
        #expect(mappings[4].path == "/usr/lib/My Library/with space.so")
        #expect(mappings.map(\.canBeReleased) == [true, false, false, true, false, true, false, false, false])
        #expect(mappings[0].residentBytes == 21808 * 1024)
        #expect(mappings[0].end - mappings[0].start == 0x2b95000)
    }

    @Test("in a running process, its code is among what would be let go, and nothing writable is")
    func startupPagesOfThisProcess() {
        // Read only: letting go of pages here would change the resident figures other tests of this
        // shared process measure (the memoryLeak scenario); the benchmark measures it on services.
        let mappings = ReadOnlyFileMapping.inThisProcess()
        #expect(mappings.contains { $0.canBeReleased && $0.permissions == "r-xp" })
        #expect(!mappings.contains { $0.canBeReleased && $0.permissions.contains("w") })
        #expect(ReadOnlyFileMapping.parse(smaps: "").isEmpty)
    }
}
