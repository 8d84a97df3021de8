#if canImport(Glibc)
import Glibc
#endif

extension HeapTuning {
    /// Lets go of the pages of the executable's `.rodata` that are still the file's own; returns
    /// the bytes let go (0 when `.rodata` is not writable, or off Linux). Part of
    /// `releaseStartupPages`.
    ///
    /// Why: the Swift compiler marks some of its `.rodata` sections writable (constant metadata
    /// the loader relocates), so the linker makes the whole output `.rodata` writable and places it
    /// in the read-write segment, with Foundation's 34 MB of ICU data in it. Start-up reads about
    /// 3.5 MiB of it in every service (release build, idle), and `releaseStartupPages` keeps
    /// writable mappings whole, since a page written there holds data found nowhere else.
    ///
    /// Safe because only pages the kernel reports as still mapping the file (not copied on write)
    /// are let go: those hold exactly the file's bytes, and the next read maps them again from the
    /// page cache. The copied ones, the few the loader relocated, stay. Nothing writes `.rodata`
    /// after relocation, so no page can be copied between reading the page map and letting go.
    @discardableResult
    public static func releaseConstantDataPages() -> Int {
        #if canImport(Glibc)
        guard let image = ExecutableImage.ofThisProcess(), let section = image.section(named: ".rodata"),
              section.isWritable, let base = image.loadAddress() else { return 0 }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let firstPage = (base + section.address + pageSize - 1) / pageSize
        let endPage = (base + section.address + section.size) / pageSize
        guard endPage > firstPage, let entries = PageMap.entries(pages: firstPage..<endPage) else { return 0 }
        var released = 0
        for run in PageMap.fileBackedRuns(entries, firstPage: firstPage) {
            guard let start = UnsafeMutableRawPointer(bitPattern: run.lowerBound * pageSize) else { continue }
            if madvise(start, run.count * pageSize, MADV_DONTNEED) == 0 { released += run.count * pageSize }
        }
        return released
        #else
        return 0
        #endif
    }
}

/// /proc/self/pagemap: one 64-bit entry per virtual page (see the kernel's admin-guide/mm/pagemap).
enum PageMap {
    /// Bit 63: the page is in memory.
    static let present: UInt64 = 1 << 63
    /// Bit 61: the page maps a file (or shared memory); clear for a private copy.
    static let fileOrShared: UInt64 = 1 << 61

    /// Runs of consecutive pages that are in memory and still the file's, as page numbers.
    static func fileBackedRuns(_ entries: [UInt64], firstPage: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var runStart: Int?
        for (index, entry) in entries.enumerated() {
            let releasable = entry & present != 0 && entry & fileOrShared != 0
            if releasable, runStart == nil { runStart = firstPage + index }
            if !releasable, let start = runStart {
                runs.append(start..<(firstPage + index))
                runStart = nil
            }
        }
        if let start = runStart { runs.append(start..<(firstPage + entries.count)) }
        return runs
    }

    /// This process's entries for `pages`; nil when the page map cannot be read.
    static func entries(pages: Range<Int>) -> [UInt64]? {
        #if canImport(Glibc)
        let descriptor = open("/proc/self/pagemap", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var entries = [UInt64](repeating: 0, count: pages.count)
        let wanted = pages.count * MemoryLayout<UInt64>.stride
        let read = entries.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(pages.lowerBound * 8)) }
        return read == wanted ? entries : nil
        #else
        return nil
        #endif
    }
}
