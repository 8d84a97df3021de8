import FleetAudio
import FleetSpeech
import FleetTelemetry
import Foundation
import Logging
import ServiceKit

/// One simulated member of a voice channel. It talks the way a Discord user does: its client
/// sends nothing while it is quiet, then a burst of 20 ms Opus frames in real time — a moment of
/// room noise, the phrase, and the silence after it — which the bridge decodes and segments.
/// Each closed segment becomes a voice turn. Like people, it mostly waits for the exchange in
/// progress before speaking, sometimes talks over someone anyway, follows up on Atlas's answers,
/// and now and then cuts into an answer (barge-in) when the channel asks it to.
struct SimulatedSpeaker: Sendable {
    let identity: SpeakerIdentity
    let voice: Voice
    let mailbox: Mailbox
    let channel: VoiceChannel
    let environment: SpeakerEnvironment
    /// The turn pipeline, playing replies into this speaker's channel.
    let pipeline: TurnPipeline

    init(identity: SpeakerIdentity, voice: Voice, mailbox: Mailbox, channel: VoiceChannel, environment: SpeakerEnvironment) {
        self.identity = identity
        self.voice = voice
        self.mailbox = mailbox
        self.channel = channel
        self.environment = environment
        pipeline = environment.pipeline.speaking(in: channel)
    }

    var config: DiscordConfig { environment.config }
    var seed: UInt64 { environment.seed }
    var clock: any PacingClock { environment.clock }
    var roster: ChannelRoster { environment.roster }
    var logger: Logger { environment.logger }

    /// Room noise under every frame, so the VAD measures a real noise floor. Rooms differ — a quiet
    /// study (about -70 dBFS), an office (-55), a café (-45) — so the audio quality score, and
    /// its panels, vary between speakers as they would in a real channel.
    static let roomNoiseAmplitudes: [Float] = [0.000_55, 0.003, 0.009]

    var roomNoiseAmplitude: Float {
        var room = SeededGenerator(seed: seed, stream: "discord/room/\(identity.name)")
        return Self.roomNoiseAmplitudes[Int(room.next() % UInt64(Self.roomNoiseAmplitudes.count))]
    }
    /// Background before the phrase: the VAD's noise floor and the segmenter's pre-roll need it.
    static let leadIn = 0.3

    /// Talks until the task is cancelled (the speaker leaves the channel, or the bridge stops).
    func run() async {
        let link: VoiceLink
        do {
            link = try VoiceLink(segmenter: makeSegmenter(),
                                 lossSeed: SeededGenerator(seed: seed, stream: "discord/loss/\(identity.name)"),
                                 conditions: LinkConditions.live(lossPercent: config.packetLossPercent, jitterMs: config.jitterMs,
                                                                 scenarios: environment.scenarios))
        } catch {
            logger.error("cannot open the speaker's voice link", metadata: ["speaker": "\(identity.name)", "error": "\(error)"])
            return
        }
        var mind = SpeakerMind(seed: seed, name: identity.name)
        var noise = SeededGenerator(seed: seed, stream: "discord/noise/\(identity.name)")
        var fleetReady = false
        while !Task.isCancelled {
            guard var plan = await nextPlan(&mind, fleetReady: &fleetReady) else { continue }
            // Leaving with a request in hand: it goes back, for someone still here to say.
            guard !Task.isCancelled, let holdsFloor = await takeFloor(for: &plan) else {
                await mailbox.giveBack(plan.utterance)
                return
            }
            do {
                let outcomes = try await speak(plan.utterance, over: link, noise: &noise, cuttingIn: plan.bargeIn)
                mind.heard(outcomes)
            } catch is CancellationError {
                if holdsFloor { await channel.floor.release() }
                return
            } catch {
                logger.error("speaker failed to talk", metadata: ["speaker": "\(identity.name)", "error": "\(error)"])
            }
            if holdsFloor { await channel.floor.release() }
            await roster.update(identity.name) { $0.state = .idle }
        }
    }

    func makeSegmenter() -> Segmenter {
        Segmenter(vadFrameMilliseconds: config.vadFrameMs, aggressiveness: config.vadAggressiveness,
                  silenceTimeout: config.silenceTimeout, minSegmentDuration: config.minSegmentDuration,
                  maxSegmentDuration: config.maxSegmentDuration)
    }

    /// What the speaker does next: what was asked of it, or, after a quiet interval, a phrase of
    /// its own. Nil when there is nothing to say (the wait ended, or a barge-in came too late).
    func nextPlan(_ mind: inout SpeakerMind, fleetReady: inout Bool) async -> TalkPlan? {
        // The channel's first member opens it as soon as the fleet is ready, with a greeting (a
        // fresh `up` shows a whole turn within seconds); the others, and every later phrase, wait
        // their drawn quiet.
        // The draw is made either way, so each speaker's seeded stream stays the same.
        let drawn = config.autostart ? mind.quiet(config.turnInterval) : nil
        let opensChannel = !fleetReady && channel.memberNames.first == identity.name
        let quiet = opensChannel ? drawn.map { _ in .zero } : drawn
        switch await mailbox.next(waitingAtMost: quiet) {
        case .request(let utterance):
            return TalkPlan(utterance: utterance, waitsForFloor: true)
        case .bargeIn(let bargeIn):
            guard bargeIn.reply.isPlaying else { return nil }
            return TalkPlan(utterance: Utterance(text: mind.interjection().text, turnID: nil), waitsForFloor: false,
                            bargeIn: bargeIn)
        case nil:
            guard config.autostart, !Task.isCancelled else { return nil }
            if !fleetReady {
                await environment.untilFleetReady()
                fleetReady = true
            }
            let phrase = mind.nextPhrase(opensChannel: opensChannel)
            // Now and then someone starts talking without waiting for the exchange in progress.
            return TalkPlan(utterance: Utterance(text: phrase.text, turnID: nil),
                            waitsForFloor: !mind.strikes(config.overlapPercent))
        }
    }

    /// Waits for the floor when the plan says so. True when the floor is now held, false when the
    /// speaker talks without it (overlap, or a barge-in call that came while waiting), nil when
    /// the speaker left while waiting.
    func takeFloor(for plan: inout TalkPlan) async -> Bool? {
        guard plan.waitsForFloor else { return false }
        switch await floorOrBargeIn(urgent: plan.utterance.turnID != nil) {
        case .floor:
            return true
        case .bargeIn(let bargeIn):
            plan.bargeIn = bargeIn
            return false
        case .cancelled:
            return nil
        }
    }

    enum FloorWait: Sendable {
        case floor, bargeIn(BargeIn), cancelled
    }

    /// Whichever comes first: the floor, or the channel asking this speaker to cut into a reply
    /// (the phrase it was waiting to say, it now says over Atlas).
    func floorOrBargeIn(urgent: Bool) async -> FloorWait {
        let floor = channel.floor, mailbox = mailbox
        return await withTaskGroup(of: FloorWait.self) { group in
            group.addTask { await floor.acquire(urgent: urgent) ? .floor : .cancelled }
            group.addTask { await mailbox.nextBargeIn().map(FloorWait.bargeIn) ?? .cancelled }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            // The losing wait may have succeeded just before it was cancelled: hand back the floor.
            for await late in group {
                if case .floor = late { await floor.release() }
            }
            guard case .bargeIn(let bargeIn) = first, !bargeIn.reply.isPlaying else { return first }
            // The reply ended while the call was on its way: wait for the floor after all.
            return await floor.acquire(urgent: urgent) ? .floor : .cancelled
        }
    }
}

/// One thing a speaker is about to say, and how it takes its turn.
struct TalkPlan: Sendable {
    var utterance: Utterance
    /// False when the speaker talks without waiting for the exchange in progress.
    var waitsForFloor: Bool
    /// Set when the speaker talks over Atlas's reply.
    var bargeIn: BargeIn?
}
