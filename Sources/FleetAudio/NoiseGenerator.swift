/// xorshift64*: fast, and seeded from the text so the same request always sounds the same.
struct NoiseGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    /// Uniform in -1..<1.
    @inline(__always)
    mutating func next() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        let value = state &* 0x2545_F491_4F6C_DD1D
        return Double(value >> 11) * (2.0 / 9_007_199_254_740_992.0) - 1
    }
}
