import FleetAudio
import Foundation
import ServiceKit
import Synchronization

/// A clock for real-time pacing, reading time as a duration since its own origin. The channel
/// runs on `RealTimeClock`; tests use `VirtualClock`, whose sleeps return at once with time
/// moved forward, so pacing logic is exercised without waiting.
public protocol PacingClock: Sendable {
    var now: Duration { get }
    /// Sleeps until `deadline` (an absolute time on this clock): pacing to absolute deadlines
    /// rather than sleeping 20 ms each time means lateness never accumulates into drift.
    func sleep(until deadline: Duration) async throws
}

public struct RealTimeClock: PacingClock {
    let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin + deadline, clock: .continuous)
    }
}

/// Time that only moves when someone sleeps (or `advance`s it).
public final class VirtualClock: PacingClock {
    private let current = Mutex<Duration>(.zero)

    public init() {}

    public var now: Duration { current.withLock { $0 } }

    public func sleep(until deadline: Duration) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    public func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}

/// Where the bridge's voice goes: one voice channel's outgoing audio stream.
public protocol PlaybackSink: Sendable {
    /// Sends one 20 ms frame of 48 kHz mono PCM.
    func send(_ frame: [Float]) async throws
}

/// The bot's outgoing voice in one simulated channel. Like a Discord voice client it Opus-encodes
/// every frame it sends, and keeps count of what went out.
public actor ChannelVoiceOutput: PlaybackSink {
    private let encoder: OpusEncoder
    /// Hears every frame after it is encoded: a test's recorder.
    private let listener: (any PlaybackSink)?
    public private(set) var framesSent = 0
    public private(set) var bytesSent = 0

    public init(listener: (any PlaybackSink)? = nil) throws {
        encoder = try OpusEncoder(settings: .voice)
        self.listener = listener
    }

    public func send(_ frame: [Float]) async throws {
        bytesSent += try encoder.encode(frame).count
        framesSent += 1
        try await listener?.send(frame)
    }

    public var secondsSent: Double { Double(framesSent) * AudioFormat.frameDuration }
}

/// What playing one reply looked like.
public struct PlaybackReport: Sendable, Equatable {
    public var frames = 0
    /// When the first frame went out, on the pacing clock.
    public var firstFrameAt: Duration?
    /// Frames sent a whole frame period or more after their slot: the listener's jitter
    /// buffer would have run dry.
    public var underruns = 0
    public var maxJitter = 0.0
    public var meanJitter = 0.0
    /// Playback stopped early because someone started talking over it (barge-in).
    public var interrupted = false

    public var seconds: Double { Double(frames) * AudioFormat.frameDuration }
}

/// Plays PCM into a sink as 20 ms frames, each at its slot on an ideal schedule that starts
/// with the first frame, measuring how far each frame strayed from that schedule.
public struct FramePlayer: Sendable {
    public let clock: any PacingClock
    public static let frameDuration = Duration.milliseconds(20)

    public init(clock: any PacingClock) {
        self.clock = clock
    }

    /// Frames for `samples`: whole 20 ms frames, the last one padded with silence.
    public static func frames(of samples: [Float]) -> [[Float]] {
        let size = AudioFormat.samplesPerFrame
        return stride(from: 0, to: samples.count, by: size).map { frame(of: samples, from: $0) }
    }

    /// The 20 ms frame of `samples` that starts at `start`, padded with silence.
    static func frame(of samples: [Float], from start: Int) -> [Float] {
        let size = AudioFormat.samplesPerFrame
        var frame = Array(samples[start..<min(start + size, samples.count)])
        if frame.count < size { frame += [Float](repeating: 0, count: size - frame.count) }
        return frame
    }

    /// Plays `samples`; `onFrame` sees each frame's lateness in seconds (the jitter metric).
    /// `interrupt` is checked at every frame's slot, just before it would go out, so a barge-in
    /// silences the reply within one frame.
    public func play(_ samples: [Float], into sink: any PlaybackSink, interrupt: PlaybackInterrupt? = nil,
                     onFirstFrame: (Duration) -> Void = { _ in },
                     onFrame: (Double) -> Void = { _ in }) async throws -> PlaybackReport {
        var report = PlaybackReport()
        var totalJitter = 0.0
        var start: Duration?
        // Each frame is cut when it is due: cutting them all first held a second copy of every
        // reply being played (60 MB of the bridge's heap at 100 speakers, heaptrack).
        for offset in stride(from: 0, to: samples.count, by: AudioFormat.samplesPerFrame) {
            let frame = Self.frame(of: samples, from: offset)
            let slot = (start ?? clock.now) + Self.frameDuration * report.frames
            try await clock.sleep(until: slot)
            if interrupt?.isRaised == true {
                report.interrupted = true
                break
            }
            let sentAt = clock.now
            try await sink.send(frame)
            if start == nil {
                start = slot
                report.firstFrameAt = sentAt
                onFirstFrame(sentAt)
            }
            let lateness = max(0, (sentAt - slot).seconds)
            onFrame(lateness)
            totalJitter += lateness
            report.maxJitter = max(report.maxJitter, lateness)
            if lateness >= AudioFormat.frameDuration { report.underruns += 1 }
            report.frames += 1
        }
        report.meanJitter = report.frames > 0 ? totalJitter / Double(report.frames) : 0
        return report
    }
}

extension FramePlayer {
    /// Plays a reply that is still arriving, chunk by chunk (a streamed reply's sentences), as one
    /// continuous stream of frames on one schedule: the first frame goes out as soon as the first
    /// chunk is here, not when the last one is.
    ///
    /// A chunk that arrives after its first frame's slot is a gap the listener hears: its first
    /// frame counts as one underrun (with its lateness), and the schedule starts again from that
    /// frame, so one late sentence is one gap, not every frame after it counted late.
    /// `interrupt` is checked at every frame's slot, as for a whole reply.
    public func play(_ chunks: AsyncThrowingStream<[Float], any Error>, into sink: any PlaybackSink,
                     interrupt: PlaybackInterrupt? = nil, onFirstFrame: (Duration) -> Void = { _ in },
                     onFrame: (Double) -> Void = { _ in }) async throws -> PlaybackReport {
        let size = AudioFormat.samplesPerFrame
        var report = PlaybackReport()
        var totalJitter = 0.0
        var start: Duration?
        // What has arrived and not yet played is buffer[played...]: frames are cut by moving an
        // index, and the played part is dropped only when a chunk is appended, so a frame costs a
        // 20 ms copy, not a shift of the whole sentence behind it.
        var buffer: [Float] = []
        var played = 0
        var ended = false
        var iterator = chunks.makeAsyncIterator()
        while true {
            while buffer.count - played < size, !ended {
                if let chunk = try await iterator.next() {
                    buffer.removeFirst(played)
                    played = 0
                    buffer += chunk
                } else {
                    ended = true
                }
            }
            if buffer.count == played { break }
            let end = min(played + size, buffer.count)
            var frame = Array(buffer[played..<end])
            played = end
            if frame.count < size { frame += [Float](repeating: 0, count: size - frame.count) }

            var slot = (start ?? clock.now) + Self.frameDuration * report.frames
            var gap: Double?
            if start != nil, clock.now - slot >= Self.frameDuration {
                // The chunk came late: the listener's buffer ran dry here; carry on from now.
                gap = (clock.now - slot).seconds
                slot = clock.now
                start = slot - Self.frameDuration * report.frames
            }
            try await clock.sleep(until: slot)
            if interrupt?.isRaised == true {
                report.interrupted = true
                break
            }
            let sentAt = clock.now
            try await sink.send(frame)
            if start == nil {
                start = slot
                report.firstFrameAt = sentAt
                onFirstFrame(sentAt)
            }
            let lateness = gap ?? max(0, (sentAt - slot).seconds)
            onFrame(lateness)
            totalJitter += lateness
            report.maxJitter = max(report.maxJitter, lateness)
            if lateness >= AudioFormat.frameDuration { report.underruns += 1 }
            report.frames += 1
        }
        report.meanJitter = report.frames > 0 ? totalJitter / Double(report.frames) : 0
        return report
    }
}

/// The signal that cuts one reply short: a speaker who starts talking while Atlas's reply plays
/// raises it, and the player stops at the next frame. It also says whether the reply is still
/// playing, so a barge-in planned for a reply that has since ended is dropped.
public final class PlaybackInterrupt: Sendable {
    private struct State {
        var raised = false
        var ended = false
    }

    private let state = Mutex(State())

    public init() {}

    public var isRaised: Bool { state.withLock { $0.raised } }

    /// True until the reply has played out or been cut off.
    public var isPlaying: Bool { state.withLock { !$0.ended && !$0.raised } }

    /// Stops the reply at its next frame; false when it had already ended (nothing to interrupt).
    @discardableResult
    public func raise() -> Bool {
        state.withLock { state in
            guard !state.ended, !state.raised else { return false }
            state.raised = true
            return true
        }
    }

    /// The reply is over; a later `raise` changes nothing.
    public func end() {
        state.withLock { $0.ended = true }
    }
}
