import Foundation

/// An in-place radix-2 complex FFT of one fixed size, with its tables computed once.
/// Small and plain on purpose: the denoiser needs a few thousand 1024-point transforms per clip.
struct FFT: Sendable {
    let size: Int
    private let cosines: [Double]
    private let sines: [Double]
    private let reversed: [Int]

    /// `size` must be a power of two.
    init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "FFT size must be a power of two")
        self.size = size
        cosines = (0..<size / 2).map { cos(2 * .pi * Double($0) / Double(size)) }
        sines = (0..<size / 2).map { sin(2 * .pi * Double($0) / Double(size)) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { index in
            var value = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { value |= 1 << (bits - 1 - bit) }
            return value
        }
    }

    /// Forward transform (e^{-i...}); `inverse` runs the inverse and divides by `size`.
    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool = false) {
        for index in 0..<size where index < reversed[index] {
            real.swapAt(index, reversed[index])
            imaginary.swapAt(index, reversed[index])
        }
        let sign = inverse ? 1.0 : -1.0
        var half = 1
        while half < size {
            let step = size / (half * 2)
            for start in stride(from: 0, to: size, by: half * 2) {
                for offset in 0..<half {
                    let wr = cosines[offset * step], wi = sign * sines[offset * step]
                    let a = start + offset, b = a + half
                    let tr = real[b] * wr - imaginary[b] * wi
                    let ti = real[b] * wi + imaginary[b] * wr
                    real[b] = real[a] - tr
                    imaginary[b] = imaginary[a] - ti
                    real[a] += tr
                    imaginary[a] += ti
                }
            }
            half *= 2
        }
        if inverse {
            let scale = 1 / Double(size)
            for index in 0..<size {
                real[index] *= scale
                imaginary[index] *= scale
            }
        }
    }
}
