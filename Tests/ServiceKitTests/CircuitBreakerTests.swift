import ServiceKit
import Synchronization
import Testing

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let now = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { now.withLock { $0 += duration } }
    }

    @Test("opens after 5 failures, half-opens after 30 s, closes after 2 successes")
    func originalPolicy() async {
        let clock = ManualClock()
        let breaker = CircuitBreaker(peer: "stt", now: { clock.now.withLock { $0 } })
        for _ in 0..<4 { await breaker.recordFailure() }
        #expect(await breaker.allowsCall())
        await breaker.recordFailure()
        #expect(await breaker.allowsCall() == false)

        clock.advance(.seconds(29))
        #expect(await breaker.allowsCall() == false)
        clock.advance(.seconds(2))
        #expect(await breaker.allowsCall())
        #expect(await breaker.state == .halfOpen(successes: 0))

        await breaker.recordSuccess()
        #expect(await breaker.state == .halfOpen(successes: 1))
        await breaker.recordSuccess()
        #expect(await breaker.state == .closed(failures: 0))
    }

    @Test("a failure while half-open opens it again; a success resets the failure count")
    func halfOpenFailure() async {
        let clock = ManualClock()
        let breaker = CircuitBreaker(peer: "stt", policy: .init(failureThreshold: 2, successThreshold: 1, openDuration: .seconds(1)),
                                     now: { clock.now.withLock { $0 } })
        await breaker.recordFailure()
        await breaker.recordSuccess()
        await breaker.recordFailure()
        #expect(await breaker.allowsCall(), "failures must be consecutive to open the breaker")
        await breaker.recordFailure()
        #expect(await breaker.allowsCall() == false)
        clock.advance(.seconds(2))
        #expect(await breaker.allowsCall())
        await breaker.recordFailure()
        #expect(await breaker.allowsCall() == false)
    }
}

@Suite("Circuit breaker with a liveness probe")
struct CircuitBreakerProbeTests {
    /// A peer whose liveness the test sets, counting how often it is asked.
    final class FakePeer: Sendable {
        let live = Mutex(false)
        let asked = Mutex(0)
        @Sendable func isLive() async -> Bool {
            asked.withLock { $0 += 1 }
            return live.withLock { $0 }
        }
    }

    static func openBreaker(clock: CircuitBreakerTests.ManualClock, peer: FakePeer) async -> CircuitBreaker {
        let breaker = CircuitBreaker(peer: "llm-flan", policy: .init(failureThreshold: 1, successThreshold: 1,
                                                                     openDuration: .seconds(30), probeInterval: .seconds(1)),
                                     now: { clock.now.withLock { $0 } }, probe: peer.isLive)
        await breaker.recordFailure()
        return breaker
    }

    @Test("an open breaker half-opens as soon as the probe finds the peer back, well before 30 s")
    func recoversWhenThePeerAnswers() async {
        let clock = CircuitBreakerTests.ManualClock()
        let peer = FakePeer()
        let breaker = await Self.openBreaker(clock: clock, peer: peer)
        #expect(await breaker.allowsCall() == false, "no probe in the first probe interval")
        #expect(peer.asked.withLock { $0 } == 0)

        clock.advance(.seconds(1))
        #expect(await breaker.allowsCall() == false, "the peer is still down")
        #expect(peer.asked.withLock { $0 } == 1)
        #expect(await breaker.allowsCall() == false)
        #expect(peer.asked.withLock { $0 } == 1, "at most one probe per interval, however many callers")

        peer.live.withLock { $0 = true }
        clock.advance(.seconds(1))
        #expect(await breaker.allowsCall(), "the peer answers: the call is the trial")
        #expect(await breaker.state == .halfOpen(successes: 0))
        await breaker.recordSuccess()
        #expect(await breaker.state == .closed(failures: 0))
    }

    @Test("a peer the probe never finds alive still gets its trial call after the open duration")
    func openDurationStaysTheUpperBound() async {
        let clock = CircuitBreakerTests.ManualClock()
        let peer = FakePeer()
        let breaker = await Self.openBreaker(clock: clock, peer: peer)
        clock.advance(.seconds(29))
        #expect(await breaker.allowsCall() == false)
        clock.advance(.seconds(1))
        #expect(await breaker.allowsCall())
        #expect(await breaker.state == .halfOpen(successes: 0))
        await breaker.recordFailure()
        #expect(await breaker.allowsCall() == false, "a failed trial opens it again")
    }
}
