import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import Logging
import ServiceKit

/// The bridge's voice channels and the speakers in them. Speaker `i` of the fleet sits in channel
/// `i / channelSize`, so the channels fill one after another; a sharded bridge keeps only the
/// speakers of its own guilds (BridgeShard). The count changes while the bridge runs: a speaker
/// who joins starts talking at once, one who leaves stops (the turn it started may finish) and
/// hands the requests it had not yet said to someone who stays.
actor ChannelDirectory {
    private struct Member {
        /// The speaker's number in the whole fleet, which fixes their name, voice and channel.
        let index: Int
        let speaker: SimulatedSpeaker
        var task: Task<Void, Never>?
    }

    let environment: SpeakerEnvironment
    let channelSize: Int
    let shard: BridgeShard
    /// This bridge's speakers, in the order of their fleet-wide numbers.
    private var members: [Member] = []
    /// Channels by fleet-wide number, kept once made even when their speakers leave: their voice
    /// totals live on. A shard makes only its own guilds' channels.
    private var channels: [Int: VoiceChannel] = [:]
    private(set) var running = false
    private let resizes = FIFOLock()

    init(environment: SpeakerEnvironment) {
        self.environment = environment
        channelSize = environment.config.channelSize
        shard = environment.config.shard
    }

    /// The simulated members' first names; the 17th speaker is "Ava 2", and so on.
    static let names = ["Ava", "Ben", "Chloe", "Dev", "Emma", "Finn", "Grace", "Hugo",
                        "Iris", "Jonah", "Kira", "Leo", "Maya", "Noah", "Olive", "Priya"]

    /// Speaker `index`'s identity: a unique name, their own voice and a different one for Atlas.
    /// Five presets apart, the speaker's and Atlas's voices are always different flite voices, so a
    /// listener can tell who is talking. Session ids are fresh each time, so a restarted bridge (or
    /// a speaker who rejoins) starts a new conversation rather than continuing a stored one.
    static func identity(index: Int) -> SpeakerIdentity {
        let round = index / names.count
        let name = names[index % names.count] + (round == 0 ? "" : " \(round + 1)")
        let voice = Voice.all[index % Voice.all.count]
        let replyVoice = Voice.all[(index + 5) % Voice.all.count]
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let slug = name.lowercased().replacingOccurrences(of: " ", with: "-")
        return SpeakerIdentity(name: name, sessionId: "discord-\(slug)-\(suffix)", voice: voice.id, replyVoice: replyVoice.id)
    }

    var load: VoiceLoad {
        VoiceLoad(speakers: members.count, channels: channelsInUse.count, channelSize: channelSize)
    }

    /// Channels with at least one speaker, in order.
    var channelsInUse: [VoiceChannel] {
        Set(members.map { $0.index / channelSize }).sorted().compactMap { channels[$0] }
    }

    var everyChannel: [VoiceChannel] { channels.keys.sorted().compactMap { channels[$0] } }

    var speakers: [SimulatedSpeaker] { members.map(\.speaker) }

    /// Adds or removes speakers (the newest leave first) until this bridge has its share of a
    /// fleet of `fleetCount` (all of them unless sharded). Resizes run one at a time, so two at
    /// once cannot hand out the same name.
    @discardableResult
    func resize(to fleetCount: Int) async throws -> VoiceLoad {
        guard await resizes.acquire() else { throw CancellationError() }
        // Members are always a prefix of this list: both follow the fleet-wide numbering.
        let wanted = shard.speakers(ofFleet: fleetCount, channelSize: channelSize)
        do {
            while members.count < wanted.count { try await addSpeaker(index: wanted[members.count]) }
            while members.count > wanted.count { await removeLastSpeaker() }
        } catch {
            publish()
            await resizes.release()
            throw error
        }
        publish()
        await resizes.release()
        return load
    }

    /// Starts every speaker talking (the bridge's background service is running).
    func open() {
        running = true
        for index in members.indices where members[index].task == nil {
            members[index].task = start(members[index].speaker)
        }
        publish()
    }

    /// Stops every speaker: none starts another turn, and the turns in flight get `drain` to
    /// finish (the fleet behind the bridge is still up: `audio-fleet up` stops the front doors
    /// first). Turns still running after it are cancelled, and given a moment to wind down.
    /// Returns whether all finished within the drain.
    ///
    /// Cancelling a speaker stops its sending at once and lets the turns it started run on
    /// (`prepareTurn`), so waiting for the speakers' tasks is waiting for their turns. A turn may
    /// also wait for its channel's voice, behind other replies: at 50 speakers not all of them
    /// can play within any short drain, and the rest are cut.
    @discardableResult
    func close(drain: Duration = .zero) async -> Bool {
        running = false
        let tasks = members.compactMap(\.task)
        for task in tasks { task.cancel() }
        let drained = await Self.all(tasks, finishWithin: drain)
        environment.closing.close()
        if !drained { _ = await Self.all(tasks, finishWithin: .seconds(1)) }
        for index in members.indices { members[index].task = nil }
        return drained
    }

    /// Whether every task ends within `limit`. Awaiting a task's value cannot be cancelled, so
    /// the wait races a timer instead of sitting in a task group (which would wait regardless).
    private static func all(_ tasks: [Task<Void, Never>], finishWithin limit: Duration) async -> Bool {
        let (ends, end) = AsyncStream<Bool>.makeStream()
        let waiter = Task {
            for task in tasks { await task.value }
            end.yield(true)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            end.yield(false)
        }
        var first = ends.makeAsyncIterator()
        let finished = await first.next() ?? false
        end.finish()
        timer.cancel()
        _ = waiter  // ends by itself once the tasks do
        return finished
    }

    private func addSpeaker(index: Int) async throws {
        let identity = Self.identity(index: index)
        let channel = try channel(index / channelSize)
        let mailbox = Mailbox()
        let speaker = SimulatedSpeaker(identity: identity, voice: Voice.named(identity.voice) ?? .default,
                                       mailbox: mailbox, channel: channel, environment: environment)
        channel.join(identity.name, mailbox: mailbox)
        members.append(Member(index: index, speaker: speaker, task: running ? start(speaker) : nil))
        await environment.roster.add(identity, guild: channel.guild, channel: channel.id)
    }

    /// The newest speaker leaves. Nothing asked of them is lost: their queued requests, any still
    /// on the way, and the one they had in hand all go to someone who stays (`handOver`).
    private func removeLastSpeaker() async {
        guard let member = members.popLast() else { return }
        let leaving = member.speaker
        member.task?.cancel()
        leaving.channel.leave(leaving.identity.name)
        await environment.roster.remove(leaving.identity.name)
        let queued = await leaving.mailbox.close { utterance in await self.handOver(utterance, from: leaving) }
        for utterance in queued { await handOver(utterance, from: leaving) }
    }

    /// A request `leaving` never got to say goes to a speaker in the same channel, else to the
    /// nearest one left (the newest), whose name the turn now shows. With nobody left, its turn
    /// ends as an error, so whoever polls it sees an end rather than `in_progress` forever.
    private func handOver(_ utterance: Utterance, from leaving: SimulatedSpeaker) async {
        guard let id = utterance.turnID else { return }
        let turns = environment.turns
        let heir = (members.first { $0.speaker.channel === leaving.channel } ?? members.last)?.speaker
        var record = await turns.record(id: id)
            ?? TurnRecord(id: id, speaker: leaving.identity.name, sessionId: leaving.identity.sessionId, turnNumber: 0,
                          phrase: utterance.text)
        guard let heir else {
            record.outcome = .error
            record.error = "speaker \(leaving.identity.name) left the channel before speaking; no speakers remain"
            MetricCatalog.voiceTurns.increment(["outcome": TurnOutcome.error.rawValue])
            await turns.store(record)
            environment.logger.notice("request dropped: no speakers remain", metadata: [
                "speaker": "\(leaving.identity.name)", "turn": "\(id)",
            ])
            return
        }
        record.speaker = heir.identity.name
        record.sessionId = heir.identity.sessionId
        await turns.store(record)
        await heir.mailbox.deliver(utterance)
    }

    private func channel(_ index: Int) throws -> VoiceChannel {
        if let channel = channels[index] { return channel }
        let channel = VoiceChannel(index: index, seed: environment.seed,
                                   bargeInPercent: environment.config.bargeInPercent, clock: environment.clock,
                                   output: ChannelVoiceOutput())
        channels[index] = channel
        return channel
    }

    private func start(_ speaker: SimulatedSpeaker) -> Task<Void, Never> {
        Task { await speaker.run() }
    }

    private func publish() {
        MetricCatalog.activeSpeakers.set(Double(members.count))
        MetricCatalog.voiceChannels.set(Double(channelsInUse.count))
    }
}
