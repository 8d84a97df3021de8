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

/// A sink that takes Opus packets as they are. A voice connection sends Opus, so a reply that
/// already is 20 ms Opus packets goes out without being decoded and encoded again; a sink that
/// only takes PCM (a test's recorder) is given the packets decoded instead.
public protocol OpusPlaybackSink: PlaybackSink {
    /// Sends one 20 ms Opus packet (48 kHz) as it is.
    func send(opus packet: [UInt8]) async throws
}

/// The bot's outgoing voice in one simulated channel, and the count of what went out. Like a
/// Discord voice client it sends Opus: packets it is given go out as they are, and PCM frames
/// are Opus-encoded first (only then is an encoder made).
public actor ChannelVoiceOutput: OpusPlaybackSink {
    private var encoder: OpusEncoder?
    /// Hears every frame as PCM after it went out: a test's recorder. Nothing in the fleet
    /// listens (speakers do not hear the bot), so packets are decoded only for a listener.
    private let listener: (any PlaybackSink)?
    private var listenerDecoder: OpusDecoder?
    public private(set) var framesSent = 0
    public private(set) var bytesSent = 0

    public init(listener: (any PlaybackSink)? = nil) {
        self.listener = listener
    }

    public func send(_ frame: [Float]) async throws {
        if encoder == nil { encoder = try OpusEncoder(settings: .voice) }
        bytesSent += try encoder?.encode(frame).count ?? 0
        framesSent += 1
        try await listener?.send(frame)
    }

    public func send(opus packet: [UInt8]) async throws {
        bytesSent += packet.count
        framesSent += 1
        guard let listener else { return }
        if let opusListener = listener as? any OpusPlaybackSink {
            try await opusListener.send(opus: packet)
            return
        }
        if listenerDecoder == nil { listenerDecoder = try OpusDecoder() }
        if let frame = try listenerDecoder?.decode(packet) {
            try await listener.send(FramePlayer.frame(of: frame, from: 0))
        }
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

/// Plays a reply into a sink as 20 ms frames, each at its slot on an ideal schedule that starts
/// with the first frame, measuring how far each frame strayed from that schedule. Opus packets
/// go to an `OpusPlaybackSink` as they are; PCM is cut into frames.
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
        try await play(.pcm(samples), into: sink, interrupt: interrupt, onFirstFrame: onFirstFrame, onFrame: onFrame)
    }

    /// Plays a whole reply's frames (its Opus packets as they are, or its PCM), as `play(_:into:)`.
    public func play(_ frames: ReplyFrames, into sink: any PlaybackSink, interrupt: PlaybackInterrupt? = nil,
                     onFirstFrame: (Duration) -> Void = { _ in },
                     onFrame: (Double) -> Void = { _ in }) async throws -> PlaybackReport {
        // Each frame is cut when it is due: cutting them all first held a second copy of every
        // reply being played (60 MB of the bridge's heap at 100 speakers, heaptrack).
        var pending = PendingFrames()
        pending.append(frames)
        return try await pace(into: sink, interrupt: interrupt, restartAfterGaps: false,
                              onFirstFrame: onFirstFrame, onFrame: onFrame) { pending.next(final: true) }
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
    public func play(_ chunks: AsyncThrowingStream<ReplyFrames, any Error>, into sink: any PlaybackSink,
                     interrupt: PlaybackInterrupt? = nil, onFirstFrame: (Duration) -> Void = { _ in },
                     onFrame: (Double) -> Void = { _ in }) async throws -> PlaybackReport {
        var pending = PendingFrames()
        var ended = false
        var iterator = chunks.makeAsyncIterator()
        return try await pace(into: sink, interrupt: interrupt, restartAfterGaps: true,
                              onFirstFrame: onFirstFrame, onFrame: onFrame) {
            while !pending.hasWholeFrame, !ended {
                if let chunk = try await iterator.next() { pending.append(chunk) } else { ended = true }
            }
            return pending.next(final: ended)
        }
    }

    /// The real-time loop both kinds of reply share: takes each frame from `next` (nil: the
    /// reply is over), waits for its slot, checks `interrupt`, sends it and measures its lateness.
    /// `restartAfterGaps`: a frame that was not there by its slot (a late chunk) is one gap and
    /// the schedule restarts from it, as `play(_ chunks:)` explains.
    private func pace(into sink: any PlaybackSink, interrupt: PlaybackInterrupt?, restartAfterGaps: Bool,
                      onFirstFrame: (Duration) -> Void, onFrame: (Double) -> Void,
                      next: () async throws -> OutgoingFrame?) async throws -> PlaybackReport {
        var report = PlaybackReport()
        var totalJitter = 0.0
        var start: Duration?
        var sender = FrameSender(sink: sink)
        while let frame = try await next() {
            var slot = (start ?? clock.now) + Self.frameDuration * report.frames
            var gap: Double?
            if restartAfterGaps, start != nil, clock.now - slot >= Self.frameDuration {
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
            try await sender.send(frame)
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

/// One 20 ms frame due to go out.
enum OutgoingFrame {
    case opus([UInt8])
    case pcm([Float])
}

/// Sends frames into one sink for one playback: packets as they are to a sink that takes Opus,
/// decoded (by one decoder, in order) to a sink that takes only PCM.
private struct FrameSender {
    let sink: any PlaybackSink
    let opusSink: (any OpusPlaybackSink)?
    var decoder: OpusDecoder?

    init(sink: any PlaybackSink) {
        self.sink = sink
        opusSink = sink as? any OpusPlaybackSink
    }

    mutating func send(_ frame: OutgoingFrame) async throws {
        switch frame {
        case .pcm(let samples):
            try await sink.send(samples)
        case .opus(let packet):
            if let opusSink {
                try await opusSink.send(opus: packet)
                return
            }
            if decoder == nil { decoder = try OpusDecoder() }
            if let samples = try decoder?.decode(packet) {
                try await sink.send(FramePlayer.frame(of: samples, from: 0))
            }
        }
    }
}

/// What has arrived of a reply and not yet gone out, in order. PCM that follows PCM joins it (a
/// frame may straddle two sentences, as the audio is one stream); PCM before packets is padded to
/// a whole frame. Frames are cut by moving an index: a frame costs a 20 ms copy (or none, for a
/// packet), not a shift of the audio behind it; what has played is dropped as chunks arrive.
struct PendingFrames {
    private var chunks: [ReplyFrames] = []
    /// Where the first chunk has got to: a sample offset (PCM) or a packet index.
    private var position = 0

    mutating func append(_ chunk: ReplyFrames) {
        switch (chunks.last, chunk) {
        case (.pcm(var samples)?, .pcm(let more)):
            // Let go of the chunk's own reference first, so the buffer is changed in place, not copied.
            chunks[chunks.count - 1] = .pcm([])
            if chunks.count == 1 {
                samples.removeFirst(position)
                position = 0
            }
            samples += more
            chunks[chunks.count - 1] = .pcm(samples)
        default:
            chunks.append(chunk)
        }
        dropPlayed()
    }

    /// Whether a whole frame can be cut without waiting for more: a packet, 20 ms of PCM, or a
    /// last bit of PCM that a later chunk of packets ends.
    var hasWholeFrame: Bool {
        switch chunks.first {
        case .opus(let packets)?: position < packets.count
        case .pcm(let samples)?: samples.count - position >= AudioFormat.samplesPerFrame || chunks.count > 1
        case nil: false
        }
    }

    /// The next frame; with `final` (nothing more will arrive), also a last partial PCM frame,
    /// padded with silence. Nil when there is nothing to send.
    mutating func next(final: Bool) -> OutgoingFrame? {
        guard hasWholeFrame || final else { return nil }
        dropPlayed()
        let frame: OutgoingFrame?
        switch chunks.first {
        case .opus(let packets)?:
            frame = .opus(packets[position])
            position += 1
        case .pcm(let samples)?:
            frame = .pcm(FramePlayer.frame(of: samples, from: position))
            position += AudioFormat.samplesPerFrame
        case nil:
            frame = nil
        }
        dropPlayed()
        return frame
    }

    /// Drops a first chunk that has played out.
    private mutating func dropPlayed() {
        while let first = chunks.first {
            let length = switch first {
            case .opus(let packets): packets.count
            case .pcm(let samples): samples.count
            }
            guard position >= length else { return }
            chunks.removeFirst()
            position = 0
        }
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
