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
        #expect(try Self.hasOwnMapping(buffer, size: size))
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

    /// Whether `pointer` is a chunk glibc mapped on its own: its mapping begins one chunk header
    /// (16 bytes) before it and holds the whole buffer.
    static func hasOwnMapping(_ pointer: UnsafeMutableRawPointer, size: Int) throws -> Bool {
        let address = UInt(bitPattern: pointer)
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        return maps.split(separator: "\n").contains { line in
            let range = line.prefix { $0 != " " }.split(separator: "-").compactMap { UInt($0, radix: 16) }
            return range.count == 2 && range[0] == address - 16 && range[1] - range[0] >= UInt(size)
        }
    }
}
