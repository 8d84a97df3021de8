import Foundation
import Testing
@testable import ServiceKit

/// Every service's allocator tuning (HeapTuning): audio buffers must not stay in the malloc arenas,
/// where interleaved frees left resident holes that grew the bridge's RSS under 50 speakers.
@Suite("Heap tuning")
struct HeapTuningTests {
    @Test("after the tuning, a half-megabyte buffer gets its own mapping even once a bigger one was freed")
    func largeBuffersAreMapped() throws {
        #expect(HeapTuning.keepLargeBuffersOutOfArenas())
        // glibc's dynamic threshold would now rise to 4 MB and put the next buffer in an arena.
        let big = try #require(malloc(4 << 20))
        memset(big, 1, 4 << 20)
        free(big)
        let size = 512 << 10
        let buffer = try #require(malloc(size))
        defer { free(buffer) }
        #expect(Self.hasOwnMapping(buffer))
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

    /// Whether `pointer` is a chunk glibc mapped on its own: the chunk's size word, just before
    /// it, carries glibc's IS_MMAPPED bit (0x2). (Its mapping cannot be looked up in
    /// /proc/self/maps: the kernel merges neighbouring anonymous mappings into one line.)
    static func hasOwnMapping(_ pointer: UnsafeMutableRawPointer) -> Bool {
        let sizeWord = pointer.load(fromByteOffset: -MemoryLayout<UInt>.size, as: UInt.self)
        return sizeWord & 0x2 != 0
    }
}
