import Foundation
import Testing
@testable import ServiceKit

/// Every service's allocator tuning (HeapTuning): audio buffers must not stay in the malloc arenas,
/// where interleaved frees left resident holes that grew the bridge's RSS under 50 speakers.
@Suite("Heap tuning")
struct HeapTuningTests {
    /// What the threshold changes — a large buffer mapped on its own instead of carved from an
    /// arena — cannot be asserted inside a test process shared with hundreds of tests: a free chunk
    /// other tests left in the arena may serve the request first. The fault suite's soak measures
    /// the effect (RSS growth at 50 speakers); this checks that the allocator takes the setting.
    @Test("the allocator takes the fixed mmap threshold")
    func thresholdIsApplied() {
        #expect(HeapTuning.keepLargeBuffersOutOfArenas())
    }

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
