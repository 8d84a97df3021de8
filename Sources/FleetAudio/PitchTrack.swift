import Foundation

/// The f0 contour, one value per control block: phrase declination, pitch accents on stressed
/// syllables, a fall (statements) or rise (questions) at phrase ends, and slow irregular
/// wobble so the voice is not a machine-steady buzz.
enum PitchTrack {
    static func make(plan: SpeechPlan, voice: Voice, seed: UInt64, blockCount: Int, blockSize: Int) -> [Double] {
        let sampleRate = Double(AudioFormat.sampleRate)
        var noise = NoiseGenerator(seed: seed ^ 0x5151_5151)
        let wobblePhase = noise.next() * Double.pi
        var drift = 0.0
        var track = [Double](repeating: voice.basePitchHz, count: blockCount)
        var phraseIndex = 0
        var firstAccent = 0
        var smoothed = voice.basePitchHz * 1.05

        for block in 0..<blockCount {
            let time = (Double(block * blockSize) + Double(blockSize) / 2) / sampleRate
            while phraseIndex < plan.phrases.count - 1, plan.phrases[phraseIndex].end < time { phraseIndex += 1 }
            var contour = 1.0
            if phraseIndex < plan.phrases.count {
                let phrase = plan.phrases[phraseIndex]
                let length = max(0.001, phrase.end - phrase.start)
                let progress = min(1, max(0, (time - phrase.start) / length))
                contour = 1.06 - 0.14 * progress  // declination
                let remaining = phrase.end - time
                switch phrase.ending {
                case .statementEnd, .exclamationEnd:
                    if remaining < 0.35 { contour *= 1 - 0.12 * (1 - max(0, remaining) / 0.35) }
                case .questionEnd:
                    if remaining < 0.45 {
                        let x = 1 - max(0, remaining) / 0.45
                        contour *= 1 + 0.5 * x * x
                    }
                case .phraseBreak:
                    if remaining < 0.2 { contour *= 1 + 0.08 * (1 - max(0, remaining) / 0.2) }
                }
            }

            var accent = 0.0
            while firstAccent < plan.accents.count, plan.accents[firstAccent].time + 4 * plan.accents[firstAccent].width < time {
                firstAccent += 1
            }
            var index = firstAccent
            while index < plan.accents.count, plan.accents[index].time - 4 * plan.accents[index].width < time {
                let item = plan.accents[index]
                let z = (time - item.time) / item.width
                accent += item.height * exp(-0.5 * z * z)
                index += 1
            }

            drift = drift * 0.995 + noise.next() * 0.0006
            let wobble = 1 + 0.005 * sin(2 * Double.pi * 5.1 * time + wobblePhase) + 0.004 * sin(2 * Double.pi * 1.7 * time) + drift
            let target = voice.basePitchHz * contour * (1 + accent) * wobble
            smoothed += (target - smoothed) * 0.08  // ~12 ms glide: f0 moves, it never jumps
            track[block] = smoothed
        }
        return track
    }
}
