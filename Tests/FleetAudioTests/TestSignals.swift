import FleetAudio
import FleetSpeech
import Foundation

/// Deterministic test inputs and the measurements the tests make on outputs.
enum TestSignals {
    static let rate = Double(AudioFormat.sampleRate)

    static func samples(seconds: Double) -> Int { Int((seconds * rate).rounded()) }

    /// Real speech (flite, as the fleet speaks), so VAD and codec tests see what they will in use,
    /// trimmed to where the voice is audible (above -50 dBFS over 5 ms): flite pads an utterance
    /// with ~150 ms of near-silence, and the tests place and time the speech itself.
    static func speech(_ text: String, voice: Voice = .default) -> [Float] {
        let samples = SpeechSynthesizer(voice: voice).synthesize(text)
        let window = 240, threshold = pow(10, -50.0 / 20) * pow(10, -50.0 / 20)
        let loud = stride(from: 0, to: max(0, samples.count - window), by: window).filter { start in
            power(samples[start..<(start + window)]) > threshold
        }
        guard let first = loud.first, let last = loud.last else { return samples }
        return Array(samples[first..<(last + window)])
    }

    /// White noise with the given RMS level, reproducible from `seed`.
    static func noise(seconds: Double, rmsDbfs: Double, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        // Uniform noise in -a...a has RMS a/√3.
        let amplitude = Float(pow(10, rmsDbfs / 20) * 3.0.squareRoot())
        return (0..<samples(seconds: seconds)).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) }
    }

    static func sine(hertz: Double, seconds: Double, sampleRate: Double = rate, amplitude: Float = 0.5) -> [Float] {
        let count = Int((seconds * sampleRate).rounded())
        return (0..<count).map { amplitude * Float(sin(2 * Double.pi * hertz * Double($0) / sampleRate)) }
    }

    /// `speech` mixed with white noise scaled so that speech power / noise power = `snrDB`.
    static func withNoise(_ speech: [Float], snrDB: Double, seed: UInt64) -> [Float] {
        let speechPower = power(speech[...])
        let noise = self.noise(seconds: Double(speech.count) / rate, rmsDbfs: 0, seed: seed)
        let gain = Float((speechPower / power(noise[...]) / pow(10, snrDB / 10)).squareRoot())
        return zip(speech, noise).map { $0 + $1 * gain }
    }

    static func power(_ samples: ArraySlice<Float>) -> Double {
        samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, samples.count))
    }

    /// Plain waveform SNR: reference energy over the energy of the sample-by-sample difference.
    static func snrDB(reference: ArraySlice<Float>, test: ArraySlice<Float>) -> Double {
        var signal = 0.0, error = 0.0
        for (x, y) in zip(reference, test) {
            signal += Double(x) * Double(x)
            error += (Double(x) - Double(y)) * (Double(x) - Double(y))
        }
        return 10 * log10(signal / max(error, 1e-30))
    }

    /// Where `test` best lines up with `reference`: the lag (index into `test` of
    /// `reference[0]`) within `expected ± tolerance` that maximizes their cross-correlation.
    /// Samples past the end of `test` count as silence.
    static func alignedLag(reference: [Float], test: [Float], expected: Int, tolerance: Int) -> Int {
        let lags = Array(max(0, expected - tolerance)...(expected + tolerance))
        let correlations = reference.withUnsafeBufferPointer { x in
            test.withUnsafeBufferPointer { y in
                lags.map { lag in
                    var sum = 0.0
                    for index in 0..<min(x.count, max(0, y.count - lag)) { sum += Double(x[index]) * Double(y[index + lag]) }
                    return sum
                }
            }
        }
        return correlations.indices.max { correlations[$0] < correlations[$1] }.map { lags[$0] } ?? expected
    }

    /// Frequency-weighted segmental SNR (fwSNRseg; Tribolet et al., ICASSP 1978; Hu & Loizou,
    /// IEEE TASLP 2008), the SNR-type objective measure for coded and processed speech.
    ///
    /// `test` must already be time-aligned with `reference`. Per 20 ms Hann frame (50 % overlap)
    /// where the reference carries speech (within 40 dB of its loudest frame), the short-time
    /// magnitude spectra are summed into the 20 critical bands between 100 Hz and 7.7 kHz
    /// (Zwicker); each band gives 10·log10(X² / (X - Y)²) for band levels X (reference) and
    /// Y (test); the frame's SNR is their mean weighted by X^0.2, clamped to -10...35 dB; the
    /// result is the mean over frames. Like Loizou's reference implementation it compares
    /// magnitudes per critical band, so it ignores phase and the fine structure inside a band,
    /// which hearing ignores too (bin by bin, two different noise waveforms of the same
    /// spectrum differ by ~4 dB, which would cap every fricative there whatever the bitrate).
    /// Unlike it, spectra are not normalized per frame, so gain errors count, and the bands
    /// reach 7.7 kHz (wideband speech) instead of 3.6 kHz.
    static func fwSNRsegDB(reference: [Float], test: ArraySlice<Float>) -> Double {
        let frame = AudioFormat.samplesPerFrame, hop = frame / 2, fftSize = 1_024
        let edges: [Double] = [
            100, 200, 300, 400, 510, 630, 770, 920, 1_080, 1_270, 1_480, 1_720, 2_000, 2_320, 2_700, 3_150, 3_700, 4_400, 5_300, 6_400, 7_700,
        ]
        let bands = edges.indices.dropLast().map { b in
            Int((edges[b] * Double(fftSize) / rate).rounded())..<Int((edges[b + 1] * Double(fftSize) / rate).rounded())
        }
        let window = (0..<frame).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(frame)) }
        func bandLevels(_ samples: ArraySlice<Float>) -> [Double] {
            var re = [Double](repeating: 0, count: fftSize), im = re
            for (index, sample) in samples.enumerated() { re[index] = Double(sample) * window[index] }
            fft(&re, &im)
            return bands.map { band in band.reduce(0.0) { $0 + (re[$1] * re[$1] + im[$1] * im[$1]).squareRoot() } }
        }
        let starts = Array(stride(from: 0, through: min(reference.count, test.count) - frame, by: hop))
        let energies = starts.map { start in reference[start..<(start + frame)].reduce(0.0) { $0 + Double($1) * Double($1) } }
        let floor = (energies.max() ?? 0) * 1e-4  // -40 dB
        var frameSNRs: [Double] = []
        for (start, energy) in zip(starts, energies) where energy > floor {
            let x = bandLevels(reference[start..<(start + frame)])
            let y = bandLevels(test[(test.startIndex + start)..<(test.startIndex + start + frame)])
            var weighted = 0.0, weights = 0.0
            for (xb, yb) in zip(x, y) where xb > 0 {
                let weight = pow(xb, 0.2)
                weighted += weight * 10 * log10(xb * xb / max((xb - yb) * (xb - yb), xb * xb * 1e-10))
                weights += weight
            }
            frameSNRs.append(min(35, max(-10, weighted / max(weights, .leastNonzeroMagnitude))))
        }
        return frameSNRs.reduce(0, +) / Double(max(1, frameSNRs.count))
    }

    /// In-place radix-2 complex FFT; `re.count` must be a power of two.
    static func fft(_ re: inout [Double], _ im: inout [Double]) {
        let n = re.count
        var j = 0
        for i in 1..<n {  // bit-reversal permutation
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        let twiddles = (0..<(n / 2)).map { k in
            let angle = -2 * Double.pi * Double(k) / Double(n)
            return (cos(angle), sin(angle))
        }
        var length = 2
        while length <= n {
            for start in stride(from: 0, to: n, by: length) {
                for k in 0..<(length / 2) {
                    let (wr, wi) = twiddles[k * (n / length)]
                    let (a, b) = (start + k, start + k + length / 2)
                    let (tr, ti) = (re[b] * wr - im[b] * wi, re[b] * wi + im[b] * wr)
                    (re[b], im[b]) = (re[a] - tr, im[a] - ti)
                    (re[a], im[a]) = (re[a] + tr, im[a] + ti)
                }
            }
            length <<= 1
        }
    }

    /// Median f0 over voiced 40 ms frames, by normalized autocorrelation (60-400 Hz search),
    /// computed on an 8 kHz copy (6-sample averages) to keep it fast in debug builds.
    static func estimateF0(_ samples: [Float]) -> Double? {
        let factor = 6
        let rate = self.rate / Double(factor)
        let decimated = stride(from: 0, to: samples.count - factor + 1, by: factor).map { start in
            samples[start..<(start + factor)].reduce(0.0) { $0 + Double($1) } / Double(factor)
        }
        let frame = 320
        let lags = Int(rate / 400)...Int(rate / 60)
        var estimates: [Double] = []
        for start in stride(from: 0, to: decimated.count - frame - lags.upperBound, by: frame / 2) {
            let window = decimated[start..<(start + frame + lags.upperBound)]
            let base = window.startIndex
            let energy = window[base..<(base + frame)].reduce(0) { $0 + $1 * $1 }
            guard energy / Double(frame) > 1e-3 else { continue }  // loud (voiced) frames only
            var scores: [Double] = []
            for lag in lags {
                var cross = 0.0, lagged = 0.0
                for index in base..<(base + frame) {
                    cross += window[index] * window[index + lag]
                    lagged += window[index + lag] * window[index + lag]
                }
                scores.append(cross / (energy * lagged).squareRoot())
            }
            guard let best = scores.indices.max(by: { scores[$0] < scores[$1] }), scores[best] > 0.6 else { continue }
            // Parabolic interpolation around the peak for sub-sample lag precision.
            var lag = Double(lags.lowerBound + best)
            if best > 0, best < scores.count - 1 {
                let (a, b, c) = (scores[best - 1], scores[best], scores[best + 1])
                let denominator = a - 2 * b + c
                if denominator != 0 { lag += 0.5 * (a - c) / denominator }
            }
            estimates.append(rate / lag)
        }
        guard !estimates.isEmpty else { return nil }
        return estimates.sorted()[estimates.count / 2]
    }
}

/// A tiny seedable generator so noise is the same on every run and platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs command-line tools the tests cross-check against (opusinfo, opusdec, ffprobe).
enum ExternalTool {
    static func isInstalled(_ path: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: path)
    }

    /// Runs `path` with `arguments`; returns the exit status and stdout+stderr.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A fresh path in the temporary directory, removed by the caller.
    static func temporaryFile(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fleetaudio-\(UUID().uuidString)\(suffix)")
    }
}
