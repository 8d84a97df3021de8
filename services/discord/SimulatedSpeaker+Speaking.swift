import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import Logging
import ServiceKit

/// Streaming one utterance over the speaker's link, and the voice turns its segments become.
extension SimulatedSpeaker {
    /// Streams one utterance in real time and runs a voice turn for every segment it produced,
    /// each starting the moment its segment closes. Returns the turns' outcomes. When cutting
    /// into a reply, waits for the planned moment and stops the reply as the voice starts.
    ///
    /// Cancelled (the speaker left, or the bridge is shutting down), it stops sending at once but
    /// lets the turns already started finish, unless the whole bridge is closing. A request cut off before any of it became a
    /// turn goes back to the mailbox, which hands it to someone still in the channel.
    @discardableResult
    func speak(_ utterance: Utterance, over link: VoiceLink, noise: inout SeededGenerator,
               cuttingIn bargeIn: BargeIn? = nil) async throws -> [TurnOutcome] {
        var reservedID = utterance.turnID
        do {
            return try await stream(utterance, over: link, noise: &noise, cuttingIn: bargeIn, reservedID: &reservedID)
        } catch is CancellationError {
            if let reservedID { await mailbox.giveBack(Utterance(text: utterance.text, turnID: reservedID)) }
            throw CancellationError()
        }
    }

    /// `speak`'s work; `reservedID` is the request's turn id until its first segment takes it.
    private func stream(_ utterance: Utterance, over link: VoiceLink, noise: inout SeededGenerator,
                        cuttingIn bargeIn: BargeIn?, reservedID: inout Int?) async throws -> [TurnOutcome] {
        if let bargeIn { try await clock.sleep(until: bargeIn.at) }
        // The client's packets for this phrase: synthesised and encoded once, then cached.
        let cache = environment.spokenBursts, text = utterance.text, voice = voice, silenceTimeout = config.silenceTimeout
        let firstSettings = link.senderSettings
        let burst = try await cache.burst(text, voice: voice, settings: firstSettings, silenceTimeout: silenceTimeout)
        let speechSamples = burst.speechSamples
        let leadInFrames = Int((Self.leadIn / AudioFormat.frameDuration).rounded())
        let lastSpeechFrame = Int(((Self.leadIn * Double(AudioFormat.sampleRate) + Double(speechSamples))
            / Double(AudioFormat.samplesPerFrame)).rounded(.up))
        await roster.update(identity.name) {
            $0.state = .speaking
            // Shown on /voice/status and the page: redacted like every text the bridge shows.
            $0.lastPhrase = PIIRedactor.shared.redacted(utterance.text)
        }
        // Stream time by packets sent: the link plays one slot per packet, so this is where the
        // utterance lands on the bridge's stream, whatever its jitter buffer holds back for now.
        let speechStart = Double(link.statistics.packetsSent) * AudioFormat.frameDuration + Self.leadIn
        let spoken = SpokenText(text: utterance.text,
                                speech: speechStart...(speechStart + Double(speechSamples) / Double(AudioFormat.sampleRate)))
        var segmentsClosed = 0
        var microphone: RoomMicrophone? = RoomMicrophone(noise: noise, levels: roomLevels(room: roomNoiseAmplitude))
        defer { if let microphone { noise = microphone.noise } }
        let outcomes = try await withThrowingTaskGroup(of: TurnOutcome.self) { group in
            let start = clock.now
            for index in 0..<burst.count {
                let due = start + FramePlayer.frameDuration * index
                try await clock.sleep(until: due)
                // How far behind its real-time schedule this frame leaves: the fleet's own lag.
                let lateness = max(0, (clock.now - due).seconds)
                MetricCatalog.frameLag.observe(lateness)
                // The bridge hears the voice start over its reply, and stops talking.
                if index == leadInFrames, let bargeIn, bargeIn.reply.raise() {
                    logger.debug("barge-in", metadata: ["speaker": "\(identity.name)", "channel": "\(channel.id)"])
                }
                let segments = try link.carry(lateness: lateness, room: &microphone) { settings in
                    settings == firstSettings ? burst.packet(index)
                        : try cache.burst(text, voice: voice, settings: settings, silenceTimeout: silenceTimeout).packet(index)
                }
                for segment in segments {
                    segmentsClosed += 1
                    let turn = await prepareTurn(segment, spoken: spoken, streamNow: link.streamTime,
                                                 concealedRatio: link.concealedRatio(of: segment), reservedID: &reservedID)
                    group.addTask { await turn() }
                }
                // Once the phrase is out and heard, the client stops sending, as Discord's does.
                if index >= lastSpeechFrame, segmentsClosed > 0 { break }
            }
            var outcomes: [TurnOutcome] = []
            for try await outcome in group {
                outcomes.append(outcome)
                await roster.finished(identity.name, outcome: outcome, statistics: link.statistics)
            }
            return outcomes
        }
        let statistics = link.statistics
        await roster.update(identity.name) { $0.link = statistics }
        if segmentsClosed == 0 { return [await unheard(utterance, reservedID: reservedID)] }
        return outcomes
    }

    /// How the microphone picks up each frame: the voice, quieter by `quietMicrophones` dB, over
    /// the room's noise (`room`, its amplitude), louder by `noisyRoom` dB; both read live, frame
    /// by frame (`RoomMicrophone` mixes them where the bridge decodes the speaker's packets).
    func roomLevels(room: Float) -> @Sendable () -> (voiceGain: Float, noiseLevel: Float) {
        let scenarios = environment.scenarios
        return {
            let voiceGain = Float(pow(10, -(scenarios.severity(.quietMicrophones) ?? 0) / 20))
            let noiseLevel = min(1, room * Float(pow(10, (scenarios.severity(.noisyRoom) ?? 0) / 20)))
            return (voiceGain, noiseLevel)
        }
    }

    /// Books the turn a closed segment becomes and returns the work of running it. The turn runs
    /// in its own task, so a speaker who leaves the channel, or a bridge draining on shutdown, lets
    /// it finish; the bridge closing (its drain time up) cancels it.
    private func prepareTurn(_ segment: Segment, spoken: SpokenText, streamNow: Double, concealedRatio: Double,
                             reservedID: inout Int?) async -> @Sendable () async -> TurnOutcome {
        let delay = max(0, streamNow - segment.lastVoicedTime)
        let voiceSegment = VoiceSegment(samples: segment.samples, phrase: spoken.words(from: segment.startTime, to: segment.endTime),
                                        lastVoicedAt: clock.now - .milliseconds(Int64(delay * 1000)),
                                        endOfUtteranceDelay: delay, concealedRatio: concealedRatio)
        let turnNumber = await roster.nextTurnNumber(for: identity.name)
        let id: Int
        if let reserved = reservedID { id = reserved } else { id = await environment.turns.reserveID() }
        reservedID = nil
        await roster.update(identity.name) { $0.state = .awaitingReply }
        let pipeline = pipeline, identity = identity, closing = environment.closing
        return {
            let turn = Task { await pipeline.run(voiceSegment, speaker: identity, turnNumber: turnNumber, id: id) }
            // Runs on while the speaker leaves or the bridge drains; cancelled once the bridge closes.
            let cancelOnClose = closing.whenClosed { turn.cancel() }
            defer { closing.forget(cancelOnClose) }
            return await turn.value.outcome ?? .error
        }
    }

    /// The VAD found no speech in the whole utterance (a microphone far too quiet, a room too
    /// loud): the turn is `empty`, so the miss shows in the outcomes.
    private func unheard(_ utterance: Utterance, reservedID: Int?) async -> TurnOutcome {
        logger.notice("no speech segment detected", metadata: ["speaker": "\(identity.name)", "characters": "\(utterance.text.count)"])
        let turns = environment.turns
        let id: Int
        if let reservedID { id = reservedID } else { id = await turns.reserveID() }
        var record = TurnRecord(id: id, speaker: identity.name, sessionId: identity.sessionId, turnNumber: 0,
                                phrase: utterance.text)
        record.outcome = .empty
        record.error = "the voice activity detector found no speech segment in the utterance"
        TurnPipeline.scoreUnheard(&record)
        MetricCatalog.voiceTurns.increment(["outcome": TurnOutcome.empty.rawValue])
        await turns.store(record)
        await roster.update(identity.name) { $0.lastOutcome = .empty }
        return .empty
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
