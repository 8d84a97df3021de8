import Foundation

// The filters of the formant synthesizer, updated once per millisecond by FormantRenderer.

/// Klatt's digital resonator: a two-pole filter with unity gain at DC.
struct Resonator {
    private var a = 1.0, b = 0.0, c = 0.0
    private var y1 = 0.0, y2 = 0.0

    mutating func configure(frequency: Double, bandwidth: Double, sampleRate: Double) {
        let r = exp(-Double.pi * bandwidth / sampleRate)
        c = -r * r
        b = 2 * r * cos(2 * Double.pi * frequency / sampleRate)
        a = 1 - b - c
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        let y = a * x + b * y1 + c * y2
        y2 = y1
        y1 = y
        return y
    }
}

/// Five formants in cascade, as in an all-pole model of the vocal tract.
struct VocalTract {
    private var r1 = Resonator(), r2 = Resonator(), r3 = Resonator(), r4 = Resonator(), r5 = Resonator()

    mutating func configure(_ controls: Controls, shift: Double, sampleRate: Double) {
        let widen = controls.bandwidthScale * shift
        r1.configure(frequency: controls.formants.f1 * shift, bandwidth: 80 * widen, sampleRate: sampleRate)
        r2.configure(frequency: controls.formants.f2 * shift, bandwidth: 100 * widen, sampleRate: sampleRate)
        r3.configure(frequency: controls.formants.f3 * shift, bandwidth: 150 * widen, sampleRate: sampleRate)
        r4.configure(frequency: 3_500 * shift, bandwidth: 250 * shift, sampleRate: sampleRate)
        r5.configure(frequency: 4_500 * shift, bandwidth: 300 * shift, sampleRate: sampleRate)
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        r5.process(r4.process(r3.process(r2.process(r1.process(x)))))
    }
}

/// A constant-peak-gain band-pass biquad (RBJ cookbook) for frication noise.
struct BandPass {
    private var b0 = 0.0, a1 = 0.0, a2 = 0.0
    private var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    mutating func configure(center: Double, bandwidth: Double, sampleRate: Double) {
        let frequency = min(center, sampleRate * 0.45)
        let omega = 2 * Double.pi * frequency / sampleRate
        let q = max(0.3, frequency / max(bandwidth, 1))
        let alpha = sin(omega) / (2 * q)
        let a0 = 1 + alpha
        b0 = alpha / a0
        a1 = -2 * cos(omega) / a0
        a2 = (1 - alpha) / a0
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        let y = b0 * (x - x2) - a1 * y1 - a2 * y2
        x2 = x1
        x1 = x
        y2 = y1
        y1 = y
        return y
    }
}

/// Two cascaded one-pole low-passes: a gentle -12 dB/octave roll-off above `cutoff`.
struct TwoPoleLowPass {
    private let coefficient: Double
    private var first = 0.0, second = 0.0

    init(cutoff: Double, sampleRate: Double) {
        coefficient = 1 - exp(-2 * Double.pi * cutoff / sampleRate)
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        first += coefficient * (x - first)
        second += coefficient * (first - second)
        return second
    }
}
