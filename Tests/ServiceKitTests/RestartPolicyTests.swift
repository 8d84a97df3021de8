import ServiceKit
import Testing

@Suite("Restart policy of audio-fleet up")
struct RestartPolicyTests {
    @Test("restarts after 0.5 s, doubling to 10 s; a child that stayed up 30 s starts again from 0.5 s")
    func backoff() {
        var tracker = RestartTracker(policy: .init(initialDelay: .milliseconds(500), maximumDelay: .seconds(10),
                                                   stableAfter: .seconds(30), crashLoopExits: 100, crashLoopWindow: .seconds(60)))
        var now = ContinuousClock.now
        var delays: [Duration] = []
        for _ in 0..<7 {
            // Each run lasts one second: never stable.
            let started = now
            now += .seconds(1)
            if case .restart(let delay) = tracker.childExited(startedAt: started, exitedAt: now) { delays.append(delay) }
        }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        let started = now
        now += .seconds(31)
        #expect(tracker.childExited(startedAt: started, exitedAt: now) == .restart(after: .milliseconds(500)))
        #expect(tracker.restarts == 8)
    }

    @Test("five exits within a minute are a crash loop: the supervisor gives up")
    func crashLoop() {
        var tracker = RestartTracker(policy: .fleet)
        var now = ContinuousClock.now
        var decisions: [RestartTracker.Decision] = []
        for _ in 0..<5 {
            let started = now
            now += .seconds(2)
            decisions.append(tracker.childExited(startedAt: started, exitedAt: now))
        }
        #expect(decisions.last == .giveUp(exits: 5))
        #expect(decisions.dropLast().allSatisfy { if case .restart = $0 { true } else { false } })
        #expect(tracker.restarts == 4)
    }

    @Test("exits spread out over more than the window never end the fleet")
    func spreadOut() {
        var tracker = RestartTracker(policy: .fleet)
        var now = ContinuousClock.now
        for _ in 0..<20 {
            let started = now
            now += .seconds(20)
            #expect(tracker.childExited(startedAt: started, exitedAt: now) != .giveUp(exits: 5))
        }
        #expect(tracker.restarts == 20)
    }
}
