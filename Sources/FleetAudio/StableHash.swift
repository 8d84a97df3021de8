/// 64-bit FNV-1a. Swift's `Hasher` is randomly seeded per process, so anything that must come
/// out the same on every run (Ogg serial numbers, cache file names) hashes with this instead.
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    public mutating func combine(_ text: String) {
        combine(text.utf8)
        combine(CollectionOfOne(0xff))  // separator, so ("ab", "c") and ("a", "bc") differ
    }

    public mutating func combine(_ number: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: number).littleEndian) { combine($0) }
    }

    public static func of(_ text: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(text)
        return hash.value
    }
}
