import FleetAudio
import FleetTelemetry
import Foundation
import Logging
import ServiceKit

/// Something a speaker is about to say: a phrase it picked itself, or one a person asked for
/// through POST /voice/speak (which already handed out the turn id).
struct Utterance: Sendable {
    var text: String
    var turnID: Int?
}

/// Where a speaker's next utterance comes from: requests queue here, and a waiting speaker wakes
/// for a request at once or gives up after its quiet interval to pick a phrase of its own.
actor Mailbox {
    private var pending: [Utterance] = []
    private var waiter: (generation: Int, continuation: CheckedContinuation<Utterance?, Never>)?
    private var generation = 0

    func deliver(_ utterance: Utterance) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: utterance)
        } else {
            pending.append(utterance)
        }
    }

    /// The next request, or nil once `timeout` passes without one (never, when nil) or the
    /// task is cancelled.
    func next(waitingAtMost timeout: Duration?) async -> Utterance? {
        if !pending.isEmpty { return pending.removeFirst() }
        generation += 1
        let current = generation
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter = (current, continuation)
                if Task.isCancelled { resumeWaiter(current) }
                if let timeout {
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        await self?.resumeWaiter(current)
                    }
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(current) }
        }
    }

    private func resumeWaiter(_ generation: Int) {
        guard let waiter, waiter.generation == generation else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}

/// One simulated member of the voice channel. It talks the way a Discord user does: its client
/// sends nothing while it is quiet, then a burst of 20 ms Opus frames in real time — a moment of
/// room noise, the phrase, and the silence after it — which the bridge decodes and segments.
/// Each closed segment becomes a voice turn; the speaker waits for Atlas's answer before its next
/// phrase, as people do.
struct SimulatedSpeaker: Sendable {
    let identity: SpeakerIdentity
    let voice: Voice
    let config: DiscordConfig
    let seed: UInt64
    let clock: any PacingClock
    let pipeline: TurnPipeline
    let mailbox: Mailbox
    /// Held from the first word of an utterance to the end of Atlas's answer: people do not
    /// talk over an exchange in progress, so turns do not queue behind each other's replies.
    let floor: FIFOLock
    let roster: ChannelRoster
    let turns: TurnLog
    /// Waits until the fleet can answer; called before the first phrase the speaker picks itself.
    let untilFleetReady: @Sendable () async -> Void
    let logger: Logger

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

    func run() async {
        let link: VoiceLink
        do {
            link = try VoiceLink(segmenter: makeSegmenter(), lossPercent: config.packetLossPercent,
                                 lossSeed: SeededGenerator(seed: seed, stream: "discord/loss/\(identity.name)"))
        } catch {
            logger.error("cannot open the speaker's voice link", metadata: ["speaker": "\(identity.name)", "error": "\(error)"])
            return
        }
        var choices = SeededGenerator(seed: seed, stream: "discord/speaker/\(identity.name)")
        var noise = SeededGenerator(seed: seed, stream: "discord/noise/\(identity.name)")
        var fleetReady = false
        var opening = true
        while !Task.isCancelled {
            let quiet = config.autostart ? Duration.seconds(Double.random(in: config.turnInterval, using: &choices)) : nil
            var utterance = await mailbox.next(waitingAtMost: quiet)
            if utterance == nil {
                guard config.autostart, !Task.isCancelled else { continue }
                if !fleetReady {
                    await untilFleetReady()
                    fleetReady = true
                }
                let phrase = opening ? PhraseCorpus.pickOpening(using: &choices) : PhraseCorpus.pick(using: &choices)
                opening = false
                utterance = Utterance(text: phrase.text, turnID: nil)
            }
            guard let utterance, !Task.isCancelled else { continue }
            guard await floor.acquire(urgent: utterance.turnID != nil) else { return }
            do {
                try await speak(utterance, over: link, noise: &noise)
            } catch is CancellationError {
                await floor.release()
                return
            } catch {
                logger.error("speaker failed to talk", metadata: ["speaker": "\(identity.name)", "error": "\(error)"])
            }
            await floor.release()
            await roster.update(identity.name) { $0.state = .idle }
        }
    }

    func makeSegmenter() -> Segmenter {
        Segmenter(vadFrameMilliseconds: config.vadFrameMs, aggressiveness: config.vadAggressiveness,
                  silenceTimeout: config.silenceTimeout, minSegmentDuration: config.minSegmentDuration,
                  maxSegmentDuration: config.maxSegmentDuration)
    }

    /// Streams one utterance in real time and runs a voice turn for every segment it produced,
    /// each starting the moment its segment closes.
    func speak(_ utterance: Utterance, over link: VoiceLink, noise: inout SeededGenerator) async throws {
        let speech = SpeechSynthesizer(voice: voice).synthesize(utterance.text)
        let frames = Self.burst(speech, silenceTimeout: config.silenceTimeout)
        let lastSpeechFrame = Int(((Self.leadIn * Double(AudioFormat.sampleRate) + Double(speech.count))
            / Double(AudioFormat.samplesPerFrame)).rounded(.up))
        await roster.update(identity.name) {
            $0.state = .speaking
            $0.lastPhrase = utterance.text
        }

        var reservedID = utterance.turnID
        var segmentsClosed = 0
        let roomNoise = roomNoiseAmplitude
        try await withThrowingTaskGroup(of: TurnRecord.self) { group in
            let start = clock.now
            for (index, frame) in frames.enumerated() {
                try await clock.sleep(until: start + FramePlayer.frameDuration * index)
                let sent = frame.map { $0 + Float.random(in: -roomNoise...roomNoise, using: &noise) }
                let segments = try link.carry(sent)
                let now = clock.now, streamNow = link.streamTime
                for segment in segments {
                    segmentsClosed += 1
                    let delay = max(0, streamNow - segment.lastVoicedTime)
                    let voiceSegment = VoiceSegment(samples: segment.samples, phrase: utterance.text,
                                                    lastVoicedAt: now - .seconds(delay), endOfUtteranceDelay: delay)
                    let turnNumber = await roster.nextTurnNumber(for: identity.name)
                    let id: Int
                    if let reserved = reservedID { id = reserved } else { id = await turns.reserveID() }
                    reservedID = nil
                    await roster.update(identity.name) { $0.state = .awaitingReply }
                    group.addTask { [pipeline, identity] in
                        await pipeline.run(voiceSegment, speaker: identity, turnNumber: turnNumber, id: id)
                    }
                }
                // Once the phrase is out and heard, the client stops sending, as Discord's does.
                if index >= lastSpeechFrame, segmentsClosed > 0 { break }
            }
            for try await record in group {
                await roster.finished(identity.name, outcome: record.outcome, statistics: link.statistics)
            }
        }
        let statistics = link.statistics
        await roster.update(identity.name) { $0.link = statistics }

        if segmentsClosed == 0 {
            logger.notice("no speech segment detected", metadata: ["speaker": "\(identity.name)", "characters": "\(utterance.text.count)"])
            if let id = reservedID {
                // Someone asked for this turn and is waiting on its id: say what happened.
                var record = TurnRecord(id: id, speaker: identity.name, sessionId: identity.sessionId, turnNumber: 0,
                                        phrase: utterance.text)
                record.outcome = .empty
                record.error = "the voice activity detector found no speech segment in the utterance"
                MetricCatalog.voiceTurns.increment(["outcome": TurnOutcome.empty.rawValue])
                await turns.store(record)
            }
        }
    }

    /// The frames of one burst: lead-in, the phrase, then enough silence for the segmenter's
    /// silence timeout to close the utterance (plus a margin for the VAD's frame size).
    static func burst(_ speech: [Float], silenceTimeout: Double) -> [[Float]] {
        let rate = Double(AudioFormat.sampleRate)
        let leadIn = [Float](repeating: 0, count: Int(leadIn * rate))
        let tail = [Float](repeating: 0, count: Int((silenceTimeout + 0.4) * rate))
        return FramePlayer.frames(of: leadIn + speech + tail)
    }
}
