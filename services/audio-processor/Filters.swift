import Foundation

/// The processor's filters, each a pure function of its input so they are easy to test alone.
enum Filters {
    /// A second-order Butterworth high-pass (RBJ cookbook biquad): removes rumble, handling noise
    /// and DC below `cutoffHz` while leaving the voice band (fundamentals from ~85 Hz) alone.
    static func highPass(_ samples: [Float], cutoffHz: Double, sampleRate: Int) -> [Float] {
        let w0 = 2 * Double.pi * cutoffHz / Double(sampleRate)
        let alpha = sin(w0) / (2 * 0.5.squareRoot())
        let cosine = cos(w0)
        let a0 = 1 + alpha
        let b0 = (1 + cosine) / 2 / a0, b1 = -(1 + cosine) / a0, b2 = (1 + cosine) / 2 / a0
        let a1 = -2 * cosine / a0, a2 = (1 - alpha) / a0
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
        return samples.map { sample in
            let x = sample.isFinite ? Double(sample) : 0
            let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2 = x1; x1 = x
            y2 = y1; y1 = y
            return Float(y)
        }
    }

    /// A gentle noise gate: outside `speech` (plus `hold` seconds either side) the signal is turned
    /// down by `attenuationDB`, with `ramp`-long fades so the gate never clicks.
    static func gate(_ samples: [Float], speech: [ClosedRange<Double>], attenuationDB: Double, sampleRate: Int,
                     hold: Double = 0.05, ramp: Double = 0.02) -> [Float] {
        guard !samples.isEmpty, attenuationDB > 0 else { return samples }
        let floor = pow(10, -attenuationDB / 20)
        var target = [Double](repeating: floor, count: samples.count)
        let rate = Double(sampleRate)
        for region in speech {
            let start = max(0, Int((region.lowerBound - hold) * rate))
            let end = min(samples.count, Int(((region.upperBound + hold) * rate).rounded(.up)))
            if start < end { for index in start..<end { target[index] = 1 } }
        }
        // A moving average turns the steps into linear fades of `ramp` seconds.
        let width = max(1, Int(ramp * rate))
        var prefix = [Double](repeating: 0, count: target.count + 1)
        for index in target.indices { prefix[index + 1] = prefix[index] + target[index] }
        return samples.indices.map { index in
            let low = max(0, index - width / 2), high = min(target.count, index + width - width / 2)
            let gain = (prefix[high] - prefix[low]) / Double(high - low)
            return samples[index] * Float(gain)
        }
    }

    /// Spectral subtraction: estimates the noise spectrum from the frames outside `speech` (or the
    /// quietest tenth of frames when speech fills the clip) and subtracts it from every frame,
    /// leaving a small floor of the original so the result does not "ring" (musical noise).
    ///
    /// 1024-point frames with a periodic Hann window at 50 % overlap, which sums to exactly one,
    /// so with no noise to remove the output equals the input. Spectra are computed as they are
    /// needed (three at a time), so memory stays flat however long the clip is.
    static func spectralSubtraction(_ samples: [Float], speech: [ClosedRange<Double>], sampleRate: Int,
                                    overSubtraction: Double = 2, spectralFloor: Double = 0.01) -> [Float] {
        let analysis = SpectralFrames(samples)
        guard let analysis else { return samples }
        let noise = analysis.noisePower(outside: speech, sampleRate: sampleRate)
        let size = SpectralFrames.size
        var output = [Double](repeating: 0, count: analysis.padded.count)
        // A window of three neighbouring spectra: previous, current, next.
        var window = [analysis.spectrum(0), analysis.spectrum(0), analysis.spectrum(min(1, analysis.frameCount - 1))]
        for frame in 0..<analysis.frameCount {
            if frame > 0 {
                window.removeFirst()
                window.append(analysis.spectrum(min(frame + 1, analysis.frameCount - 1)))
            }
            var (real, imaginary) = (window[1].real, window[1].imaginary)
            for bin in 0..<size {
                // The gain is decided on power averaged over neighbouring bins and frames: one
                // noise bin fluctuates wildly, nine together hardly, so noise is removed evenly
                // instead of leaving isolated tones behind.
                var smoothed = 0.0
                for spectrum in window {
                    for offset in -1...1 { smoothed += spectrum.power[(bin + offset + size) % size] }
                }
                smoothed /= 9
                guard smoothed > 0 else { continue }
                let cleaned = max(smoothed - overSubtraction * noise[bin], spectralFloor * smoothed)
                let gain = (cleaned / smoothed).squareRoot()
                real[bin] *= gain
                imaginary[bin] *= gain
            }
            analysis.fft.transform(real: &real, imaginary: &imaginary, inverse: true)
            for index in 0..<size { output[frame * SpectralFrames.hop + index] += real[index] }
        }
        return output[SpectralFrames.hop..<(SpectralFrames.hop + samples.count)].map { Float($0) }
    }
}

/// A signal cut into overlapping windowed frames, transformed on demand.
struct SpectralFrames {
    static let size = 1_024
    static let hop = size / 2

    struct Spectrum {
        var real: [Double]
        var imaginary: [Double]
        var power: [Double]
    }

    let fft = FFT(size: size)
    let window = (0..<size).map { 0.5 - 0.5 * cos(2 * .pi * Double($0) / Double(size)) }
    /// One hop of zeros in front and up to whole frames behind, so every sample is covered twice.
    let padded: [Float]
    let frameCount: Int

    init?(_ samples: [Float]) {
        guard samples.count >= Self.size else { return nil }
        padded = [Float](repeating: 0, count: Self.hop) + samples
            + [Float](repeating: 0, count: Self.hop + (Self.hop - samples.count % Self.hop) % Self.hop)
        frameCount = (padded.count - Self.size) / Self.hop + 1
    }

    func spectrum(_ frame: Int) -> Spectrum {
        var real = (0..<Self.size).map { Double(padded[frame * Self.hop + $0]) * window[$0] }
        var imaginary = [Double](repeating: 0, count: Self.size)
        fft.transform(real: &real, imaginary: &imaginary)
        let power = real.indices.map { real[$0] * real[$0] + imaginary[$0] * imaginary[$0] }
        return Spectrum(real: real, imaginary: imaginary, power: power)
    }

    /// Mean power per bin over the frames that hold no speech, or over the quietest tenth of
    /// frames when fewer than three are speech-free.
    func noisePower(outside speech: [ClosedRange<Double>], sampleRate: Int) -> [Double] {
        // A frame's centre in the original timeline (the padding shifted it by one hop).
        let quiet = (0..<frameCount).filter { frame in
            let centre = Double(frame * Self.hop + Self.size / 2 - Self.hop) / Double(sampleRate)
            return !speech.contains { $0.contains(centre) }
        }
        let chosen: [Int]
        if quiet.count >= 3 {
            chosen = quiet
        } else {
            // Windowed energy ranks frames as their spectra would (Parseval), without transforming them.
            let energy = (0..<frameCount).map { frame in
                (0..<Self.size).reduce(0.0) { sum, index in
                    let value = Double(padded[frame * Self.hop + index]) * window[index]
                    return sum + value * value
                }
            }
            chosen = Array((0..<frameCount).sorted { energy[$0] < energy[$1] }.prefix(max(1, frameCount / 10)))
        }
        var mean = [Double](repeating: 0, count: Self.size)
        for frame in chosen {
            let power = spectrum(frame).power
            for bin in 0..<Self.size { mean[bin] += power[bin] }
        }
        return mean.map { $0 / Double(chosen.count) }
    }
}
