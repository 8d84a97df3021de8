import Dispatch

/// The bridge's thread for a turn's codec bursts: a whole segment Opus-encoded at once (about
/// 20 ms of CPU for a 3 s utterance at the fleet's settings; 50 ms at complexity 10, full band).
///
/// Why not the cooperative pool: its threads (one per core, two here) also run every speaker's
/// and every reply's 20 ms loop, and a burst on one of them holds back every loop queued behind
/// it for as long as the burst lasts: frame lag, and starved jitter buffers. On a thread of its
/// own the burst is one more runnable thread that the kernel time-slices with the loops. The
/// queue is concurrent: turns closing at the same moment do not wait behind each other's bursts.
enum CodecThread {
    private static let queue = DispatchQueue(label: "discord.turn-codec", qos: .userInitiated, attributes: .concurrent)

    /// Runs `work` on a codec thread and returns its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
