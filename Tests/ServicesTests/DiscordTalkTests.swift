import FleetContracts
import FleetTestSupport
import ServiceKit
import Testing
@testable import DiscordService

/// Talk that looks like people's: follow-ups within a conversation, and some overlap.
@Suite("Discord talk")
struct DiscordTalkTests {
    @Test("a speaker opens with a request, follows up once conversing, and replays from its seed")
    func followUps() {
        var mind = SpeakerMind(seed: 42, name: "Ava")
        let opening = mind.nextPhrase()
        #expect(opening.kind == .request)
        let strangers = (0..<40).map { _ in mind.nextPhrase() }
        #expect(!strangers.contains { $0.kind == .followUp }, "a follow-up before any conversation")

        mind.heard([.noWakePhrase])
        #expect(!mind.conversing)
        mind.heard([.interrupted])
        #expect(mind.conversing, "a cut-off answer is still a conversation")
        let conversing = (0..<40).map { _ in mind.nextPhrase() }
        let followUps = conversing.filter { $0.kind == .followUp }.count
        #expect(followUps >= 10 && followUps <= 30, "\(followUps) of 40 phrases were follow-ups")

        var replay = SpeakerMind(seed: 42, name: "Ava")
        _ = (0..<41).map { _ in replay.nextPhrase() }
        replay.heard([.replied])
        #expect((0..<40).map { _ in replay.nextPhrase() } == conversing)
    }

    @Test("the speaker who opens a channel greets Atlas; from then on it talks as everyone does")
    func channelOpenerGreets() {
        var opener = SpeakerMind(seed: 42, name: "Ava")
        let greetings = (0..<20).map { seed -> Phrase in
            var mind = SpeakerMind(seed: UInt64(seed), name: "Ava")
            return mind.nextPhrase(opensChannel: true)
        }
        #expect(greetings.allSatisfy { FleetPhrases.greetings.contains($0.text) && $0.kind == .request })
        #expect(Set(greetings.map { $0.text }).count == FleetPhrases.greetings.count, "every greeting is drawn")
        _ = opener.nextPhrase(opensChannel: true)
        let later = (0..<40).map { _ in opener.nextPhrase(opensChannel: true) }
        #expect(later.contains { !FleetPhrases.greetings.contains($0.text) }, "only the opening phrase is a greeting")
    }

    @Test("with overlap, a speaker talks without waiting for the floor; without, it waits")
    func overlap() async throws {
        for (percent, waits) in [(100.0, false), (0.0, true)] {
            let harness = DiscordHarness()
            var config = DiscordConfig()
            config.turnInterval = 0...0
            config.overlapPercent = percent
            let speaker = await harness.speaker(in: try harness.channel(), environment: harness.environment(config: config))
            var mind = SpeakerMind(seed: 1, name: "Ava")
            var ready = false
            let plan = try #require(await speaker.nextPlan(&mind, fleetReady: &ready))
            #expect(plan.waitsForFloor == waits && plan.bargeIn == nil)
            #expect(ready, "the speaker did not wait for the fleet before its first phrase")
        }
    }

    @Test("a speaker waiting for the floor takes a barge-in call instead, and drops one whose reply ended")
    func bargeInWhileWaiting() async throws {
        let harness = DiscordHarness()
        let channel = try harness.channel()
        let speaker = await harness.speaker(in: channel, environment: harness.environment())
        #expect(await channel.floor.acquire())
        let reply = PlaybackInterrupt()
        let waiting = Task { await speaker.floorOrBargeIn(urgent: false) }
        #expect(await eventually { await channel.floor.queueLength == 1 })
        await speaker.mailbox.callToBargeIn(BargeIn(at: .zero, reply: reply))
        guard case .bargeIn(let call) = await waiting.value else {
            Issue.record("the speaker kept waiting for the floor")
            return
        }
        #expect(call.reply === reply)
        #expect(await channel.floor.queueLength == 0, "the abandoned floor wait is still queued")

        // A call for a reply that has ended: the speaker waits for the floor after all.
        reply.end()
        let again = Task { await speaker.floorOrBargeIn(urgent: false) }
        #expect(await eventually { await channel.floor.queueLength == 1 })
        await speaker.mailbox.callToBargeIn(BargeIn(at: .zero, reply: reply))
        await channel.floor.release()
        guard case .floor = await again.value else {
            Issue.record("a stale barge-in call was taken")
            return
        }
        await channel.floor.release()
    }

    @Test("the fleet-readiness wait runs once for all speakers, and one who leaves stops waiting", .timeLimit(.minutes(1)))
    func readinessGate() async {
        let calls = CallCounter()
        let opened = PlaybackInterrupt()  // a one-shot flag: raised once the fleet is "up"
        let gate = ReadinessGate {
            await calls.count()
            while !opened.isRaised { try? await Task.sleep(for: .milliseconds(10)) }
        }
        let staying = (0..<3).map { _ in Task { await gate.wait() } }
        let leaving = Task { await gate.wait() }
        #expect(await eventually { await calls.value == 1 })
        leaving.cancel()
        await leaving.value
        opened.raise()
        for waiter in staying { await waiter.value }
        #expect(await calls.value == 1)
    }
}

private actor CallCounter {
    private(set) var value = 0
    func count() { value += 1 }
}
