import FleetAudio
import FleetContracts
import FleetTestSupport
import Logging
import ServiceKit
import Testing
@testable import DiscordService

/// A channel's voice that holds every frame until opened: a reply "plays" for as long as the test
/// wants, so it can see which replies play at the same time.
actor HeldVoice: PlaybackSink {
    private(set) var frames = 0
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func send(_ frame: [Float]) async {
        frames += 1
        if !isOpen { await withCheckedContinuation { waiting.append($0) } }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}

/// Each voice channel has its own floor and its own voice.
@Suite("Discord voice channels")
struct DiscordChannelTests {
    @Test("two channels play replies at the same time; one channel plays one at a time")
    func perChannelVoice() async throws {
        let harness = DiscordHarness()
        let firstVoice = HeldVoice(), secondVoice = HeldVoice()
        let first = try harness.channel(0, listener: firstVoice)
        let second = try harness.channel(1, listener: secondVoice)
        #expect(first.floor !== second.floor && first.voice !== second.voice)

        func turn(in channel: VoiceChannel, _ phrase: String) -> Task<TurnRecord, Never> {
            let pipeline = harness.pipeline.speaking(in: channel)
            return Task { await pipeline.run(DiscordHarness.segment(phrase), speaker: DiscordHarness.speaker, turnNumber: 1) }
        }
        let a = turn(in: first, "Hey Atlas, what time is it?")
        #expect(await eventually { await firstVoice.frames == 1 })
        // Channel two's reply starts while channel one's is still playing.
        let b = turn(in: second, "Hey Atlas, tell me a joke.")
        #expect(await eventually { await secondVoice.frames == 1 }, "channel two waited for channel one's reply")
        // Channel one's next reply waits for its voice.
        let c = turn(in: first, "Ok Atlas, what can you do?")
        #expect(await eventually { await first.voice.queueLength == 1 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(await firstVoice.frames == 1, "two replies played at once in one channel")

        await firstVoice.open()
        await secondVoice.open()
        let records = await [a.value, b.value, c.value]
        #expect(records.map(\.outcome) == [.replied, .replied, .replied])
        // The second reply in channel one queued behind the first.
        #expect((records[2].latencies.playbackQueue ?? 0) > 0)
        let sent = await first.output.framesSent, heard = await firstVoice.frames
        #expect(sent == heard && sent > 0)
    }

    @Test("speakers fill channels in order, each channel in a guild, and leave newest first")
    func seating() async throws {
        let harness = DiscordHarness()
        var config = DiscordConfig()
        config.channelSize = 2
        config.autostart = false
        let environment = harness.environment(config: config)
        let directory = ChannelDirectory(environment: environment)
        #expect(try await directory.resize(to: 13) == VoiceLoad(speakers: 13, channels: 7, channelSize: 2))
        let channels = await directory.channelsInUse
        #expect(channels.map(\.id) == (1...7).map { "voice-\($0)" })
        #expect(channels.map(\.guild) == ["guild-1", "guild-1", "guild-1", "guild-1", "guild-1", "guild-2", "guild-2"])
        #expect(channels[0].memberNames == ["Ava", "Ben"] && channels[6].memberNames == ["Maya"])
        #expect(await environment.roster.all.first { $0.name == "Chloe" }?.channel == "voice-2")

        #expect(try await directory.resize(to: 3) == VoiceLoad(speakers: 3, channels: 2, channelSize: 2))
        #expect(await environment.roster.all.map(\.name) == ["Ava", "Ben", "Chloe"])
        #expect(channels[1].memberNames == ["Chloe"] && channels[2].memberNames.isEmpty)
        #expect(ChannelDirectory.identity(index: 33).name == "Ben 3")
    }

    @Test("a speaker who leaves mid-utterance stops talking and gives the floor back")
    func leavingReleasesFloor() async throws {
        let harness = DiscordHarness()
        var config = DiscordConfig()
        config.autostart = false
        // Real time, so Ben is still talking when he leaves.
        let environment = harness.environment(config: config, clock: RealTimeClock())
        let directory = ChannelDirectory(environment: environment)
        try await directory.resize(to: 2)
        await directory.open()
        let speakers = await directory.speakers
        await speakers[1].mailbox.deliver(Utterance(text: "Hey Atlas, how do I make a good cup of coffee?", turnID: 7))
        // His voice is synthesised first; with the whole test run sharing two cores that took up
        // to ~30 s, so the waits here are generous: they bound a hang, not the speed.
        #expect(await eventually(within: .seconds(120)) { await environment.roster.status(of: "Ben")?.state == .speaking })
        try await directory.resize(to: 1)
        // Ava can take the floor: Ben's task gave it back when it was cancelled.
        let floor = speakers[0].channel.floor
        let acquired = Task { await floor.acquire() }
        let deadline = Task {
            try await Task.sleep(for: .seconds(60))
            acquired.cancel()
        }
        #expect(await acquired.value, "the floor was still held 60 s after its holder left")
        deadline.cancel()
        await floor.release()
        await directory.close()
    }
}
