import ArgumentParser
import FleetAudio
import FleetSpeech
import FleetTelemetry
import Foundation
import STTService

/// `audio-fleet bench`: the speed and memory numbers behind the fleet's hot paths, measured on
/// this machine (run a release build: `make bench`). Benchmarks, not tests: they report, never fail.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure codec, synthesis, VAD and metric speed (use a release build).",
        subcommands: [BenchCodec.self, BenchAudioPath.self, BenchMetrics.self])

    @Option(help: "Seconds of speech each benchmark works through.")
    var seconds = 20.0

    func run() throws {
        let text = "hey atlas, what will the weather be like tomorrow morning in the city, and should I bring an umbrella"
        // One line per flite voice the presets use: the diphone voice (kal16) costs less than half
        // what the statistical ones (slt, rms, awb) do. The time covers everything the services
        // pay: spoken form, flite, resampling to 48 kHz and loudness normalisation.
        var syntheses: [(name: String, speed: String, note: String)] = []
        var speech: [Float] = []
        for family in FliteVoice.allCases {
            guard let voice = Voice.all.first(where: { $0.family == family }) else { continue }
            let synthesizer = SpeechSynthesizer(voice: voice)
            _ = synthesizer.synthesize("Ready.")  // the first use registers the voice: not per-utterance cost
            var samples: [Float] = []
            let time = measure { samples = synthesizer.synthesize(text) }
            let spoken = Double(samples.count) / Double(AudioFormat.sampleRate)
            syntheses.append(("speech synthesis (flite \(family.rawValue))", "\(rate(spoken / time))x real time",
                              "\(String(format: "%.1f", spoken)) s of speech in \(ms(time))"))
            if voice == .default { speech = samples }
        }
        guard !speech.isEmpty else {
            print("flite spoke nothing for the default voice; nothing to benchmark")
            throw ExitCode.failure
        }
        while Double(speech.count) / Double(AudioFormat.sampleRate) < seconds { speech += speech }
        let frames = stride(from: 0, to: speech.count - AudioFormat.samplesPerFrame, by: AudioFormat.samplesPerFrame)
            .map { Array(speech[$0..<($0 + AudioFormat.samplesPerFrame)]) }
        let audioSeconds = Double(frames.count) * AudioFormat.frameDuration
        print("AudioFleet benchmarks — \(String(format: "%.0f", audioSeconds)) s of synthesized speech, 48 kHz mono, 20 ms frames\n")

        for synthesis in syntheses { report(synthesis.name, synthesis.speed, synthesis.note) }
        try benchRecognition()

        // The fleet's setting (wideband, complexity 5) beside full band at 5 and 10, the floor's two ends.
        for (complexity, band) in [(5, OpusBandwidth.wideband), (5, .fullband), (10, .fullband)] {
            let encoder = try OpusEncoder(settings: OpusSettings(bitrate: 32_000, complexity: complexity, maxBandwidth: band))
            var packets: [[UInt8]] = []
            let time = try measureThrows { packets = try frames.map { try encoder.encode($0) } }
            let kbps = Double(packets.reduce(0) { $0 + $1.count } * 8) / audioSeconds / 1000
            report("opus encode (complexity \(complexity), \(band))", "\(rate(Double(frames.count) / time)) frames/s",
                   "\(rate(audioSeconds / time))x real time, \(String(format: "%.1f", kbps)) kb/s")
        }
        let encoder = try OpusEncoder(settings: .voice)
        let packets = try frames.map { try encoder.encode($0) }
        let decoder = try OpusDecoder()
        let decodeTime = try measureThrows { for packet in packets { _ = try decoder.decode(packet) } }
        report("opus decode", "\(rate(Double(packets.count) / decodeTime)) frames/s", "\(rate(audioSeconds / decodeTime))x real time")

        var file: [UInt8] = []
        let oggEncode = try measureThrows { file = try OggOpus.encode(speech, comments: [OpusComment.referenceTranscript: text]) }
        let oggDecode = try measureThrows { _ = try OggOpus.decode(file) }
        report("ogg opus file encode", "\(rate(audioSeconds / oggEncode))x real time", "\(file.count / 1024) KiB for \(String(format: "%.0f", audioSeconds)) s")
        report("ogg opus file decode", "\(rate(audioSeconds / oggDecode))x real time", "")

        let vad = VoiceActivityDetector(frameMilliseconds: 30, aggressiveness: 1)
        let vadTime = measure { _ = vad.speechFrames(speech) }
        report("voice activity detection", "\(rate(audioSeconds / vadTime))x real time", "30 ms frames")
        let scoreTime = measure { _ = QualityScore.score(samples: speech) }
        report("quality score", "\(rate(audioSeconds / scoreTime))x real time", "")

        let observations = 200_000
        let metricTime = measure {
            for index in 0..<observations {
                MetricCatalog.sttLatency.observe(Double(index % 100) / 50)
            }
        }
        report("catalog histogram observe", "\(rate(Double(observations) / metricTime)) ops/s", "no backend bootstrapped: API overhead only")

        if let sample = ProcessSample.current() {
            report("resident memory after all", "\(sample.residentBytes / 1_048_576) MiB", "cpu \(String(format: "%.1f", sample.cpuSeconds)) s")
        }
    }

    /// pocketsphinx on one core: CPU seconds per second of audio for each vocabulary, on the fleet's
    /// own sentences in every preset voice, through Opus as stt receives them.
    private func benchRecognition() throws {
        let clips = try FleetVocabulary.sentences.enumerated().filter { $0.element.count > 20 }.map { index, sentence in
            let spoken = SpeechSynthesizer(voice: Voice.all[index % Voice.all.count]).synthesize(sentence)
            return try OggOpus.decode(try OggOpus.encode(spoken)).samples
        }
        let audio = Double(clips.reduce(0) { $0 + $1.count }) / Double(AudioFormat.sampleRate)
        let vocabularies: [(String, SpeechRecognitionEngine.Vocabulary)] = [
            ("fleet", .sentences(FleetVocabulary.sentences, extraWords: FleetVocabulary.numberWords)), ("general", .general),
        ]
        for (name, vocabulary) in vocabularies {
            let engine = try SpeechRecognitionEngine(vocabulary: vocabulary, decoders: 1)
            let before = ProcessSample.current()?.cpuSeconds ?? 0
            let time = try measureThrows {
                let done = DispatchSemaphore(value: 0)
                Task {
                    for clip in clips { _ = try? await engine.recognize(clip, sampleRate: AudioFormat.sampleRate) }
                    done.signal()
                }
                done.wait()
            }
            let cpu = (ProcessSample.current()?.cpuSeconds ?? before) - before
            report("speech recognition (\(name))", "\(String(format: "%.3f", cpu / audio)) CPU s/audio s",
                   "\(String(format: "%.0f", audio)) s of speech in \(ms(time)) (\(rate(audio / time))x real time)")
        }
    }

    private func measure(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func measureThrows(_ body: () throws -> Void) throws -> Double {
        var failure: (any Error)?
        let time = measure { do { try body() } catch { failure = error } }
        if let failure { throw failure }
        return time
    }

    private func rate(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    private func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

    private func report(_ name: String, _ value: String, _ note: String) {
        print("  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(value.padding(toLength: 22, withPad: " ", startingAt: 0)) \(note)")
    }
}
