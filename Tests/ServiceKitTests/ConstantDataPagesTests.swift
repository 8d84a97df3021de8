import Foundation
import Testing
@testable import ServiceKit

/// `releaseConstantDataPages`: which pages of the executable's writable `.rodata` it lets go, and
/// that it finds that section in a running process. The release itself is not run here (it would
/// change the resident figures the memoryLeak scenario measures in this shared process); every
/// service does it 30 s after start, so the end-to-end and fault suites run on released pages.
@Suite("Constant data pages")
struct ConstantDataPagesTests {
    @Test("only pages in memory that still map the file are let go, in runs of neighbours")
    func fileBackedRuns() {
        let file = PageMap.present | PageMap.fileOrShared
        let copied = PageMap.present  // a private copy: the loader relocated it
        let absent: UInt64 = 0
        let entries = [file, file, copied, file, absent, absent, file, file, file]
        #expect(PageMap.fileBackedRuns(entries, firstPage: 100) == [100..<102, 103..<104, 106..<109])
        #expect(PageMap.fileBackedRuns([copied, absent, PageMap.fileOrShared], firstPage: 7).isEmpty)
        #expect(PageMap.fileBackedRuns([], firstPage: 0).isEmpty)
    }

    @Test("this process's image: a string literal lies inside .rodata where the loader put it")
    func findsReadOnlyDataOfThisProcess() throws {
        let image = try #require(ExecutableImage.ofThisProcess())
        let rodata = try #require(image.section(named: ".rodata"))
        let text = try #require(image.section(named: ".text"))
        #expect(!text.isWritable)
        let base = try #require(image.loadAddress())
        let literal: StaticString = "a constant the linker keeps in .rodata"
        let address = Int(bitPattern: literal.utf8Start)
        #expect((base + rodata.address)..<(base + rodata.address + rodata.size) ~= address)
        // The page map of those pages can be read, and the literal's page is in memory now.
        let page = address / Int(sysconf(Int32(_SC_PAGESIZE)))
        let entries = try #require(PageMap.entries(pages: page..<(page + 1)))
        #expect(entries[0] & PageMap.present != 0)
    }

    @Test("anything that is not a 64-bit little-endian ELF file is refused, not misread")
    func refusesOtherFiles() {
        let notELF = Array("#!/bin/sh\necho hello, this is not an ELF file at all, but long enough\n".utf8)
        #expect(ExecutableImage { offset, count in
            offset + count <= notELF.count ? Array(notELF[offset..<(offset + count)]) : nil
        } == nil)
        var elf32 = [UInt8](repeating: 0, count: 64)
        elf32[0...5] = [0x7F, 0x45, 0x4C, 0x46, 1, 1]
        #expect(ExecutableImage { offset, count in
            offset + count <= elf32.count ? Array(elf32[offset..<(offset + count)]) : nil
        } == nil)
    }
}
