import ServiceKit

/// Releases a planned reply at the speed a real model would produce it: nothing until the time
/// to first token, then one token per drawn gap.
///
/// Each token has a due time fixed up front (first-token latency plus the gaps before it), so
/// slow writes never make the whole reply drift later; tokens that fall due together — the
/// consumer was slow, or gaps are tiny at a low LATENCY_SCALE — are handed over as one group.
struct TokenPacer: Sendable {
    let firstToken: LatencySource
    let tokenGap: LatencySource

    struct Timing: Sendable, Equatable {
        /// Seconds from start to the first group handed over.
        var timeToFirstToken: Double
        /// Seconds from start to the last group handed over.
        var duration: Double
        /// Output tokens per second after the first one (nil for a one-token reply).
        var tokensPerSecond: Double?
    }

    /// How often a caller waiting for the first token is sent a keep-alive.
    static let keepAliveInterval: Duration = .seconds(1)

    /// Hands `pieces` to `emit` in groups, on schedule. `promptTokens` lengthens the first-token
    /// wait and `firstTokenDelay` (seconds, from a fault scenario) is added to it. While the first
    /// token is more than `keepAliveInterval` away, `keepAlive` is called at that interval: a
    /// stream's way to notice, by a failed write, that its caller has gone.
    func run(_ pieces: [String], promptTokens: Int, firstTokenDelay: Double = 0,
             keepAlive: () async throws -> Void = {},
             emit: (_ group: [String], _ isFirst: Bool) async throws -> Void) async throws -> Timing {
        let clock = ContinuousClock()
        let start = clock.now
        var offset = await firstToken.next(units: Double(promptTokens)) + firstTokenDelay
        var due: [ContinuousClock.Instant] = []
        due.reserveCapacity(pieces.count)
        for index in pieces.indices {
            if index > 0 { offset += await tokenGap.next() }
            due.append(start + .seconds(offset))
        }

        var index = 0
        var firstAt: ContinuousClock.Instant?
        while index < pieces.count {
            if index == 0 {
                while due[0] - clock.now > Self.keepAliveInterval {
                    try await Task.sleep(for: Self.keepAliveInterval)
                    try await keepAlive()
                }
            }
            try await Task.sleep(until: due[index], clock: clock)
            let now = clock.now
            var end = index + 1
            while end < pieces.count && due[end] <= now { end += 1 }
            try await emit(Array(pieces[index..<end]), firstAt == nil)
            if firstAt == nil { firstAt = now }
            index = end
        }
        let finished = clock.now
        let ttft = ((firstAt ?? finished) - start).seconds
        let decoding = (finished - (firstAt ?? finished)).seconds
        return Timing(timeToFirstToken: ttft, duration: (finished - start).seconds,
                      tokensPerSecond: pieces.count > 1 && decoding > 0 ? Double(pieces.count - 1) / decoding : nil)
    }
}
