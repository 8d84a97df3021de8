import ArgumentParser
import FleetAudio
import FleetSpeech
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `audio-fleet bench codec`: the CPU one voice turn's audio path costs, step by step, split into
/// codec (Opus, Ogg framing) and the DSP around it, with the codec part divided by plain libopus
/// doing the same encodes and decodes from C in the same run (the "codec ratio", goal <= 1.3).
///
/// Why thread CPU time and medians: the machine is shared and noisy; a thread's CPU clock does
/// not count time other processes held the core, and the median of many repetitions, each one
/// interleaving the fleet's step with its floor, drops the repetitions a cache-cold moment spoiled.
struct BenchCodec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "CPU of one voice turn's audio path per step: codec vs DSP, and the codec ratio to plain libopus.")

    @Option(help: "Repetitions of the whole turn (the median of each step is reported).")
    var repetitions = 15

    @Flag(help: "A few repetitions: proves the benchmark runs, not its figures.")
    var short = false

    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?

    static let goal = 1.3

    func run() throws {
        let turn = AudioPathTurn()
        let steps = try turn.steps()
        // The first pass fills every step's input and warms flite's voices and the allocator.
        for stage in AudioPathTurn.Stage.allCases { try turn.run(stage, steps: steps) }
        if let problem = turn.problem {
            print("bench codec: the fixed turn is not whole: \(problem)")
            throw ExitCode.failure
        }
        for step in steps { step.floor?() }

        let rounds = short ? 3 : max(3, repetitions)
        var own = [[Double]](repeating: [], count: steps.count)
        var floor = [[Double]](repeating: [], count: steps.count)
        for _ in 0..<rounds {
            for (index, step) in steps.enumerated() {
                own[index].append(try Self.threadCPU { try step.run() })
                if let reference = step.floor { floor[index].append(Self.threadCPU { reference() }) }
            }
        }
        let report = Report(turn: turn, steps: steps, own: own.map(Self.median), floor: floor.map { $0.isEmpty ? 0 : Self.median($0) },
                            rounds: rounds)
        report.print()
        if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
    }

    /// CPU seconds the calling thread spends in `body`.
    static func threadCPU(_ body: () throws -> Void) rethrows -> Double {
        let start = threadCPUNow()
        try body()
        return threadCPUNow() - start
    }

    static func threadCPUNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The table and its sums.
    struct Report {
        struct Row {
            var stage: String
            var name: String
            var kind: String
            var seconds: Double
            var floor: Double?
        }

        let rows: [Row]
        let rounds: Int
        let turn: AudioPathTurn

        init(turn: AudioPathTurn, steps: [AudioPathTurn.Step], own: [Double], floor: [Double], rounds: Int) {
            var rows: [Row] = []
            for (index, step) in steps.enumerated() {
                var seconds = own[index]
                if step.kind == .link {
                    // The link's own encodes and decodes are measured apart; what is left is its DSP.
                    let codec = steps.indices.filter { steps[$0].stage == step.stage && steps[$0].kind == .codec }
                        .reduce(0.0) { $0 + own[$1] }
                    seconds = max(0, seconds - codec)
                }
                rows.append(Row(stage: step.stage.rawValue, name: step.name, kind: step.kind == .codec ? "codec" : "dsp",
                                seconds: seconds, floor: step.kind == .codec ? floor[index] : nil))
            }
            self.rows = rows
            self.rounds = rounds
            self.turn = turn
        }

        var codec: Double { rows.filter { $0.kind == "codec" }.reduce(0) { $0 + $1.seconds } }
        var codecFloor: Double { rows.compactMap(\.floor).reduce(0, +) }
        var dsp: Double { rows.filter { $0.kind == "dsp" }.reduce(0) { $0 + $1.seconds } }
        var total: Double { codec + dsp }
        var ratio: Double { codecFloor > 0 ? codec / codecFloor : .nan }

        func print() {
            let seconds = turn.seconds
            Swift.print("""
                Codec ratio: one fixed voice turn's audio path in-process (median of \(rounds) repetitions, thread CPU time)
                  speaker \(String(format: "%.1f", seconds.speaker)) s of microphone, segment \(String(format: "%.2f", seconds.segment)) s, \
                reply \(String(format: "%.2f", seconds.reply)) s; Opus 48 kHz mono 32 kb/s VOIP complexity \(OpusSettings.voice.complexity), \(OpusSettings.voice.maxBandwidth)

                """)
            Swift.print("  " + "stage".padding(28) + "step".padding(52) + "kind ".padding(6) + "CPU ms".leftPadded(9)
                        + "libopus ms".leftPadded(12) + "ratio".leftPadded(7))
            for row in rows {
                let floor = row.floor.map { String(format: "%.2f", $0 * 1000) } ?? ""
                let ratio = row.floor.map { $0 > 0 ? String(format: "%.2f", row.seconds / $0) : "" } ?? ""
                Swift.print("  " + row.stage.padding(28) + row.name.padding(52) + row.kind.padding(6)
                            + String(format: "%.2f", row.seconds * 1000).leftPadded(9) + floor.leftPadded(12) + ratio.leftPadded(7))
            }
            Swift.print("""

                  whole path        \(String(format: "%7.1f", total * 1000)) ms CPU
                  codec             \(String(format: "%7.1f", codec * 1000)) ms (\(percent(codec / total)) of the path); \
                plain libopus for the same work \(String(format: "%.1f", codecFloor * 1000)) ms
                  codec ratio       \(String(format: "%.2f", ratio))   goal <= \(BenchCodec.goal): \(ratio <= BenchCodec.goal ? "met" : "missed")
                  DSP and other     \(String(format: "%7.1f", dsp * 1000)) ms (\(percent(dsp / total)) of the path), by step:
                """)
            for row in rows where row.kind == "dsp" {
                Swift.print("    " + percent(row.seconds / total).leftPadded(6) + "  \(row.stage): \(row.name)")
            }
        }

        func json() throws -> Data {
            var object: [String: Any] = [
                "benchmark": "codec", "repetitions": rounds, "codec_ratio": ratio, "goal": BenchCodec.goal,
                "goal_met": ratio <= BenchCodec.goal, "path_cpu_seconds": total, "codec_cpu_seconds": codec,
                "libopus_cpu_seconds": codecFloor, "dsp_cpu_seconds": dsp,
            ]
            object["steps"] = rows.map { row -> [String: Any] in
                var step: [String: Any] = ["stage": row.stage, "step": row.name, "kind": row.kind, "cpu_seconds": row.seconds]
                if let floor = row.floor { step["libopus_cpu_seconds"] = floor }
                return step
            }
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }

        private func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
    }
}

/// `audio-fleet bench audio-path`: the fixed turn's audio path exactly once, for callgrind.
///
/// Why each stage is a named function: `scripts/bench/callgrind.py` counts instructions only
/// inside `af_bench_audio_path` (`--toggle-collect`), so start-up and the speaker's own speech
/// synthesis are left out, and reads each `af_stage_*` function's inclusive count as its stage's.
struct BenchAudioPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio-path",
        abstract: "Run the fixed voice turn's audio path once, deterministically (for callgrind).")

    @Flag(help: "Run it exactly once (the only mode; kept for the scripts' readability).")
    var once = false

    func run() throws {
        let turn = AudioPathTurn()
        let steps = try turn.steps()
        // Register the reply's flite voice outside the count: a process pays that once, not per turn.
        _ = SpeechSynthesizer(voice: Voice.named(AudioPathTurn.replyVoice) ?? .default).synthesize("Ready.")
        try benchAudioPath(turn, steps)
        if let problem = turn.problem {
            print("bench audio-path: the fixed turn is not whole: \(problem)")
            throw ExitCode.failure
        }
        print("audio path run once: \(turn.segmentsClosed) utterance, reply \(String(format: "%.2f", turn.seconds.reply)) s")
    }
}

@_silgen_name("af_bench_audio_path") @inline(never)
func benchAudioPath(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws {
    try stageBridgeLink(turn, steps)
    try stageSegmentEncode(turn, steps)
    try stageProcessSegment(turn, steps)
    try stageSTTUpload(turn, steps)
    try stageEnhance(turn, steps)
    try stageSTTRecognize(turn, steps)
    try stageTTS(turn, steps)
    try stagePlayback(turn, steps)
}

@_silgen_name("af_stage_bridge_link") @inline(never)
func stageBridgeLink(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.bridgeLink, steps: steps, apart: false) }
@_silgen_name("af_stage_segment_encode") @inline(never)
func stageSegmentEncode(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.segmentEncode, steps: steps, apart: false) }
@_silgen_name("af_stage_process_segment") @inline(never)
func stageProcessSegment(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.processSegment, steps: steps, apart: false) }
@_silgen_name("af_stage_stt_upload") @inline(never)
func stageSTTUpload(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.sttUpload, steps: steps, apart: false) }
@_silgen_name("af_stage_enhance") @inline(never)
func stageEnhance(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.enhance, steps: steps, apart: false) }
@_silgen_name("af_stage_stt_recognize") @inline(never)
func stageSTTRecognize(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.sttRecognize, steps: steps, apart: false) }
@_silgen_name("af_stage_tts") @inline(never)
func stageTTS(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.tts, steps: steps, apart: false) }
@_silgen_name("af_stage_playback") @inline(never)
func stagePlayback(_ turn: AudioPathTurn, _ steps: [AudioPathTurn.Step]) throws { try turn.run(.playback, steps: steps, apart: false) }

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : padding(toLength: width, withPad: " ", startingAt: 0) }
    func leftPadded(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}
