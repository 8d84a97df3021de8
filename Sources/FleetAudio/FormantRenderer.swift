import Foundation

/// Renders a ``SpeechPlan`` with a Klatt-style source-filter model:
///
/// - voiced source: a band-limited harmonic series (a glottal-flow-like spectral tilt) at the
///   planned f0, plus a little breath noise;
/// - vocal tract: five cascaded formant resonators whose frequencies glide smoothly between
///   phone targets (coarticulation comes from that smoothing);
/// - frication: noise through a band-pass at the consonant's resonance, added in parallel.
///
/// Control parameters are updated every millisecond (48 samples) and the amplitudes ramp
/// linearly inside each block, so nothing clicks. The inner loop allocates nothing.
struct FormantRenderer {
    /// Expected to be ``Voice/sanitized``: the inner loop divides by f0.
    let voice: Voice
    let seed: UInt64

    private static let sampleRate = Double(AudioFormat.sampleRate)
    private static let blockSize = 48
    /// Voiced harmonics stop here (tapering from `harmonicTaperStartHz`); breath and frication noise
    /// cover the highs, and capping the count keeps low voices as cheap as high ones.
    private static let harmonicCeilingHz = 5_500.0
    private static let harmonicTaperStartHz = 4_200.0
    private static let maxHarmonics = 64
    private static let sourceHighPassHz = 180.0
    /// Scales the frication branch so that an /s/ (frication 1.0) sits about 8 dB below a
    /// full vowel, as in natural speech.
    private static let fricationGain = 0.8
    /// A band-pass alone leaves frication hissing up to 24 kHz; real sibilants fade above ~10 kHz.
    private static let fricationCutoffHz = 9_000.0
    private static let peakLevel = Float(0.708)  // -3 dBFS
    private static let fadeSeconds = 0.02
    private static let emphasis: Float = 0.82

    func render(_ plan: SpeechPlan) -> [Float] {
        let total = Int((plan.duration * Self.sampleRate).rounded())
        guard total > 0 else { return [] }
        let blockCount = (total + Self.blockSize - 1) / Self.blockSize
        let pitch = PitchTrack.make(plan: plan, voice: voice, seed: seed, blockCount: blockCount, blockSize: Self.blockSize)
        var output = [Float](repeating: 0, count: total)
        output.withUnsafeMutableBufferPointer { buffer in
            renderBlocks(plan.phones, pitch: pitch, into: buffer)
        }
        finish(&output)
        return output
    }

    /// Steps the controls once per block, then renders the block's samples. The harmonic source
    /// and the level ramps live in the small state types below; the inner loop allocates nothing.
    private func renderBlocks(_ phones: [PlannedPhone], pitch: [Double], into output: UnsafeMutableBufferPointer<Float>) {
        let sampleRate = Self.sampleRate
        var spectrum = HarmonicSpectrum(brightness: voice.brightness)
        var oscillator = GlottalOscillator()
        var levels = LevelRamp()
        // The filters stay separate locals rather than one struct: with -O but no whole-module
        // optimization (the debug build `make run` and the tests use) one struct measured 2 % slower.
        var noise = NoiseGenerator(seed: seed)
        var tract = VocalTract()
        var frication = BandPass()
        var fricationTilt = TwoPoleLowPass(cutoff: Self.fricationCutoffHz, sampleRate: sampleRate)
        var controls = Controls(start: phones.first)
        var phoneIndex = 0

        for block in 0..<pitch.count {
            let first = block * Self.blockSize
            let count = min(Self.blockSize, output.count - first)
            let time = (Double(first) + Double(count) / 2) / sampleRate
            while phoneIndex < phones.count - 1, phones[phoneIndex].end <= time { phoneIndex += 1 }
            controls.approach(Targets(phones[phoneIndex], at: time))

            tract.configure(controls, shift: voice.formantShift, sampleRate: sampleRate)
            frication.configure(center: controls.fricationHz, bandwidth: controls.fricationBandwidth, sampleRate: sampleRate)
            let f0 = pitch[block]
            let harmonicCount = spectrum.update(f0: f0)
            oscillator.startBlock(f0: f0, sampleRate: sampleRate)
            levels.startBlock(towards: controls, count: count)

            spectrum.amplitudes.withUnsafeBufferPointer { amplitudes in
                for n in 0..<count {
                    levels.advance()
                    let voiced = oscillator.next(amplitudes, harmonicCount: harmonicCount)
                    // One noise generator feeds both branches, aspiration first, so output stays seeded.
                    let excitation = voiced * levels.voicing + noise.next() * levels.aspiration
                    let speech = tract.process(excitation)
                    let hiss = fricationTilt.process(frication.process(noise.next() * levels.frication)) * Self.fricationGain
                    output[first + n] = Float(speech + hiss)
                }
            }
        }
    }

    /// Spectral correction, 20 ms fades, and scaling to a -3 dBFS peak (so the output never clips).
    private func finish(_ samples: inout [Float]) {
        // A five-formant cascade lacks the boost the vocal tract's higher resonances give the
        // 2-5 kHz region (Klatt's "higher-pole correction"), which leaves it ~20 dB too dark.
        // A first-order emphasis restores a natural long-term spectrum and also removes DC.
        var previousInput: Float = 0
        for index in samples.indices {
            let input = samples[index]
            samples[index] = input - Self.emphasis * previousInput
            previousInput = input
        }
        let fade = min(Int(Self.fadeSeconds * Self.sampleRate), samples.count / 2)
        for index in 0..<fade {
            let gain = Float(index) / Float(fade)
            samples[index] *= gain
            samples[samples.count - 1 - index] *= gain
        }
        let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return }
        let scale = Self.peakLevel / peak
        for index in samples.indices { samples[index] *= scale }
    }
}

extension FormantRenderer {
    /// The voiced source's harmonic amplitudes for the current f0. Both tables are allocated once
    /// per render; `update` rewrites them in place every block.
    fileprivate struct HarmonicSpectrum {
        /// Harmonic k's share of the spectral tilt (index 0 unused).
        let tiltTable: [Double]
        var amplitudes: [Double]

        init(brightness: Double) {
            // Steeper tilt = darker voice: harmonic k has amplitude k^-tilt.
            let tilt = 1.15 - 0.5 * brightness
            tiltTable = (0...FormantRenderer.maxHarmonics).map { $0 == 0 ? 0 : pow(Double($0), -tilt) }
            amplitudes = [Double](repeating: 0, count: FormantRenderer.maxHarmonics + 1)
        }

        /// Fills `amplitudes[1...]` for `f0` and returns how many harmonics sound below the ceiling.
        /// (`amplitudes[1]` is always set: the oscillator always plays the fundamental.)
        mutating func update(f0: Double) -> Int {
            let start = FormantRenderer.harmonicTaperStartHz, ceiling = FormantRenderer.harmonicCeilingHz
            let cutoff = FormantRenderer.sourceHighPassHz
            let harmonicCount = min(FormantRenderer.maxHarmonics, Int(ceiling / f0))
            for k in 1...max(1, harmonicCount) {
                let frequency = Double(k) * f0
                // A raised-cosine fade up to the ceiling, so no harmonic pops in or out.
                let taper = frequency <= start ? 1 : 0.5 + 0.5 * cos(Double.pi * (frequency - start) / (ceiling - start))
                // The glottal source plus lip radiation has little energy at the very lowest
                // harmonics: shape them with a (zero-phase) second-order high-pass response.
                let lowCut = frequency * frequency / (frequency * frequency + cutoff * cutoff)
                amplitudes[k] = tiltTable[k] * taper * lowCut
            }
            return harmonicCount
        }
    }

    /// The voiced source: the fundamental's phase as a unit phasor, rotated once per sample (no
    /// sin/cos per sample), and its harmonics summed by recurrence.
    fileprivate struct GlottalOscillator {
        var phasorCos = 1.0, phasorSin = 0.0
        var rotationCos = 1.0, rotationSin = 0.0

        /// Sets this block's per-sample rotation and renormalizes the phasor: rounding makes the
        /// rotated phasor drift off the unit circle.
        mutating func startBlock(f0: Double, sampleRate: Double) {
            let increment = 2 * Double.pi * f0 / sampleRate
            rotationCos = cos(increment)
            rotationSin = sin(increment)
            let norm = (phasorCos * phasorCos + phasorSin * phasorSin).squareRoot()
            phasorCos /= norm
            phasorSin /= norm
        }

        /// Advances one sample and returns the harmonic sum. sin(kθ) comes from the Chebyshev
        /// recurrence on sin θ and cos θ: no per-harmonic sin.
        @inline(__always)
        mutating func next(_ amplitudes: UnsafeBufferPointer<Double>, harmonicCount: Int) -> Double {
            let rotated = phasorCos * rotationCos - phasorSin * rotationSin
            phasorSin = phasorSin * rotationCos + phasorCos * rotationSin
            phasorCos = rotated

            let sine = phasorSin
            let twoCos = 2 * phasorCos
            var previous = 0.0, current = sine
            var voiced = amplitudes[1] * sine
            if harmonicCount >= 2 {
                for k in 2...harmonicCount {
                    let next = twoCos * current - previous
                    previous = current
                    current = next
                    voiced += amplitudes[k] * next
                }
            }
            return voiced
        }
    }

    /// The three source levels. Inside a block they ramp linearly from where the last block ended
    /// to this block's controls, so level changes never click.
    fileprivate struct LevelRamp {
        private(set) var voicing = 0.0, aspiration = 0.0, frication = 0.0
        private var voicingStep = 0.0, aspirationStep = 0.0, fricationStep = 0.0
        private var blockEnd = (voicing: 0.0, aspiration: 0.0, frication: 0.0)

        mutating func startBlock(towards controls: Controls, count: Int) {
            let step = 1 / Double(count)
            (voicing, aspiration, frication) = blockEnd
            voicingStep = (controls.voicing - voicing) * step
            aspirationStep = (controls.aspiration - aspiration) * step
            fricationStep = (controls.frication - frication) * step
            blockEnd = (controls.voicing, controls.aspiration, controls.frication)
        }

        @inline(__always)
        mutating func advance() {
            voicing += voicingStep
            aspiration += aspirationStep
            frication += fricationStep
        }
    }
}

/// What one phone asks for at one moment.
struct Targets {
    var formants: FormantSet
    var bandwidthScale: Double
    var voicing: Double
    var aspiration: Double
    var frication: Double
    var fricationHz: Double
    var fricationBandwidth: Double

    init(_ phone: PlannedPhone, at time: Double) {
        let elapsed = max(0, time - phone.start)
        let progress = phone.duration > 0 ? min(1, elapsed / phone.duration) : 1
        formants = phone.formants
        if let glide = phone.glide {
            // Diphthongs hold their first quality briefly, then glide.
            let x = min(1, max(0, (progress - 0.2) / 0.8))
            formants = phone.formants.mixed(with: glide, x * x * (3 - 2 * x))
        }
        bandwidthScale = phone.bandwidthScale
        voicing = phone.voicing
        aspiration = phone.aspiration
        frication = phone.frication
        fricationHz = phone.fricationHz
        fricationBandwidth = phone.fricationBandwidth
        switch phone.shape {
        case .steady:
            break
        case .nucleus(let phraseFinal):
            // Syllable envelope: a quick swell at the onset, then a gentle (phrase-finally, strong) decay.
            let attack = min(1, 0.35 + 0.65 * elapsed / 0.03)
            let decay = 1 - (phraseFinal ? 0.6 : 0.3) * progress
            voicing *= attack * decay
            aspiration *= attack * decay
        case .burst:
            frication *= exp(-elapsed / max(0.002, phone.duration * 0.5))
        }
    }
}

/// The smoothed control parameters: one-pole glides towards each millisecond's targets.
struct Controls {
    var formants: FormantSet
    var bandwidthScale = 1.0
    var voicing = 0.0
    var aspiration = 0.0
    var frication = 0.0
    var fricationHz = 4_000.0
    var fricationBandwidth = 3_000.0

    /// Per-millisecond smoothing factors: 1 - exp(-1 ms / τ).
    private static let formantRate = 1 - exp(-1.0 / 12)  // τ = 12 ms: articulators are slow
    private static let amplitudeRate = 1 - exp(-1.0 / 4)
    private static let fricationRate = 1 - exp(-1.0 / 1.5)  // bursts must stay crisp

    init(start phone: PlannedPhone?) {
        formants = phone?.formants ?? VowelQuality.ax.formants
    }

    mutating func approach(_ target: Targets) {
        formants = formants.mixed(with: target.formants, Self.formantRate)
        bandwidthScale += (target.bandwidthScale - bandwidthScale) * Self.formantRate
        voicing += (target.voicing - voicing) * Self.amplitudeRate
        aspiration += (target.aspiration - aspiration) * Self.amplitudeRate
        frication += (target.frication - frication) * Self.fricationRate
        fricationHz += (target.fricationHz - fricationHz) * Self.fricationRate
        fricationBandwidth += (target.fricationBandwidth - fricationBandwidth) * Self.fricationRate
    }
}
