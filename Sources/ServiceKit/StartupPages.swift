#if canImport(Glibc)
import Glibc
#endif

extension HeapTuning {
    /// Lets go of this process's mappings of code and read-only file pages, so that only the pages
    /// it goes on using are faulted back in; returns the bytes that were mapped (0 off Linux).
    ///
    /// Why: a service's RSS was 60-70 MiB idle, and 45 of them were code pages of the one binary
    /// (24 MiB of its 44 MiB code segment) and of the Swift runtime and Foundation (20 MiB) that
    /// start-up had touched: module initialisers, argument and settings parsing, telemetry and
    /// router set-up, the runtime's scan of every protocol conformance, and around each page
    /// faulted the kernel's fault-around maps its neighbours too. Those pages stay mapped, and
    /// counted, for the life of the process. Let go 30 s after start, they come back as far as the
    /// service uses them: 16-19 MiB of the binary and 9-11 of the libraries in the debug build,
    /// 34-46 MiB RSS idle in all (scripts/bench/memory.py).
    ///
    /// Safe because only mappings nobody can have written are let go: file-backed, not writable,
    /// with no private (copied) page in them (`Anonymous: 0` in smaps; a relocated read-only
    /// segment has copied pages and is kept). Dropping such a page unmaps it; the next use maps the
    /// same file page again from the page cache, a minor fault of a microsecond or so. The
    /// executable's constant data, which the linker put in a writable mapping, is let go page by
    /// page (`releaseConstantDataPages`).
    @discardableResult
    public static func releaseStartupPages() -> Int {
        #if canImport(Glibc)
        var released = 0
        for mapping in ReadOnlyFileMapping.inThisProcess() where mapping.canBeReleased {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(start, mapping.end - mapping.start, MADV_DONTNEED) == 0 { released += mapping.residentBytes }
        }
        return released + releaseConstantDataPages()
        #else
        return 0
        #endif
    }
}

/// One mapping of /proc/self/smaps, as much as `releaseStartupPages` needs to decide about it.
struct ReadOnlyFileMapping: Equatable {
    var start: Int
    var end: Int
    var permissions: String
    var path: String
    var residentBytes = 0
    var anonymousBytes = 0

    /// File-backed, never writable, no copied page: its pages are the file's, always re-readable.
    /// Private (`p`: code, read-only data) or shared (`s`: a data file mapped read-only, as
    /// pocketsphinx maps its acoustic model's 2.8 MiB `mdef`, which stt only reads while it
    /// recognizes); a shared mapping never has copied pages.
    var canBeReleased: Bool {
        path.hasPrefix("/") && !permissions.contains("w") && permissions.hasPrefix("r")
            && anonymousBytes == 0 && residentBytes > 0
    }

    /// Parses smaps text: a header line per mapping ("start-end perms offset dev inode path")
    /// followed by "Field: N kB" lines.
    static func parse(smaps: String) -> [ReadOnlyFileMapping] {
        var mappings: [ReadOnlyFileMapping] = []
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                guard !mappings.isEmpty, fields.count >= 2, let kib = Int(fields[1]) else { continue }
                switch first {
                case "Rss:": mappings[mappings.count - 1].residentBytes = kib * 1024
                case "Anonymous:": mappings[mappings.count - 1].anonymousBytes = kib * 1024
                default: break
                }
                continue
            }
            let bounds = first.split(separator: "-")
            guard bounds.count == 2, fields.count >= 5,
                  let start = Int(bounds[0], radix: 16), let end = Int(bounds[1], radix: 16) else { continue }
            let path = fields.count > 5 ? fields[5...].joined(separator: " ") : ""
            mappings.append(ReadOnlyFileMapping(start: start, end: end, permissions: String(fields[1]), path: path))
        }
        return mappings
    }

    static func inThisProcess() -> [ReadOnlyFileMapping] {
        #if canImport(Glibc)
        // smaps reports a size of 0, so it is read until end of file rather than by its size.
        guard let file = fopen("/proc/self/smaps", "r") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return parse(smaps: String(decoding: bytes, as: UTF8.self))
        #else
        return []
        #endif
    }
}
