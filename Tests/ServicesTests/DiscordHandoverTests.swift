import FleetTestSupport
import Prometheus
import Testing
@testable import DiscordService

/// A speaker who leaves takes nothing with them: requests queued for them go to someone in the
/// same channel, else to whoever is left, and with nobody left their turns end as errors.
///
/// The fleet is not running here, so no speaker takes anything from its mailbox: every request
/// stays queued, and each step of the handover is seen exactly.
@Suite("Discord handover")
struct DiscordHandoverTests {
    /// Six speakers in two channels of three: Ava, Ben, Chloe in voice-1; Dev, Emma, Finn in voice-2.
    static func fleet(_ harness: DiscordHarness) async throws -> VoiceFleet {
        var config = DiscordConfig()
        config.autostart = false
        config.speakers = 6
        config.channelSize = 3
        return try await VoiceFleet.make(environment: harness.environment(config: config))
    }

    /// Whose the turns are now, and how they stand.
    static func holders(_ ids: [Int], in turns: TurnLog) async -> [String] {
        var names: [String] = []
        for id in ids { names.append(await turns.record(id: id)?.speaker ?? "missing") }
        return names
    }

    /// The requests queued in `speaker`'s mailbox, in order (taking them out).
    static func queued(for name: String, in fleet: VoiceFleet) async throws -> [Int?] {
        let speaker = try #require(await fleet.directory.speakers.first { $0.identity.name == name })
        var ids: [Int?] = []
        while case .request(let utterance)? = await speaker.mailbox.next(waitingAtMost: .zero) {
            ids.append(utterance.turnID)
        }
        return ids
    }

    @Test("queued requests follow the leaver's channel first, then whoever is left, in order")
    func handedOver() async throws {
        let harness = DiscordHarness()
        let fleet = try await Self.fleet(harness)
        let first = try await fleet.speak("Hey Atlas, what time is it?", as: "Finn")
        let second = try await fleet.speak("Hey Atlas, tell me a joke.", as: "Finn")
        let ids = [first.turnID, second.turnID]
        #expect(first.speaker == "Finn" && second.speaker == "Finn")

        // Finn leaves: Dev, the first speaker still in voice-2, takes both.
        _ = try await fleet.setLoad(speakers: 5)
        #expect(await Self.holders(ids, in: harness.turns) == ["Dev", "Dev"])
        // Emma leaves with nothing queued; then Dev, the last in voice-2: Chloe, the nearest, takes over.
        _ = try await fleet.setLoad(speakers: 3)
        #expect(await Self.holders(ids, in: harness.turns) == ["Chloe", "Chloe"])
        for id in ids {
            let record = try #require(await harness.turns.record(id: id))
            #expect(record.outcome == nil, "a handed-over request is still to be said")
            #expect(record.error == nil)
            #expect(record.sessionId.hasPrefix("discord-chloe-"), "the turn joins the new speaker's conversation")
        }
        #expect(try await Self.queued(for: "Chloe", in: fleet) == ids, "both requests, in the order they were asked")
    }

    @Test("with no speakers left, the queued turns end as errors naming the speaker who left")
    func nobodyLeft() async throws {
        try await TestMetrics.collecting { registry in
            let harness = DiscordHarness()
            let fleet = try await Self.fleet(harness)
            let asked = try await fleet.speak("Hey Atlas, what is the weather like?", as: "Ben")
            _ = try await fleet.setLoad(speakers: 1)
            #expect(await Self.holders([asked.turnID], in: harness.turns) == ["Ava"])

            _ = try await fleet.setLoad(speakers: 0)
            let record = try #require(await harness.turns.record(id: asked.turnID))
            #expect(record.outcome == .error)
            #expect(record.error == "speaker Ava left the channel before speaking; no speakers remain")
            #expect(record.phrase == "Hey Atlas, what is the weather like?")
            #expect(await harness.turns.outcomes[.error] == 1)
            #expect(sampleValue(registry.emitToString(), "voice_turns_total", ["outcome": "error"]) == 1)
        }
    }

    @Test("a request delivered to a speaker who has just left is forwarded, not lost")
    func lateDelivery() async throws {
        let harness = DiscordHarness()
        let fleet = try await Self.fleet(harness)
        // The speaker /voice/speak picked, gone before the request reached their mailbox.
        let finn = try #require(await fleet.directory.speakers.last)
        _ = try await fleet.setLoad(speakers: 5)
        let id = await harness.turns.reserveID()
        await harness.turns.store(TurnRecord(id: id, speaker: "Finn", sessionId: finn.identity.sessionId, turnNumber: 0,
                                             phrase: "Hey Atlas, hello there!"))
        await finn.mailbox.deliver(Utterance(text: "Hey Atlas, hello there!", turnID: id))
        #expect(await Self.holders([id], in: harness.turns) == ["Dev"])
        #expect(try await Self.queued(for: "Dev", in: fleet) == [id])
        // A phrase the speaker picked itself is nobody's request: it is not passed on.
        await finn.mailbox.giveBack(Utterance(text: "Nice weather today.", turnID: nil))
        #expect(try await Self.queued(for: "Dev", in: fleet).isEmpty)
    }
}
