import ServiceKit
import Synchronization

/// One simulated voice channel in a guild. It has its own conversational floor, its own outgoing
/// voice (one reply plays at a time here, while other channels play theirs) and the speakers
/// sitting in it, any of whom may start talking while Atlas's reply plays (barge-in).
public final class VoiceChannel: ReplyAudience, Sendable {
    /// Discord groups voice channels into guilds (servers); the bridge fills this many per guild.
    static let channelsPerGuild = 5

    public let guild: String
    public let id: String
    /// Held from the first word of an utterance to the end of Atlas's answer: people do not talk
    /// over an exchange in progress (mostly), so turns do not queue behind each other's replies.
    let floor = FIFOLock()
    /// The channel's one outgoing voice.
    let voice = FIFOLock()
    let output: ChannelVoiceOutput
    let clock: any PacingClock
    /// Percent of replies someone in the channel starts talking over.
    let bargeInPercent: Double

    private struct Member {
        var name: String
        var mailbox: Mailbox
    }

    private struct State {
        var members: [Member] = []
        var draws: SeededGenerator
    }

    private let state: Mutex<State>

    /// Channel `index` (from 0): "voice-1" in "guild-1", ..., "voice-6" in "guild-2", ...
    init(index: Int, seed: UInt64, bargeInPercent: Double, clock: any PacingClock,
         output: ChannelVoiceOutput) {
        id = "voice-\(index + 1)"
        guild = "guild-\(index / Self.channelsPerGuild + 1)"
        self.bargeInPercent = bargeInPercent
        self.clock = clock
        self.output = output
        state = Mutex(State(draws: SeededGenerator(seed: seed, stream: "discord/barge-in/\(id)")))
    }

    var memberNames: [String] { state.withLock { $0.members.map(\.name) } }

    func join(_ name: String, mailbox: Mailbox) {
        state.withLock { $0.members.append(Member(name: name, mailbox: mailbox)) }
    }

    func leave(_ name: String) {
        state.withLock { $0.members.removeAll { $0.name == name } }
    }

    /// A reply to `speaker` starts: with `bargeInPercent` chance, one of the others in the channel
    /// is asked to start talking somewhere after its first words, which cuts it short.
    public func replyStarted(to speaker: String, seconds: Double, interrupt: PlaybackInterrupt) async {
        guard bargeInPercent > 0 else { return }
        let call = state.withLock { state -> (Mailbox, BargeIn)? in
            let strikes = Double(state.draws.next() % 10_000) / 100 < bargeInPercent
            let others = state.members.filter { $0.name != speaker }
            guard strikes, !others.isEmpty else { return nil }
            let member = others[Int(state.draws.next() % UInt64(others.count))]
            let latest = max(0.3, min(2.5, seconds * 0.7))
            let delay = Double.random(in: 0.3...latest, using: &state.draws)
            return (member.mailbox, BargeIn(at: clock.now + .milliseconds(Int64(delay * 1000)), reply: interrupt))
        }
        guard let (mailbox, bargeIn) = call else { return }
        await mailbox.callToBargeIn(bargeIn)
    }
}
