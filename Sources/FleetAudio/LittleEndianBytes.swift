// Both RIFF/WAVE and the Ogg Opus headers store integers little-endian; these helpers keep
// the format code readable and make every read bounds-checked (they return nil past the end).

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendASCII(_ text: String) {
        append(contentsOf: text.utf8)
    }
}

/// A cursor over a byte array that never traps: every read returns nil when the data runs out.
struct LittleEndianReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { Swift.max(0, bytes.count - offset) }

    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        var value = T.zero
        for index in 0..<size {
            value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
        }
        offset += size
        return value
    }

    mutating func readBytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }
}

extension Collection where Element == UInt8 {
    /// True when the collection begins with the ASCII bytes of `magic`.
    func starts(withASCII magic: String) -> Bool {
        starts(with: magic.utf8)
    }
}
