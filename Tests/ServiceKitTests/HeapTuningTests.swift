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
}
