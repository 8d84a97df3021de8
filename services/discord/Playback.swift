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

/// Where the bridge's voice goes: the channel's one outgoing audio stream.
public protocol PlaybackSink: Sendable {
    /// Sends one 20 ms frame of 48 kHz mono PCM.
    func send(_ frame: [Float]) async throws
}

/// The bot's outgoing voice in the simulated channel. Like a Discord voice client it Opus-encodes
/// every frame it sends, and keeps count of what went out.
public actor ChannelVoiceOutput: PlaybackSink {
    private let encoder: OpusEncoder
    public private(set) var framesSent = 0
    public private(set) var bytesSent = 0

    public init() throws {
        encoder = try OpusEncoder(settings: .voice)
    }

    public func send(_ frame: [Float]) throws {
        bytesSent += try encoder.encode(frame).count
        framesSent += 1
    }

    public var secondsSent: Double { Double(framesSent) * AudioFormat.frameDuration }
}

/// A first-come, first-served async lock. The channel uses two: its one outgoing voice (replies
/// to different speakers take turns, as a Discord bot's must) and the conversational floor
/// (people wait for the exchange in progress to finish before they speak).
public actor FIFOLock {
    private var held = false
    private var waiters: [(id: Int, urgent: Bool, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0

    public init() {}

    /// Waits for the lock. False when the task was cancelled while waiting: the lock is not held.
    /// An urgent waiter goes ahead of every waiter that is not (a person asked for this turn).
    public func acquire(urgent: Bool = false) async -> Bool {
        guard held else {
            held = true
            return true
        }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else if urgent {
                    let position = waiters.firstIndex { !$0.urgent } ?? waiters.endIndex
                    waiters.insert((id, true, continuation), at: position)
                } else {
                    waiters.append((id, false, continuation))
                }
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// How many are waiting for the lock.
    public var queueLength: Int { waiters.count }

    public func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func abandon(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    /// Runs `body` while holding the lock.
    public nonisolated func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard await acquire() else { throw CancellationError() }
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
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
        return stride(from: 0, to: samples.count, by: size).map { start in
            var frame = Array(samples[start..<min(start + size, samples.count)])
            if frame.count < size { frame += [Float](repeating: 0, count: size - frame.count) }
            return frame
        }
    }

    /// Plays `samples`; `onFrame` sees each frame's lateness in seconds (the jitter metric).
    public func play(_ samples: [Float], into sink: any PlaybackSink,
                     onFirstFrame: (Duration) -> Void = { _ in },
                     onFrame: (Double) -> Void = { _ in }) async throws -> PlaybackReport {
        var report = PlaybackReport()
        var totalJitter = 0.0
        var start: Duration?
        for frame in Self.frames(of: samples) {
            let slot = (start ?? clock.now) + Self.frameDuration * report.frames
            try await clock.sleep(until: slot)
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
