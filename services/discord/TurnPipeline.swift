import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import Logging
import ServiceKit
import Tracing

/// A stretch of one speaker's speech that the segmenter closed, ready to become a voice turn.
public struct VoiceSegment: Sendable {
    /// 48 kHz mono PCM, as the bridge decoded it from the speaker's Opus packets.
    public var samples: [Float]
    /// What the speaker meant to say; travels as the REFERENCE_TRANSCRIPT comment so STT can be
    /// scored against it (and so the STT stub has something true to say).
    public var phrase: String
    /// When the last voiced frame arrived, on the channel's pacing clock.
    public var lastVoicedAt: Duration
    /// Seconds between the last voiced frame and the segment closing.
    public var endOfUtteranceDelay: Double

    public init(samples: [Float], phrase: String, lastVoicedAt: Duration, endOfUtteranceDelay: Double) {
        self.samples = samples
        self.phrase = phrase
        self.lastVoicedAt = lastVoicedAt
        self.endOfUtteranceDelay = endOfUtteranceDelay
    }

    public var duration: Double { Double(samples.count) / Double(AudioFormat.sampleRate) }
}

/// Who is speaking: a member of the voice channel with their own conversation with Atlas.
public struct SpeakerIdentity: Sendable, Equatable {
    public var name: String
    public var sessionId: String
    /// The Voice the speaker talks with.
    public var voice: String
    /// The Voice the speaker wants Atlas to answer in.
    public var replyVoice: String

    public init(name: String, sessionId: String, voice: String, replyVoice: String) {
        self.name = name
        self.sessionId = sessionId
        self.voice = voice
        self.replyVoice = replyVoice
    }
}

/// One voice turn, end to end: encode the segment, clean it up, transcribe it, look for the wake
/// phrase, ask the orchestrator, and play the reply into the channel in real time.
///
/// Each turn is the root of its own trace (`voice.turn`), so one trace tells one exchange's whole
/// story across all nine services. Every peer is a FleetContracts protocol, so tests run the
/// whole pipeline with in-memory fakes.
public struct TurnPipeline: Sendable {
    let audioProcessor: any AudioProcessing
    let transcriber: any Transcriber
    let orchestrator: any Orchestration
    let matcher: WakePhraseMatcher
    let player: FramePlayer
    let sink: any PlaybackSink
    /// The channel's one outgoing voice.
    let voice: FIFOLock
    let turns: TurnLog
    let channel: ChannelLog
    /// Where finished turns are reported (the monitoring dashboard's live feed); best effort.
    let reporter: (any TurnReporting)?
    let logger: Logger

    public init(audioProcessor: any AudioProcessing, transcriber: any Transcriber, orchestrator: any Orchestration,
                matcher: WakePhraseMatcher, clock: any PacingClock, sink: any PlaybackSink, voice: FIFOLock = FIFOLock(),
                turns: TurnLog, channel: ChannelLog, reporter: (any TurnReporting)? = nil, logger: Logger) {
        self.audioProcessor = audioProcessor
        self.transcriber = transcriber
        self.orchestrator = orchestrator
        self.matcher = matcher
        self.player = FramePlayer(clock: clock)
        self.sink = sink
        self.voice = voice
        self.turns = turns
        self.channel = channel
        self.reporter = reporter
        self.logger = logger
    }

    /// Runs one turn and returns its record (also stored in the turn log). Never throws: a failed
    /// stage makes the outcome `error`, and the speaker carries on.
    @discardableResult
    public func run(_ segment: VoiceSegment, speaker: SpeakerIdentity, turnNumber: Int, id: Int? = nil) async -> TurnRecord {
        let turnID: Int
        if let id { turnID = id } else { turnID = await turns.reserveID() }
        var record = TurnRecord(id: turnID, speaker: speaker.name, sessionId: speaker.sessionId,
                                turnNumber: turnNumber, phrase: segment.phrase)
        record.segmentSeconds = segment.duration
        record.latencies.endOfUtterance = segment.endOfUtteranceDelay
        MetricCatalog.endOfUtteranceDelay.observe(segment.endOfUtteranceDelay)

        // A new root: turns start from the channel, not from whatever request or task is current.
        var finished = await withSpan(StageSpan.turn, context: .topLevel, ofKind: .internal) { span -> TurnRecord in
            span.attributes["conversation.id"] = speaker.sessionId
            span.attributes["voice.speaker"] = speaker.name
            span.attributes["voice.turn.number"] = turnNumber
            span.attributes["voice.turn.id"] = turnID
            span.attributes["voice.segment.duration_seconds"] = segment.duration
            span.attributes["voice.end_of_utterance_delay_seconds"] = segment.endOfUtteranceDelay
            var record = record
            record.traceId = Self.traceID(of: span.context)
            await turns.store(record)
            do {
                try await stages(segment, speaker: speaker, span: span, record: &record)
            } catch {
                record.outcome = .error
                record.error = String(describing: error)
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
                logger.error("voice turn failed", metadata: [
                    "speaker": "\(speaker.name)", "turn": "\(turnID)", "error": "\(error)",
                    "trace_id": "\(record.traceId ?? "none")",
                ])
            }
            span.attributes["voice.outcome"] = record.outcome?.rawValue
            await report(record)
            return record
        }
        let outcome = finished.outcome ?? .error
        finished.outcome = outcome
        MetricCatalog.voiceTurns.increment(["outcome": outcome.rawValue])
        await turns.store(finished)
        // What people said stays out of the logs: the corpus alone has emails and card numbers.
        logger.info("voice turn", metadata: [
            "speaker": "\(speaker.name)", "turn": "\(turnID)", "outcome": "\(outcome.rawValue)",
            "transcript_characters": "\(finished.transcript?.count ?? 0)", "trace_id": "\(finished.traceId ?? "none")",
            "end_to_end_seconds": "\(finished.latencies.endToEnd.map { String(format: "%.3f", $0) } ?? "none")",
        ])
        return finished
    }

    /// Tells the monitoring dashboard how the turn went, inside the turn's trace. A dashboard that
    /// is down costs one short timeout and a debug line, never the turn.
    private func report(_ record: TurnRecord) async {
        guard let reporter else { return }
        let report = TurnReport(turnId: record.id, speaker: record.speaker, sessionId: record.sessionId,
                                outcome: (record.outcome ?? .error).rawValue, transcript: record.transcript,
                                response: record.replyText, endToEndSeconds: record.latencies.endToEnd,
                                traceId: record.traceId, finishedAt: Date().timeIntervalSince1970)
        do {
            try await reporter.report(report)
        } catch {
            logger.debug("turn report not delivered", metadata: ["error": "\(error)"])
        }
    }

    private func stages(_ segment: VoiceSegment, speaker: SpeakerIdentity, span: any Span,
                        record: inout TurnRecord) async throws {
        // 1. The segment as an Ogg Opus file, the body every service speaks.
        let encodeStart = ContinuousClock.now
        let input = try await withStageSpan(StageSpan.encode) { stage in
            let bytes = try OggOpus.encode(segment.samples, comments: [
                OpusComment.referenceTranscript: segment.phrase,
                OpusComment.speaker: speaker.name,
                OpusComment.voice: speaker.voice,
            ])
            stage.attributes["audio.duration_seconds"] = segment.duration
            stage.attributes["audio.bytes"] = bytes.count
            return bytes
        }
        let encodeSeconds = (ContinuousClock.now - encodeStart).seconds
        MetricCatalog.preSTTEncode.observe(encodeSeconds)
        record.latencies.encode = encodeSeconds
        record.inputAudio = input

        // 2. Trim, normalise and score it.
        let processStart = ContinuousClock.now
        let processed = try await audioProcessor.processSegment(input)
        record.latencies.process = (ContinuousClock.now - processStart).seconds
        span.attributes["audio.quality_score"] = processed.metrics.qualityScore

        // 3. Speech to text.
        let transcription = try await transcribe(processed.audio, correlationID: "discord-turn-\(record.id)")
        record.latencies.transcribe = transcription.seconds
        let transcript = transcription.result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        record.transcript = transcript
        span.attributes["stt.confidence"] = transcription.result.confidence
        span.attributes["voice.transcript.characters"] = transcript.count
        guard !transcript.isEmpty else {
            record.outcome = .empty
            return
        }

        // 4. Was Atlas addressed?
        let wakeStart = ContinuousClock.now
        let wake = try await withStageSpan(StageSpan.wakeDetection) { stage in
            let match = matcher.match(transcript)
            stage.attributes["voice.wake.detected"] = match != nil
            stage.attributes["voice.wake.phrase"] = match?.phrase
            stage.attributes["voice.wake.score"] = match?.score
            return match
        }
        let wakeSeconds = (ContinuousClock.now - wakeStart).seconds
        record.latencies.wakeDetection = wakeSeconds
        MetricCatalog.wakeDetectionDuration.observe(wakeSeconds, ["result": wake == nil ? "not_detected" : "detected"])
        guard let wake else {
            record.outcome = .noWakePhrase
            return
        }
        record.wakeDetected = true
        record.wakePhrase = wake.phrase
        span.addEvent(SpanEvent(name: StageSpan.wakeDetectedEvent,
                                attributes: ["voice.wake.phrase": .string(wake.phrase), "voice.wake.score": .double(wake.score)]))
        guard !wake.remainder.isEmpty else {
            record.outcome = .empty
            return
        }
        record.request = wake.remainder

        // 5. The orchestrator: guardrails, the model and the spoken reply.
        let orchestrateStart = ContinuousClock.now
        let reply = try await orchestrator.handle(TranscriptRequest(
            transcript: wake.remainder, sessionId: speaker.sessionId, correlationId: "discord-turn-\(record.id)",
            voice: speaker.replyVoice, includeAudio: true))
        record.latencies.orchestrate = (ContinuousClock.now - orchestrateStart).seconds
        record.replyText = reply.response
        record.guardrailReason = reply.guardrailReason
        let outcome: TurnOutcome = reply.allowed ? .replied : .blocked
        span.attributes["voice.reply.characters"] = reply.response.count
        if let reason = reply.guardrailReason { span.attributes["voice.guardrail.reason"] = reason }

        // 6. Speak the reply into the channel. Without audio (the orchestrator answers in text when
        // speech synthesis is down) the reply is posted as a channel message instead, as a bot would.
        guard let encoded = reply.audioBase64 else {
            await channel.post(channelID: ChannelLog.voiceTextChannel, content: reply.response, author: "Atlas")
            record.outcome = outcome
            return
        }
        guard let replyBytes = Data(base64Encoded: encoded).map(Array.init) else {
            throw FleetError.downstream("bad_response", peer: "orchestrator", "audio_base64 is not valid base64")
        }
        record.replyAudio = replyBytes
        let decoded = try OggOpus.decode(replyBytes)
        record.replySeconds = decoded.duration
        let report = try await play(decoded.samples, after: segment, turnSpan: span, record: &record)
        record.playbackUnderruns = report.underruns
        record.latencies.playback = report.seconds
        record.outcome = outcome
    }

    private func transcribe(_ audio: [UInt8], correlationID: String) async throws -> (result: TranscriptionResult, seconds: Double) {
        let start = ContinuousClock.now
        do {
            let result = try await transcriber.transcribe(audio, contentType: "audio/ogg", correlationID: correlationID)
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

    private func play(_ samples: [Float], after segment: VoiceSegment, turnSpan: any Span,
                      record: inout TurnRecord) async throws -> PlaybackReport {
        let queued = ContinuousClock.now
        let (report, waited) = try await voice.withLock {
            // Time spent waiting for another reply to finish: part of what the speaker hears as latency.
            let waited = (ContinuousClock.now - queued).seconds
            let report = try await withStageSpan(StageSpan.playback) { stage in
                stage.attributes["audio.duration_seconds"] = Double(samples.count) / Double(AudioFormat.sampleRate)
                stage.attributes["voice.playback.queue_seconds"] = waited
                let report = try await player.play(samples, into: sink, onFirstFrame: { sentAt in
                    let latency = (sentAt - segment.lastVoicedAt).seconds
                    MetricCatalog.endToEndResponse.observe(latency)
                    turnSpan.attributes["voice.end_to_end_seconds"] = latency
                    turnSpan.addEvent(SpanEvent(name: StageSpan.firstAudioEvent))
                    stage.addEvent(SpanEvent(name: StageSpan.firstAudioEvent))
                }, onFrame: { lateness in
                    MetricCatalog.playbackJitter.observe(lateness)
                    if lateness >= AudioFormat.frameDuration { MetricCatalog.playbackUnderruns.increment() }
                })
                stage.attributes["voice.playback.frames"] = report.frames
                stage.attributes["voice.playback.underruns"] = report.underruns
                stage.attributes["voice.playback.max_jitter_seconds"] = report.maxJitter
                return report
            }
            return (report, waited)
        }
        record.latencies.playbackQueue = waited
        record.latencies.endToEnd = report.firstFrameAt.map { ($0 - segment.lastVoicedAt).seconds }
        return report
    }

    /// The W3C trace id of a span context, read through the installed propagator (so it works
    /// with whichever tracer the process bootstrapped, and is nil with none).
    static func traceID(of context: ServiceContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        guard let traceparent = carrier["traceparent"] else { return nil }
        let fields = traceparent.split(separator: "-")
        guard fields.count >= 4, fields[1].count == 32, fields[1] != String(repeating: "0", count: 32) else { return nil }
        return String(fields[1])
    }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}
