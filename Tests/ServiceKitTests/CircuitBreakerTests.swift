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
