#if canImport(Glibc)
import Glibc
#endif

/// The running executable's ELF headers (64-bit, little-endian), as much as
/// `releaseConstantDataPages` needs: where a section lies and where the loader put the image.
struct ExecutableImage {
    struct Section: Equatable {
        var name: String
        /// The address the file gives; add `loadAddress()` for a position-independent executable.
        var address: Int
        var size: Int
        var flags: UInt64

        var isWritable: Bool { flags & 0x1 != 0 }  // SHF_WRITE
    }

    var sections: [Section]
    /// PT_PHDR's address in the file: the loader reports where the headers landed (AT_PHDR), and
    /// the difference is the image's load address.
    var programHeaderAddress: Int?

    func section(named name: String) -> Section? {
        sections.first { $0.name == name }
    }

    /// Parses an ELF file's header, program headers and section headers; nil for anything else.
    init?(elf bytes: (_ offset: Int, _ count: Int) -> [UInt8]?) {
        guard let header = bytes(0, 64), header.count == 64, header[0..<4] == [0x7F, 0x45, 0x4C, 0x46],
              header[4] == 2, header[5] == 1 else { return nil }  // ELFCLASS64, ELFDATA2LSB
        let programHeaders = Int(header.integer(at: 32, as: UInt64.self)), programCount = Int(header.integer(at: 56, as: UInt16.self))
        let sectionHeaders = Int(header.integer(at: 40, as: UInt64.self)), sectionCount = Int(header.integer(at: 60, as: UInt16.self))
        let namesIndex = Int(header.integer(at: 62, as: UInt16.self))
        guard let phdrs = bytes(programHeaders, programCount * 56), phdrs.count == programCount * 56,
              let shdrs = bytes(sectionHeaders, sectionCount * 64), shdrs.count == sectionCount * 64,
              namesIndex < sectionCount else { return nil }

        programHeaderAddress = (0..<programCount).lazy.map { $0 * 56 }
            .first { phdrs.integer(at: $0, as: UInt32.self) == 6 }  // PT_PHDR
            .map { Int(phdrs.integer(at: $0 + 16, as: UInt64.self)) }

        let namesOffset = Int(shdrs.integer(at: namesIndex * 64 + 24, as: UInt64.self))
        let namesSize = Int(shdrs.integer(at: namesIndex * 64 + 32, as: UInt64.self))
        guard let names = bytes(namesOffset, namesSize), names.count == namesSize else { return nil }
        sections = (0..<sectionCount).map { index in
            let entry = index * 64
            let nameStart = min(Int(shdrs.integer(at: entry, as: UInt32.self)), names.count)
            let nameEnd = names[nameStart...].firstIndex(of: 0) ?? names.count
            return Section(name: String(decoding: names[nameStart..<nameEnd], as: UTF8.self),
                           address: Int(shdrs.integer(at: entry + 16, as: UInt64.self)),
                           size: Int(shdrs.integer(at: entry + 32, as: UInt64.self)),
                           flags: shdrs.integer(at: entry + 8, as: UInt64.self))
        }
    }

    #if canImport(Glibc)
    /// The file /proc/self/exe names, read a header at a time (the binary is hundreds of MB).
    static func ofThisProcess() -> ExecutableImage? {
        let descriptor = open("/proc/self/exe", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return ExecutableImage { offset, count in
            var buffer = [UInt8](repeating: 0, count: count)
            let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            return read == count ? buffer : nil
        }
    }

    /// Where the loader put this process's image: 0 for a fixed-address executable.
    func loadAddress() -> Int? {
        typealias GetAuxiliaryValue = @convention(c) (UInt) -> UInt
        guard let programHeaderAddress,
              let getauxval = HeapTuning.libcFunction("getauxval", as: GetAuxiliaryValue.self) else { return nil }
        let loaded = Int(getauxval(3))  // AT_PHDR
        return loaded == 0 ? nil : loaded - programHeaderAddress
    }
    #endif
}

private extension Array where Element == UInt8 {
    /// The little-endian integer at `offset`.
    func integer<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        var value: T = 0
        for index in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(self[offset + index]) }
        return value
    }
}
