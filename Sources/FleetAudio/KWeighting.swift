import Foundation

/// One second-order IIR section, direct form I, in Double.
///
/// Why its own type: the K-weighting is two of these in cascade and the loudness meter runs them
/// once per sample over whole utterances, so they must be plain value types the optimiser can keep
/// in registers. Direct form I (rather than transposed form II) keeps its state as past inputs and
/// outputs, which stays well conditioned for the RLB high-pass whose poles sit very close to z = 1.
struct Biquad: Sendable {
    let b0: Double, b1: Double, b2: Double
    let a1: Double, a2: Double
    private var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2, self.a1, self.a2) = (b0, b1, b2, a1, a2)
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        (x2, x1) = (x1, x)
        (y2, y1) = (y1, y)
        return y
    }
}

/// The K-weighting pre-filter of ITU-R BS.1770-4: a high shelf (+4 dB above ~1.7 kHz, the head's
/// acoustic effect) followed by the "revised low-frequency B-curve" high-pass (~38 Hz).
///
/// Why derived rather than tabled: the standard only tables coefficients for 48 kHz, and the fleet
/// measures flite's speech at 8 and 16 kHz as well as 48 kHz. The analog prototype parameters below are
/// the ones libebur128 and pyloudnorm fit to the 48 kHz table; the bilinear transform (with
/// pre-warping at f0) then gives coefficients for any rate, reproducing the table at 48 kHz.
struct KWeighting: Sendable {
    private(set) var shelf: Biquad
    private(set) var highPass: Biquad

    init(sampleRate: Int) {
        let rate = Double(sampleRate)

        let shelfFrequency = 1_681.974450955533
        let shelfGainDB = 3.999843853973347
        let shelfQ = 0.7071752369554196
        let k = tan(Double.pi * shelfFrequency / rate)
        let vh = pow(10, shelfGainDB / 20)
        let vb = pow(vh, 0.4996667741545416)
        let a0 = 1 + k / shelfQ + k * k
        shelf = Biquad(
            b0: (vh + vb * k / shelfQ + k * k) / a0,
            b1: 2 * (k * k - vh) / a0,
            b2: (vh - vb * k / shelfQ + k * k) / a0,
            a1: 2 * (k * k - 1) / a0,
            a2: (1 - k / shelfQ + k * k) / a0)

        let highPassFrequency = 38.13547087602444
        let highPassQ = 0.5003270373238773
        let kh = tan(Double.pi * highPassFrequency / rate)
        let ah = 1 + kh / highPassQ + kh * kh
        // The standard (and both reference meters) leave the numerator un-normalised: 1, -2, 1.
        highPass = Biquad(
            b0: 1, b1: -2, b2: 1,
            a1: 2 * (kh * kh - 1) / ah,
            a2: (1 - kh / highPassQ + kh * kh) / ah)
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        highPass.process(shelf.process(x))
    }

    /// Filters `samples[range]` (continuing from the previous call) and returns the sum of squares of
    /// the output. Non-finite samples are filtered as 0. It lives in this file because the build is not
    /// whole-module: only here can `process` be inlined into the per-sample loop (3x faster).
    mutating func sumOfSquares(_ samples: UnsafeBufferPointer<Float>, _ range: Range<Int>) -> Double {
        var energy = 0.0
        for index in range {
            let sample = samples[index]
            let weighted = process(sample.isFinite ? Double(sample) : 0)
            energy += weighted * weighted
        }
        return energy
    }
}
