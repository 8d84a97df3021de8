import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTelemetry
import Foundation
import ServiceKit
import Tracing

/// The stages of one voice turn, in order. Each records its latency on the turn; a stage that
/// ends the turn early (nothing heard, nobody addressed Atlas) sets the outcome and returns nil.
extension TurnPipeline {
    func stages(_ segment: VoiceSegment, speaker: SpeakerIdentity, span: any Span,
                record: inout TurnRecord) async throws {
        let input = try await encode(segment, speaker: speaker, record: &record)
        let processed = try await process(input, concealedRatio: segment.concealedRatio, span: span, record: &record)
        guard let transcript = try await transcribe(processed, span: span, record: &record),
              let request = try await detectWakePhrase(in: transcript, span: span, record: &record) else { return }
        if replyStreaming {
            try await converse(request, speaker: speaker, after: segment, span: span, record: &record)
        } else {
            let reply = try await orchestrate(request, speaker: speaker, span: span, record: &record)
            try await deliver(reply, after: segment, span: span, record: &record)
        }
    }

    /// 1. The segment as an Ogg Opus file, the body every service speaks.
    private func encode(_ segment: VoiceSegment, speaker: SpeakerIdentity, record: inout TurnRecord) async throws -> [UInt8] {
        let start = ContinuousClock.now
        let input = try await withStageSpan(StageSpan.encode) { stage in
            let comments = [
                OpusComment.referenceTranscript: PIIRedactor.shared.redacted(segment.phrase),
                OpusComment.speaker: speaker.name,
                OpusComment.voice: speaker.voice,
            ]
            // A burst of encoding: off the cooperative threads that pace every 20 ms loop.
            let samples = segment.takeSamples()
            let bytes = try await CodecThread.run { try OggOpus.encode(samples, comments: comments) }
            stage.attributes["audio.duration_seconds"] = segment.duration
            stage.attributes["audio.bytes"] = bytes.count
            return bytes
        }
        let seconds = (ContinuousClock.now - start).seconds
        MetricCatalog.preSTTEncode.observe(seconds)
        record.latencies.encode = seconds
        record.inputAudio = input
        return input
    }

    /// 2. Trim, normalise and score it.
    /// `concealedRatio`, the share of the segment the link concealed, lowers the quality score.
    private func process(_ input: [UInt8], concealedRatio: Double, span: any Span,
                         record: inout TurnRecord) async throws -> ProcessedAudio {
        let start = ContinuousClock.now
        span.attributes["voice.concealed_frame_ratio"] = concealedRatio
        let processed = try await audioProcessor.processSegment(input, concealedFrameRatio: concealedRatio)
        record.latencies.process = (ContinuousClock.now - start).seconds
        span.attributes["audio.quality_score"] = processed.metrics.qualityScore
        return processed
    }

    /// 3. Speech to text; nil (outcome `empty`) when no words were heard.
    private func transcribe(_ processed: ProcessedAudio, span: any Span, record: inout TurnRecord) async throws -> String? {
        let transcription = try await measuredTranscription(processed.audio, correlationID: "discord-turn-\(record.id)")
        record.latencies.transcribe = transcription.seconds
        let transcript = transcription.result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        record.transcript = transcript
        span.attributes["stt.confidence"] = transcription.result.confidence
        span.attributes["voice.transcript.characters"] = transcript.count
        scoreTranscript(transcript, span: span, record: &record)
        guard !transcript.isEmpty else {
            record.outcome = .empty
            return nil
        }
        return transcript
    }

    /// Scores what stt heard against what the speaker said. An empty transcript counts too (a rate
    /// of 1, every word deleted): that is what a lossy link or a quiet microphone looks like. A
    /// segment that held no words of the phrase (the VAD caught only its edge) has nothing to score.
    private func scoreTranscript(_ transcript: String, span: any Span, record: inout TurnRecord) {
        guard !record.phrase.isEmpty else { return }
        let score = WordErrorRate.score(reference: record.phrase, hypothesis: transcript)
        guard score.referenceWords > 0 else { return }
        record.wordErrorRate = score.rate
        span.attributes["voice.transcript.word_error_rate"] = score.rate
        span.attributes["voice.transcript.reference_words"] = score.referenceWords
        MetricCatalog.transcriptWordErrorRate.observe(score.rate)
    }

    /// An utterance the VAD never passed on (a microphone far too quiet, a room too loud) reached
    /// stt as nothing at all: scored like an empty transcript, every word deleted, so the rate
    /// shows the miss as the speaker lived it. There is no turn span to carry it.
    static func scoreUnheard(_ record: inout TurnRecord) {
        guard !SpokenForm.words(record.phrase).isEmpty else { return }
        record.wordErrorRate = 1
        MetricCatalog.transcriptWordErrorRate.observe(1)
    }

    private func measuredTranscription(_ audio: [UInt8], correlationID: String) async throws -> (result: TranscriptionResult, seconds: Double) {
        let start = ContinuousClock.now
        do {
            let result = try await transcriber.transcribe(audio, contentType: MediaType.ogg, correlationID: correlationID)
            let seconds = (ContinuousClock.now - start).seconds
            MetricCatalog.sttRequests.increment(["status": "success"])
            MetricCatalog.sttLatency.observe(seconds)
            // STT answers in one piece, so its first byte is its whole answer.
            MetricCatalog.stageTTFB.observe(seconds, ["stage": "stt"])
            return (result, seconds)
        } catch {
            MetricCatalog.sttRequests.increment(["status": "error"])
            MetricCatalog.sttLatency.observe((ContinuousClock.now - start).seconds)
            throw error
        }
    }

    /// 4. Was Atlas addressed? Returns what was asked after the wake phrase; nil (outcome
    /// `no_wake_phrase`, or `empty` for a bare "Hey Atlas") when there is nothing to ask.
    private func detectWakePhrase(in transcript: String, span: any Span, record: inout TurnRecord) async throws -> String? {
        let start = ContinuousClock.now
        let wake = try await withStageSpan(StageSpan.wakeDetection) { stage in
            let match = matcher.match(transcript)
            stage.attributes["voice.wake.detected"] = match != nil
            stage.attributes["voice.wake.phrase"] = match?.phrase
            stage.attributes["voice.wake.score"] = match?.score
            return match
        }
        let seconds = (ContinuousClock.now - start).seconds
        record.latencies.wakeDetection = seconds
        MetricCatalog.wakeDetectionDuration.observe(seconds, ["result": wake == nil ? "not_detected" : "detected"])
        guard let wake else {
            record.outcome = .noWakePhrase
            return nil
        }
        record.wakeDetected = true
        record.wakePhrase = wake.phrase
        span.addEvent(SpanEvent(name: StageSpan.wakeDetectedEvent,
                                attributes: ["voice.wake.phrase": .string(wake.phrase), "voice.wake.score": .double(wake.score)]))
        guard !wake.remainder.isEmpty else {
            record.outcome = .empty
            return nil
        }
        record.request = wake.remainder
        return wake.remainder
    }

    /// 5. The orchestrator: guardrails, the model and the spoken reply.
    private func orchestrate(_ request: String, speaker: SpeakerIdentity, span: any Span,
                             record: inout TurnRecord) async throws -> TranscriptResponse {
        let start = ContinuousClock.now
        let reply = try await orchestrator.handle(TranscriptRequest(
            transcript: request, sessionId: speaker.sessionId, correlationId: "discord-turn-\(record.id)",
            voice: speaker.replyVoice, includeAudio: true))
        record.latencies.orchestrate = (ContinuousClock.now - start).seconds
        record.replyText = reply.response
        record.guardrailReason = reply.guardrailReason
        span.attributes["voice.reply.characters"] = reply.response.count
        if let reason = reply.guardrailReason { span.attributes["voice.guardrail.reason"] = reason }
        return reply
    }

    /// 6. Speak the reply into the channel. Without audio (the orchestrator answers in text when
    /// speech synthesis is down) the reply is posted as a channel message instead, as a bot would.
    private func deliver(_ reply: TranscriptResponse, after segment: VoiceSegment, span: any Span,
                         record: inout TurnRecord) async throws {
        let outcome: TurnOutcome = reply.allowed ? .replied : .blocked
        guard let encoded = reply.audioBase64 else {
            await channel.post(channelID: ChannelLog.voiceTextChannel, content: reply.response, author: "Atlas")
            record.outcome = outcome
            return
        }
        guard let replyBytes = Data(base64Encoded: encoded).map(Array.init) else {
            throw FleetError.downstream(.badResponse, peer: orchestrator.name, "audio_base64 is not valid base64")
        }
        let audio = try ReplyAudio(replyBytes, peer: orchestrator.name)
        record.replyAudio = audio.file
        record.replySeconds = audio.seconds
        let report = try await play(.whole(audio.frames, seconds: audio.seconds), after: segment, turnSpan: span,
                                    record: &record)
        record.playbackUnderruns = report.underruns
        record.latencies.playback = report.seconds
        record.outcome = report.interrupted ? .interrupted : outcome
    }

    /// 5-6, streamed (REPLY_STREAMING): the orchestrator's reply arrives sentence by sentence and
    /// the first sentence plays while the later ones are still being written and synthesised;
    /// they queue behind it in the same playback. A barge-in stops the playback and cancels the
    /// rest of the stream. Without any audio (speech synthesis down) the reply is posted as text.
    private func converse(_ request: String, speaker: SpeakerIdentity, after segment: VoiceSegment, span: any Span,
                          record: inout TurnRecord) async throws {
        let start = ContinuousClock.now
        let reply = StreamedReplyAudio()
        let orchestrator = orchestrator
        let transcriptRequest = TranscriptRequest(
            transcript: request, sessionId: speaker.sessionId, correlationId: "discord-turn-\(record.id)",
            voice: speaker.replyVoice, includeAudio: true, stream: true)
        span.attributes["voice.reply.streamed"] = true

        let (finished, report) = try await withThrowingTaskGroup(of: (ReplyStreamDone, ContinuousClock.Instant).self) { group in
            group.addTask {
                do {
                    let done = try await orchestrator.handleStreaming(transcriptRequest) { sentence in
                        try reply.add(sentence, peer: orchestrator.name)
                    }
                    reply.finish()
                    return (done, ContinuousClock.now)
                } catch {
                    reply.finish(throwing: error)
                    throw error
                }
            }
            var report: PlaybackReport?
            if await reply.waitForAudio() {
                report = try await play(.streamed(reply.chunks, knownSeconds: reply.seconds), after: segment,
                                        turnSpan: span, record: &record)
            }
            if report?.interrupted == true {
                group.cancelAll()  // a barge-in: the rest of the reply is not wanted
                return ((ReplyStreamDone, ContinuousClock.Instant)?.none, report)
            }
            return (try await group.next(), report)
        }

        // The whole reply's time (its last sentence in), not the playback's: as for a whole reply.
        let done = finished?.0
        record.latencies.orchestrate = ((finished?.1 ?? ContinuousClock.now) - start).seconds
        record.replyText = done?.response ?? reply.text
        record.guardrailReason = done?.guardrailReason
        span.attributes["voice.reply.characters"] = (done?.response ?? reply.text).count
        if let reason = done?.guardrailReason { span.attributes["voice.guardrail.reason"] = reason }
        let outcome: TurnOutcome = done?.allowed == false ? .blocked : .replied
        guard let report else {
            await channel.post(channelID: ChannelLog.voiceTextChannel, content: done?.response ?? reply.text, author: "Atlas")
            record.outcome = outcome
            return
        }
        record.replyAudio = reply.wholeReply()
        record.replySeconds = reply.seconds
        record.playbackUnderruns = report.underruns
        record.latencies.playback = report.seconds
        record.outcome = report.interrupted ? .interrupted : outcome
    }

    private func play(_ audio: ReplyPlayback, after segment: VoiceSegment, turnSpan: any Span,
                      record: inout TurnRecord) async throws -> PlaybackReport {
        let queued = ContinuousClock.now
        let listener = record.speaker
        let (report, waited) = try await voice.withLock {
            // Time spent waiting for another reply to finish: part of what the speaker hears as latency.
            let waited = (ContinuousClock.now - queued).seconds
            // A streamed reply's length is known only when it has been played.
            let seconds = audio.seconds
            let interrupt = PlaybackInterrupt()
            defer { interrupt.end() }
            await audience?.replyStarted(to: listener, seconds: seconds, interrupt: interrupt)
            let report = try await withStageSpan(StageSpan.playback) { stage in
                stage.attributes["audio.duration_seconds"] = seconds
                stage.attributes["voice.playback.queue_seconds"] = waited
                let onFirstFrame: (Duration) -> Void = { sentAt in
                    let latency = (sentAt - segment.lastVoicedAt).seconds
                    MetricCatalog.endToEndResponse.observe(latency)
                    turnSpan.attributes["voice.end_to_end_seconds"] = latency
                    turnSpan.addEvent(SpanEvent(name: StageSpan.firstAudioEvent))
                    stage.addEvent(SpanEvent(name: StageSpan.firstAudioEvent))
                }
                let onFrame: (Double) -> Void = { lateness in
                    MetricCatalog.playbackJitter.observe(lateness)
                    if lateness >= AudioFormat.frameDuration { MetricCatalog.playbackUnderruns.increment() }
                }
                let report = switch audio {
                case .whole(let frames, _):
                    try await player.play(frames, into: sink, interrupt: interrupt, onFirstFrame: onFirstFrame,
                                          onFrame: onFrame)
                case .streamed(let chunks, _):
                    try await player.play(chunks, into: sink, interrupt: interrupt, onFirstFrame: onFirstFrame,
                                          onFrame: onFrame)
                }
                stage.attributes["voice.playback.frames"] = report.frames
                stage.attributes["voice.playback.underruns"] = report.underruns
                stage.attributes["voice.playback.max_jitter_seconds"] = report.maxJitter
                if report.interrupted {
                    // Someone talked over the reply: the playback span ends here, early.
                    stage.attributes["voice.interrupted"] = true
                    turnSpan.attributes["voice.interrupted"] = true
                    MetricCatalog.interruptedTurns.increment()
                }
                return report
            }
            return (report, waited)
        }
        record.latencies.playbackQueue = waited
        record.latencies.endToEnd = report.firstFrameAt.map { ($0 - segment.lastVoicedAt).seconds }
        return report
    }
}

/// A reply's audio as the playback gets it: whole, or still arriving sentence by sentence.
enum ReplyPlayback: Sendable {
    case whole(ReplyFrames, seconds: Double)
    /// `knownSeconds`: the audio that had arrived when playing began (at least the first sentence).
    case streamed(AsyncThrowingStream<ReplyFrames, any Error>, knownSeconds: Double)

    /// Seconds of audio as far as known before playing: a stream's whole length is not.
    var seconds: Double {
        switch self {
        case .whole(_, let seconds): seconds
        case .streamed(_, let knownSeconds): knownSeconds
        }
    }
}
